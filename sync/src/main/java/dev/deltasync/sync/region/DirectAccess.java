package dev.deltasync.sync.region;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a file is in DAX mode (its mappings reach the storage directly, no page cache), as {@code statx(2)}'s
 * {@code STATX_ATTR_DAX} tells: cachestat counts a DAX file's entries as never dirty, so a trust pass cannot tell
 * whether a mapping holds a page writable, and trusts nothing there.
 */
public final class DirectAccess {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final long STATX_ATTR_DAX = 0x00200000L;
    /** struct statx is 256 bytes; stx_attributes at 8, stx_attributes_mask at 56. */
    private static final long STATX_SIZE = 256;

    private static final MethodHandle STATX = Libc.downcall("statx", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private DirectAccess() {}

    /**
     * True when the file at {@code path} (not following a symlink there) is DAX, false when the kernel says it is
     * not; empty when it cannot tell (no statx, a kernel that does not report the attribute, no such file).
     */
    public static Optional<Boolean> of(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STATX_SIZE, 8);
            int rc = (int) STATX.invokeExact(arena.allocate(Libc.CAPTURE_LAYOUT), AT_FDCWD,
                    arena.allocateFrom(path.toString()), AT_SYMLINK_NOFOLLOW, 0, stat);
            if (rc != 0 || (stat.get(ValueLayout.JAVA_LONG, 56) & STATX_ATTR_DAX) == 0) {
                return Optional.empty();
            }
            return Optional.of((stat.get(ValueLayout.JAVA_LONG, 8) & STATX_ATTR_DAX) != 0);
        } catch (Throwable t) {
            return Optional.empty();
        }
    }
}
