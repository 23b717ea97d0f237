package dev.deltasync.sync;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A region a server offers under a name. A read-only region can be pulled but not pushed into, whoever asks.
 * {@code access} says which authenticated peers may see it at all, and which may push; a peer that may not see
 * it is answered exactly as for a region that does not exist. With {@code requireBlake3}, streams must hash with
 * BLAKE3, so that a hostile peer cannot forge digest collisions (PROTOCOL.md §12). Unless {@code resizable}, a
 * push may not change the size of an existing region file, even when the pusher asks for it (ALLOW_RESIZE).
 */
public record ExposedRegion(String name, Path path, boolean readOnly, PeerAccess access, boolean requireBlake3,
                            boolean resizable) {
    /** Names travel in OPEN and appear in addresses (HOST:PORT/NAME), so they stay simple. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public ExposedRegion {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("region name '" + name
                    + "' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (access == null) {
            throw new IllegalArgumentException("region '" + name + "' needs an access rule (PeerAccess.ANYONE for all)");
        }
    }

    /** Open to every peer the connection accepted, any hash, resizable by a push that asks (the library default). */
    public ExposedRegion(String name, Path path, boolean readOnly) {
        this(name, path, readOnly, PeerAccess.ANYONE, false, true);
    }

    public ExposedRegion withAccess(PeerAccess access) {
        return new ExposedRegion(name, path, readOnly, access, requireBlake3, resizable);
    }

    public ExposedRegion withRequireBlake3(boolean requireBlake3) {
        return new ExposedRegion(name, path, readOnly, access, requireBlake3, resizable);
    }

    public ExposedRegion withResizable(boolean resizable) {
        return new ExposedRegion(name, path, readOnly, access, requireBlake3, resizable);
    }
}
