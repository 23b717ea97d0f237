package dev.deltasync.sync.region;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Downcalls into libc with errno captured by the linker in the same call: reading errno afterwards through
 * another downcall would race with the JVM's own libc calls on that thread.
 */
final class Libc {
    /** Where a downcall made by {@link #downcall} leaves errno: pass one, allocated per call, first. */
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private Libc() {}

    /**
     * A descriptor of its own for the file open as {@code fd}, opened through {@code /proc/self/fd/N} with
     * {@code flags}: the same inode whatever its name says now, with its own file offset and lifetime. -1 when it
     * does not open. Close it with {@link Ioctl#close}.
     */
    static int reopen(int fd, int flags) {
        try {
            return Ioctl.open("/proc/self/fd/" + fd, flags);
        } catch (Ioctl.Failure e) {
            return -1;
        }
    }

    /** A handle to libc's {@code name} whose first argument is the errno capture segment. */
    static MethodHandle downcall(String name, FunctionDescriptor signature, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError(name + " not found in libc"));
        Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = Linker.Option.captureCallState("errno");
        return linker.downcallHandle(symbol, signature, all);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }
}
