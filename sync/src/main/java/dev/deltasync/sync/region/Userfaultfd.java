package dev.deltasync.sync.region;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * A userfaultfd in asynchronous write-protect mode ({@code <linux/userfaultfd.h>}, Linux 6.7+): writes to a
 * registered, protected page are resolved by the kernel itself, which only clears the page's protection, so no
 * thread ever waits on a fault; {@link PagemapScan} then finds the pages whose protection was cleared.
 */
final class Userfaultfd implements AutoCloseable {
    private static final int UFFD_TYPE = 0xAA;
    private static final long UFFD_API = 0xAA;
    /** Only faults raised in user mode: what an unprivileged process may ask for when vm.unprivileged_userfaultfd=0. */
    private static final int UFFD_USER_MODE_ONLY = 1;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;

    static final long FEATURE_WP_HUGETLBFS_SHMEM = 1L << 12;
    static final long FEATURE_WP_UNPOPULATED = 1L << 13;
    static final long FEATURE_WP_ASYNC = 1L << 15;
    private static final long REGISTER_MODE_WP = 1L << 1;
    private static final long WRITEPROTECT_MODE_WP = 1L << 0;

    /** {@code struct uffdio_api}. */
    private static final StructLayout API = MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("api"),
            ValueLayout.JAVA_LONG.withName("features"), ValueLayout.JAVA_LONG.withName("ioctls"));
    /** {@code struct uffdio_range}. */
    private static final StructLayout RANGE = MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("start"),
            ValueLayout.JAVA_LONG.withName("len"));
    /** {@code struct uffdio_register}. */
    private static final StructLayout REGISTER = MemoryLayout.structLayout(RANGE.withName("range"),
            ValueLayout.JAVA_LONG.withName("mode"), ValueLayout.JAVA_LONG.withName("ioctls"));
    /** {@code struct uffdio_writeprotect}. */
    private static final StructLayout WRITEPROTECT = MemoryLayout.structLayout(RANGE.withName("range"),
            ValueLayout.JAVA_LONG.withName("mode"));

    private static final VarHandle API_API = API.varHandle(groupElement("api"));
    private static final VarHandle API_FEATURES = API.varHandle(groupElement("features"));
    private static final VarHandle RANGE_START = RANGE.varHandle(groupElement("start"));
    private static final VarHandle RANGE_LEN = RANGE.varHandle(groupElement("len"));

    private static final long UFFDIO_API = Ioctl.readWrite(UFFD_TYPE, 0x3F, API.byteSize());
    private static final long UFFDIO_REGISTER = Ioctl.readWrite(UFFD_TYPE, 0x00, REGISTER.byteSize());
    private static final long UFFDIO_UNREGISTER = Ioctl.read(UFFD_TYPE, 0x01, RANGE.byteSize());
    private static final long UFFDIO_WRITEPROTECT = Ioctl.readWrite(UFFD_TYPE, 0x06, WRITEPROTECT.byteSize());

    private static final MethodHandle SYSCALL = Libc.downcall("syscall", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(1));

    private final int fd;

    private Userfaultfd(int fd) {
        this.fd = fd;
    }

    /** The syscall number of userfaultfd on this machine's architecture, or -1 where we do not know it. */
    static long syscallNumber() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 323;
            case "aarch64" -> 282;
            default -> -1;
        };
    }

    /** A new userfaultfd limited to user-mode faults, non-blocking, close-on-exec. */
    static Userfaultfd open() throws Ioctl.Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            long fd = (long) SYSCALL.invokeExact(capture, syscallNumber(), O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
            if (fd < 0) {
                throw new Ioctl.Failure("userfaultfd", Libc.errno(capture));
            }
            return new Userfaultfd((int) fd);
        } catch (Ioctl.Failure | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("userfaultfd downcall failed", t);
        }
    }

    /**
     * The handshake ({@code UFFDIO_API}), asking for {@code features}; returns the features the kernel supports. A
     * userfaultfd takes one handshake only: with {@code features} 0 it just asks what the kernel has.
     */
    long handshake(long features) throws Ioctl.Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment api = arena.allocate(API);
            API_API.set(api, 0L, UFFD_API);
            API_FEATURES.set(api, 0L, features);
            Ioctl.call(fd, UFFDIO_API, api, "UFFDIO_API");
            return (long) API_FEATURES.get(api, 0L);
        }
    }

    /** Registers {@code [address, address + length)} for write-protect faults. */
    void registerWriteProtect(long address, long length) throws Ioctl.Failure {
        rangeCall(REGISTER, UFFDIO_REGISTER, address, length, REGISTER_MODE_WP, "UFFDIO_REGISTER");
    }

    /** Write-protects {@code [address, address + length)}, populated or not (with WP_UNPOPULATED). */
    void writeProtect(long address, long length) throws Ioctl.Failure {
        rangeCall(WRITEPROTECT, UFFDIO_WRITEPROTECT, address, length, WRITEPROTECT_MODE_WP, "UFFDIO_WRITEPROTECT");
    }

    /** An ioctl whose argument starts with a {@code struct uffdio_range} followed by a {@code mode}. */
    private void rangeCall(StructLayout layout, long request, long address, long length, long mode, String what)
            throws Ioctl.Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment argument = arena.allocate(layout);
            RANGE_START.set(argument, 0L, address);
            RANGE_LEN.set(argument, 0L, length);
            argument.set(ValueLayout.JAVA_LONG, layout.byteOffset(groupElement("mode")), mode);
            Ioctl.call(fd, request, argument, what);
        }
    }

    /** Unregisters the range; errors are ignored, as closing the descriptor unregisters everything anyway. */
    void unregister(long address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = arena.allocate(RANGE);
            RANGE_START.set(range, 0L, address);
            RANGE_LEN.set(range, 0L, length);
            Ioctl.call(fd, UFFDIO_UNREGISTER, range, "UFFDIO_UNREGISTER");
        } catch (Ioctl.Failure ignored) {
            // the close below ends the registration in any case
        }
    }

    @Override
    public void close() {
        Ioctl.close(fd);
    }
}
