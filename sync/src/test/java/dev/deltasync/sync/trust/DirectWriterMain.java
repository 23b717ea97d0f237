package dev.deltasync.sync.trust;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Another program overwriting a file with one {@code O_DIRECT pwrite(2)} whose source buffer a userfaultfd holds:
 * the write moves the file's times when it starts (ext4/xfs take only the shared inode lock for an aligned
 * overwrite), then waits in the kernel until told to go on; its bytes then land on disk and the times do not move
 * again. Args: FILE OFFSET LENGTH VALUE. Prints {@code blocked} once the write waits, reads one line, prints
 * {@code written N} when the write returned. Needs root (or vm.unprivileged_userfaultfd=1): a kernel-mode fault.
 */
public final class DirectWriterMain {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PWRITE = libc("pwrite", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle SYSCALL = libc("syscall", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle IOCTL = libc("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = libc("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle POLL = libc("poll", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private static final int O_RDWR = 2;
    private static final int O_DIRECT = 0x4000;
    private static final long UFFDIO_API = ioWr(0x3F, 24);
    private static final long UFFDIO_REGISTER = ioWr(0x00, 32);
    private static final long UFFDIO_COPY = ioWr(0x03, 40);

    private DirectWriterMain() {}

    private static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, options);
    }

    private static long ioWr(int nr, long size) {
        return (3L << 30) | (size << 16) | (0xAAL << 8) | nr;
    }

    public static void main(String[] args) throws Throwable {
        long offset = Long.parseLong(args[1]);
        long length = Long.parseLong(args[2]);
        byte value = (byte) Integer.parseInt(args[3]);
        Arena arena = Arena.global();
        int fd = (int) OPEN.invokeExact(arena.allocateFrom(args[0]), O_RDWR | O_DIRECT);
        check(fd >= 0, "open");
        int uffd = (int) (long) SYSCALL.invokeExact(323L, 0x80000);
        check(uffd >= 0, "userfaultfd");
        MemorySegment api = arena.allocate(24, 8);
        api.set(ValueLayout.JAVA_LONG, 0, 0xAA);
        check((int) IOCTL.invokeExact(uffd, UFFDIO_API, api) == 0, "UFFDIO_API");
        MemorySegment buffer = ((MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, 3, 0x22, -1, 0L))
                .reinterpret(length);
        MemorySegment register = arena.allocate(32, 8);
        register.set(ValueLayout.JAVA_LONG, 0, buffer.address());
        register.set(ValueLayout.JAVA_LONG, 8, length);
        register.set(ValueLayout.JAVA_LONG, 16, 1); // UFFDIO_REGISTER_MODE_MISSING
        check((int) IOCTL.invokeExact(uffd, UFFDIO_REGISTER, register) == 0, "UFFDIO_REGISTER");

        long[] written = {Long.MIN_VALUE};
        Thread write = Thread.ofPlatform().start(() -> {
            try {
                written[0] = (long) PWRITE.invokeExact(fd, buffer, length, offset);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        });
        MemorySegment pollFd = arena.allocate(8, 4);
        pollFd.set(ValueLayout.JAVA_INT, 0, uffd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, (short) 1); // POLLIN
        check((int) POLL.invokeExact(pollFd, 1L, -1) == 1, "poll");
        System.out.println("blocked");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();

        MemorySegment source = arena.allocate(length, 4096);
        source.fill(value);
        MemorySegment copy = arena.allocate(40, 8);
        copy.set(ValueLayout.JAVA_LONG, 0, buffer.address());
        copy.set(ValueLayout.JAVA_LONG, 8, source.address());
        copy.set(ValueLayout.JAVA_LONG, 16, length);
        check((int) IOCTL.invokeExact(uffd, UFFDIO_COPY, copy) == 0, "UFFDIO_COPY");
        write.join();
        System.out.println("written " + written[0]);
        System.out.flush();
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println(what + " failed");
            System.exit(2);
        }
    }
}
