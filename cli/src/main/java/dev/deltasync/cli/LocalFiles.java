package dev.deltasync.cli;

import dev.deltasync.sync.region.RegionAccess;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.region.RegionFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The words for a region file's problems, and the check of a push's or pull's local file before anything
 * connects: one line naming the file, what the OS says is wrong, and the fix where there is one (exit 2).
 * The engine checks again when it opens the file (with the lock), so a file that changes meanwhile is still
 * refused; this only makes the common mistakes cheap and clear.
 */
final class LocalFiles {
    private LocalFiles() {}

    /** A push reads its local file: it must be an existing regular file, not a symlink. */
    static void checkSource(Path file) {
        check(file, RegionAccess.READ_ONLY, "push");
    }

    /** A pull writes its local file: an existing regular file, or a new one in a directory that exists. */
    static void checkReplica(Path file) {
        check(file, RegionAccess.READ_WRITE, "pull");
    }

    /** A file {@code command} reads ({@code READ_ONLY}) or writes; a usage error saying what is wrong with it. */
    static void check(Path file, RegionAccess access, String command) {
        try {
            RegionFile.check(file, access);
        } catch (RegionFileException e) {
            throw CliException.usage(e.getMessage() + fix(e, command).map(f -> " (" + f + ")").orElse(""));
        } catch (IOException e) {
            throw CliException.usage(file + " cannot be used: " + e.getMessage());
        }
    }

    private static Optional<String> fix(RegionFileException e, String command) {
        return switch (e.problem()) {
            case SYMLINK -> Optional.of("name the file itself: " + command + " never follows a symlink there");
            case NO_SUCH_DIRECTORY -> Optional.of("create the directory first");
            case IS_DIRECTORY, NOT_REGULAR_FILE -> Optional.of(command + " takes a regular file");
            default -> Optional.empty();
        };
    }
}
