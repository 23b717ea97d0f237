package dev.deltasync.sync.region;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Whether any process has a file open for writing, as the kernel tells through a read lease ({@code fcntl(2)}
 * {@code F_SETLEASE F_RDLCK}): it grants one only while nobody holds the file open for writing, by a descriptor or a
 * writable shared mapping. A trust pass needs that (PROTOCOL.md §9.7): an {@code O_DIRECT} overwrite moves the
 * file's times when it starts, holds only the shared inode lock, dirties no page, and lands later without moving
 * them again; only its open descriptor shows it. The lease is dropped as soon as it is granted.
 */
public final class OpenWriters {
    private static final int O_RDONLY_NOFOLLOW_NONBLOCK_CLOEXEC = 0x80000 | 0x20000 | 04000;
    private static final int F_SETSIG = 10;
    private static final int F_SETLEASE = 1024;
    private static final int F_RDLCK = 0;
    private static final int F_UNLCK = 2;
    /**
     * A writer opening the file while the lease is held breaks it, and the kernel signals the holder: SIGIO by
     * default, whose default action ends the process, and which HotSpot leaves at its default. SIGURG (23 on
     * x86_64 and the generic table, arm64's) is ignored by default, so the break costs nothing; the lease is
     * dropped at once anyway, and the writer's open then goes on.
     */
    private static final int SIGURG = 23;

    private static final MethodHandle FCNTL = Libc.downcall("fcntl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));

    private OpenWriters() {}

    /**
     * No process had {@code file} open for writing at {@code atNanos} (Unix nanoseconds, taken before the lease
     * was asked for): any write since moved its change time to that moment or later.
     */
    public record NoneAt(FileIdentity file, long atNanos) {}

    /**
     * The file at {@code path} (not following a symlink there) and the moment before it was found open for writing
     * by nobody; empty when it was open for writing, or the kernel cannot tell (not this user's file and no
     * CAP_LEASE, leases disabled, a file system without leases, no such file).
     */
    public static Optional<NoneAt> probe(Path path) {
        return whileLeased(path, () -> { });
    }

    /** As {@link #probe}, running {@code during} while the lease is held (tests: a writer opening meanwhile). */
    static Optional<NoneAt> whileLeased(Path path, Runnable during) {
        long at = nowNanos();
        int fd;
        try {
            fd = Ioctl.open(path.toString(), O_RDONLY_NOFOLLOW_NONBLOCK_CLOEXEC);
        } catch (Ioctl.Failure e) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            FileIdentity file = FileIdentity.of(Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:dev,ino"));
            if (fcntl(arena, fd, F_SETSIG, SIGURG) != 0 || fcntl(arena, fd, F_SETLEASE, F_RDLCK) != 0) {
                return Optional.empty();
            }
            try {
                during.run();
            } finally {
                fcntl(arena, fd, F_SETLEASE, F_UNLCK);
            }
            return Optional.of(new NoneAt(file, at));
        } catch (IOException e) {
            return Optional.empty();
        } finally {
            Ioctl.close(fd); // closing drops the lease too, whatever F_UNLCK said
        }
    }

    private static int fcntl(Arena arena, int fd, int command, int argument) {
        try {
            return (int) FCNTL.invokeExact(arena.allocate(Libc.CAPTURE_LAYOUT), fd, command, argument);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** The realtime clock, which file times are taken from, in Unix nanoseconds. */
    public static long nowNanos() {
        return ChronoUnit.NANOS.between(Instant.EPOCH, Instant.now());
    }
}
