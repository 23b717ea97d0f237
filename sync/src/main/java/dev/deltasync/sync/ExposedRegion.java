package dev.deltasync.sync;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A region a server offers under a name. A read-only region can be pulled but not pushed into.
 */
public record ExposedRegion(String name, Path path, boolean readOnly) {
    /** Names travel in OPEN and appear in addresses (HOST:PORT/NAME), so they stay simple. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public ExposedRegion {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("region name '" + name
                    + "' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }
}
