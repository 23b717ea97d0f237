package dev.deltasync.sync;

import dev.deltasync.sync.region.FileIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Which file is at a path and when it last changed, as one {@code lstat} tells it: a write by anyone, through a
 * mapping or a system call, moves the modification and change times (to the nanosecond where the file system
 * keeps them); a replacement changes the {@link FileIdentity}; a truncation the size. Cheap enough to take every
 * second, which is how a replica notices writes into its file that did not come through its stream.
 */
record FileStamp(FileIdentity file, long size, FileTime modified, FileTime changed) {
    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";

    static FileStamp of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        return new FileStamp(new FileIdentity((Long) a.get("dev"), (Long) a.get("ino")), (Long) a.get("size"),
                (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"));
    }

    /** True when {@code other} is another file than this one, not the same file changed. */
    boolean isOtherFileThan(FileStamp other) {
        return !file.equals(other.file);
    }
}
