package dev.deltasync.sync.region;

import java.io.IOException;

/** The file behind a mapping changed size; a source must then end its streams with SIZE_MISMATCH. */
public final class RegionResizedException extends IOException {
    public RegionResizedException(String message) {
        super(message);
    }
}
