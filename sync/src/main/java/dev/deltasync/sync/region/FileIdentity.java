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
    /** The identity of the file an open descriptor refers to, through its {@code /proc/self/fd} link. */
    static FileIdentity of(Map<String, Object> unixAttributes) {
        return new FileIdentity((Long) unixAttributes.get("dev"), (Long) unixAttributes.get("ino"));
    }

    /** The identity of the file at {@code path}, not following a symlink there. */
    public static FileIdentity of(Path path) throws IOException {
        return of(Files.readAttributes(path, "unix:dev,ino", java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    /** The device's major number as Linux encodes it in {@code st_dev} (glibc's {@code gnu_dev_major}). */
    long major() {
        return ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
    }

    /** The device's minor number (glibc's {@code gnu_dev_minor}). */
    long minor() {
        return (device & 0xff) | ((device >>> 12) & ~0xffL);
    }
}
