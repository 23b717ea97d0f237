package dev.deltasync.cli;

import dev.deltasync.sync.ExposedRegion;
import java.nio.file.Path;

/** Parses {@code serve --region NAME=PATH[:ro|:rw]}; read-only unless {@code :rw}, so nothing is writable by accident. */
final class RegionSpec {
    private RegionSpec() {}

    static ExposedRegion parse(String text) {
        int equals = text.indexOf('=');
        if (equals <= 0 || equals == text.length() - 1) {
            throw CliException.usage("--region takes NAME=PATH[:ro|:rw], e.g. vm=/var/lib/vm/disk.img:rw, not '"
                    + text + "'");
        }
        String name = text.substring(0, equals);
        String path = text.substring(equals + 1);
        boolean readOnly = true;
        if (path.endsWith(":rw") || path.endsWith(":ro")) {
            readOnly = path.endsWith(":ro");
            path = path.substring(0, path.length() - 3);
        }
        try {
            return new ExposedRegion(name, Path.of(path), readOnly);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }
}
