package dev.deltasync.sync.region;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code ioctl(2)}, {@code open(2)} and {@code close(2)} as FFM downcalls, errno captured ({@link Libc}), and the
 * request numbers of {@code <asm-generic/ioctl.h>}, computed from the argument's layout size as the C macros do.
 */
final class Ioctl {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;

    private static final MethodHandle IOCTL = Libc.downcall("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle OPEN = Libc.downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Libc.downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Ioctl() {}

    /** {@code _IOWR(type, nr, size)}: the argument is read and written by the kernel. */
    static long readWrite(int type, int nr, long size) {
        return request(3, type, nr, size);
    }

    /** {@code _IOR(type, nr, size)}: the kernel reads the argument. */
    static long read(int type, int nr, long size) {
        return request(2, type, nr, size);
    }

    private static long request(int direction, int type, int nr, long size) {
        return ((long) direction << 30) | (size << 16) | ((long) type << 8) | nr;
    }

    /** A failed call's errno, for {@link Errno} and for callers that tell causes apart. */
    static final class Failure extends IOException {
        private final int errno;

        Failure(String what, int errno) {
            super(what + ": " + Errno.describe(errno));
            this.errno = errno;
        }

        /** A failure with no errno behind it (the kernel answered, but not as documented). */
        Failure(String message) {
            super(message);
            this.errno = 0;
        }

        int errno() {
            return errno;
        }
    }

    /** {@code ioctl(fd, request, argument)}; returns the call's non-negative result. */
    static int call(int fd, long request, MemorySegment argument, String what) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            int rc = (int) IOCTL.invokeExact(capture, fd, request, argument);
            if (rc < 0) {
                throw new Failure(what, Libc.errno(capture));
            }
            return rc;
        } catch (Failure | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl downcall failed: " + what, t);
        }
    }

    /** Opens {@code path} read-only, close-on-exec; returns the descriptor. */
    static int openReadOnly(String path) throws Failure {
        return open(path, O_RDONLY | O_CLOEXEC);
    }

    /** Opens {@code path} with {@code flags} ({@code open(2)}'s); returns the descriptor. */
    static int open(String path, int flags) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), flags);
            if (fd < 0) {
                throw new Failure("cannot open " + path, Libc.errno(capture));
            }
            return fd;
        } catch (Failure | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall failed: " + path, t);
        }
    }

    /** Closes {@code fd}; a failure is ignored, as nothing could be done about it. */
    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(Libc.CAPTURE_LAYOUT), fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall failed", t);
        }
    }
}
