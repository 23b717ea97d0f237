package dev.deltasync.sync.region;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The kind of file system a file lives on, as {@code statfs(2)}'s {@code f_type} magic names it: what decides
 * whether its holes ({@link Holes}) or its file times (the {@code trust} package) can be relied on.
 */
public final class FileSystemType {
    /** ext2, ext3 and ext4 share one magic. */
    public static final long EXT4 = 0xEF53L;
    public static final long XFS = 0x58465342L;
    public static final long BTRFS = 0x9123683EL;
    public static final long TMPFS = 0x01021994L;
    public static final long F2FS = 0xF2F52010L;

    private static final MethodHandle FSTATFS = Libc.downcall("fstatfs", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle STATFS = Libc.downcall("statfs", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    /** struct statfs is 120 bytes on 64-bit Linux; f_type (a long) comes first. Room to spare. */
    private static final long STATFS_SIZE = 256;

    private FileSystemType() {}

    /** f_type of the file system of the open descriptor {@code fd}, or -1 when fstatfs fails. */
    static long of(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATFS_SIZE, 8);
            return magic((int) FSTATFS.invokeExact(arena.allocate(Libc.CAPTURE_LAYOUT), fd, buf), buf);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** f_type of the file system holding {@code path}, or -1 when statfs fails. */
    public static long of(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATFS_SIZE, 8);
            return magic((int) STATFS.invokeExact(arena.allocate(Libc.CAPTURE_LAYOUT),
                    arena.allocateFrom(path.toString()), buf), buf);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** f_type is a signed long: magics with the top bit of 32 set stay positive on 64-bit Linux. */
    private static long magic(int rc, MemorySegment buf) {
        return rc == 0 ? buf.get(ValueLayout.JAVA_LONG, 0) & 0xFFFFFFFFL : -1;
    }
}
