package dev.deltasync.sync;

import dev.deltasync.sync.region.FileIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;

/**
 * Which file is at a path and when it last changed, as one {@code lstat} tells it: a write by anyone, through a
 * mapping or a system call, moves the modification and change times (to the nanosecond where the file system
 * keeps them); a replacement changes the {@link FileIdentity}; a truncation the size. Cheap enough to take every
 * second, which is how a replica notices writes into its file that did not come through its stream.
 *
 * @param born the file's birth time ({@code statx} btime), which tells apart two files that got the same inode
 *             number one after the other; empty where the file system keeps none
 */
record FileStamp(FileIdentity file, long size, FileTime modified, FileTime changed, Optional<FileTime> born) {
    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime,creationTime";

    static FileStamp of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        FileTime modified = (FileTime) a.get("lastModifiedTime");
        FileTime creation = (FileTime) a.get("creationTime");
        // Without a birth time the JDK answers the modification time: that is no birth time at all.
        return new FileStamp(FileIdentity.of(a), (Long) a.get("size"),
                modified, (FileTime) a.get("ctime"), creation.equals(modified) ? Optional.empty()
                : Optional.of(creation));
    }

    /** True when {@code other} is another file than this one, not the same file changed. */
    boolean isOtherFileThan(FileStamp other) {
        return !file.equals(other.file);
    }
}
