package dev.deltasync.sync.region;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code msync(2)} as an FFM downcall into libc, with errno captured by the linker ({@link Libc}).
 */
final class Msync {
    /** {@code MS_SYNC} from {@code <sys/mman.h>} on Linux: block until the pages are written. */
    static final int MS_SYNC = 4;

    private static final MethodHandle MSYNC = Libc.downcall("msync", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private Msync() {}

    /**
     * Flushes {@code segment} (which must start on a page boundary) to its file.
     *
     * @param what names the region in the error message
     * @throws IOException naming errno and {@code what} when the call fails
     */
    static void sync(MemorySegment segment, String what) throws IOException {
        if (segment.byteSize() == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            int rc = (int) MSYNC.invokeExact(capture, segment, segment.byteSize(), MS_SYNC);
            if (rc != 0) {
                int errno = Libc.errno(capture);
                throw new IOException("msync failed for " + what + ": " + Errno.describe(errno));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("msync downcall failed for " + what, t);
        }
    }
}
