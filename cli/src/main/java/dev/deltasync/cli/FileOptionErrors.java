package dev.deltasync.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.io.IOException;

/**
 * One line for a file named by an option that could not be read ({@code --ca FILE}, {@code --identity DIR}):
 * the option, the file and the cause, never the JDK's bare path for a message.
 */
final class FileOptionErrors {
    private FileOptionErrors() {
    }

    static CliException unreadable(String option, Path file, IOException e) {
        return unreadable(option, file, e, "");
    }

    /** As {@link #unreadable(String, Path, IOException)}; {@code fixIfMissing} follows "does not exist". */
    static CliException unreadable(String option, Path file, IOException e, String fixIfMissing) {
        String cause = switch (e) {
            case NoSuchFileException missing -> "does not exist" + fixIfMissing;
            case AccessDeniedException denied -> "cannot be read: permission denied";
            case FileSystemException other when other.getReason() != null -> "cannot be read: " + other.getReason();
            default -> "cannot be read: " + e.getMessage();
        };
        return CliException.usage(option + " " + file + ": " + cause);
    }
}
