package dev.deltasync.sync.region;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a file is, whatever it is called: its device and inode. Two names (aliases, hard links, a symlink
 * and its target) of one file have one identity, so claims and locks keyed by it cover every name.
 */
public record FileIdentity(long device, long inode) {
    /** The identity in {@code unix:} attributes read with at least {@code dev} and {@code ino}. */
    public static FileIdentity of(Map<String, Object> unixAttributes) {
        return new FileIdentity((Long) unixAttributes.get("dev"), (Long) unixAttributes.get("ino"));
    }

    /** The identity of the file at {@code path}, not following a symlink there. */
    public static FileIdentity of(Path path) throws IOException {
        return of(Files.readAttributes(path, "unix:dev,ino", java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    /** The device's major number as Linux encodes it in {@code st_dev} (glibc's {@code gnu_dev_major}). */
    public long major() {
        return ((device >>> 8) & 0xfff) | ((device >>> 32) & 0xfffff000L);
    }

    /** The device's minor number (glibc's {@code gnu_dev_minor}). */
    public long minor() {
        return (device & 0xff) | ((device >>> 12) & 0xffffff00L);
    }
}
