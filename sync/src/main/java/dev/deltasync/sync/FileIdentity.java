package dev.deltasync.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What a file is and when it last changed, as the kernel tells it (one {@code lstat}): a write by anyone, through
 * a mapping or a system call, moves the modification and change times (to the nanosecond where the file system
 * keeps them); a replacement changes the device or inode; a truncation the size. Cheap enough to take every
 * second, which is how a replica notices writes into its file that did not come through its stream.
 */
record FileIdentity(Object device, Object inode, long size, FileTime modified, FileTime changed) {
    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";

    static FileIdentity of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        return new FileIdentity(a.get("dev"), a.get("ino"), (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"),
                (FileTime) a.get("ctime"));
    }

    /** True when {@code other} is another file than this one, not the same file changed. */
    boolean isOtherFileThan(FileIdentity other) {
        return !device.equals(other.device) || !inode.equals(other.inode);
    }
}
