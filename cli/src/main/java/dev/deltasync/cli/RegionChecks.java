package dev.deltasync.cli;

import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.region.RegionAccess;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.region.RegionFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What {@code serve} checks of every region before it listens, so that it never offers a region it cannot
 * serve: the file exists (or, for :rw, can be created), is a regular file and not a symlink, can be read or
 * written as asked, and a :ro one is not empty. A region named by {@code --follow-symlinks} may be a symlink:
 * it is resolved here, once, and its target served; the server then opens that target without following
 * anything, so a link swapped in later cannot redirect the region. Every problem is collected, one line each.
 */
final class RegionChecks {
    private RegionChecks() {}

    /** The regions with resolved paths; a usage error listing every problem when any region cannot be served. */
    static List<ExposedRegion> checked(List<ExposedRegion> regions, Set<String> followSymlinks) {
        List<ExposedRegion> checked = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ExposedRegion region : regions) {
            String prefix = "region '" + region.name() + "': ";
            try {
                ExposedRegion resolved = followSymlinks.contains(region.name()) ? resolved(region) : region;
                RegionFile.check(resolved.path(), resolved.readOnly() ? RegionAccess.READ_ONLY : RegionAccess.READ_WRITE);
                if (resolved.readOnly() && Files.size(resolved.path()) == 0) {
                    problems.add(prefix + resolved.path() + " is empty (a :ro region needs data to serve)");
                }
                checked.add(resolved);
            } catch (RegionFileException e) {
                problems.add(prefix + e.getMessage() + fix(e, region));
            } catch (IOException e) {
                problems.add(prefix + region.path() + " cannot be used: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            // Main prints the first line after "deltasync serve: "; each further problem gets the same prefix.
            throw CliException.usage(String.join(System.lineSeparator() + "deltasync serve: ", problems));
        }
        return checked;
    }

    private static ExposedRegion resolved(ExposedRegion region) throws IOException {
        if (!Files.isSymbolicLink(region.path())) {
            return region;
        }
        Path target;
        try {
            target = region.path().toRealPath();
        } catch (IOException e) {
            throw new IOException("it is a symbolic link to " + Files.readSymbolicLink(region.path())
                    + ", which does not exist", e);
        }
        return new ExposedRegion(region.name(), target, region.readOnly(), region.access(), region.requireBlake3(),
                region.resizable());
    }

    private static String fix(RegionFileException e, ExposedRegion region) {
        return switch (e.problem()) {
            case SYMLINK -> " (serve --follow-symlinks " + region.name() + " serves its target, resolved once at start)";
            case NO_SUCH_FILE -> " (a :ro region must exist; a :rw region is created by the first push)";
            case NO_SUCH_DIRECTORY -> " (create the directory first)";
            case IS_DIRECTORY, NOT_REGULAR_FILE -> " (a region is a regular file)";
            default -> "";
        };
    }
}
