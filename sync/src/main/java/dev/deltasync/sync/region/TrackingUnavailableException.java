package dev.deltasync.sync.region;

/** Why writes to a mapping cannot be tracked here: one line, naming the kernel feature or the setting that is missing. */
public final class TrackingUnavailableException extends Exception {
    TrackingUnavailableException(String reason) {
        super(reason);
    }
}
