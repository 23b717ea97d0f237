package dev.deltasync.sync.region;

import dev.deltasync.sync.region.RegionFileException.Problem;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A region file as a stream uses it: opened without following a symlink at its name, checked to be a
 * regular file, and locked for as long as the stream runs (shared by sources, exclusive for a replica), so
 * a second writer, in this process or another, is refused at once instead of mixing its bytes into ours.
 *
 * <p>How, and why this way (Linux):
 * <ul>
 * <li>{@code open(2)} with {@code O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC} through FFM: O_NOFOLLOW refuses a
 *     symlink at the last component with ELOOP, atomically (a check before the open could be raced), and
 *     O_NONBLOCK keeps a FIFO from blocking the open until a writer comes. Everything after is done on that
 *     descriptor: its identity and type come from {@code /proc/self/fd/N}, which names the open file itself,
 *     and the {@link FileChannel} that maps it is opened through that same link, so it is the same inode
 *     even if the name was swapped meanwhile.</li>
 * <li>{@code flock(2)}, not {@link java.nio.channels.FileLock}: the JDK's locks are POSIX {@code fcntl}
 *     locks, which belong to the process, so they vanish when any descriptor of the file is closed anywhere
 *     in the process (a second alias of one region opening and closing would drop the first stream's lock),
 *     and within one JVM a second lock throws OverlappingFileLockException, even for two shared readers.
 *     A flock belongs to one open file description: two opens in one process conflict exactly like two
 *     processes, so one rule serves both cases and no in-process registry is needed. OFD locks
 *     ({@code F_OFD_SETLK}) would behave the same but are not listed with their owner's pid in
 *     {@code /proc/locks}; flocks are, which is how the message names the other stream.</li>
 * </ul>
 * The locks are advisory: they keep deltasync streams apart, not an application writing its own file.
 */
public final class RegionFile implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_NOFOLLOW = noFollowFlag();
    private static final int CREATE_MODE = 0666; // less the umask, as any file a program creates
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final long LEASE_BREAK_WAIT_NANOS = 2_000_000_000L;

    private static final MethodHandle OPEN = Libc.downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FLOCK = Libc.downcall("flock", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Path path;
    private final RegionAccess access;
    private final FileIdentity identity;
    private final boolean created;
    private final int fd;
    private final FileChannel channel;
    /** For a file opened for writing: nobody had it open for writing just before this open did; else empty. */
    private final Optional<OpenWriters.NoneAt> noWriterBeforeOpen;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RegionFile(Path path, RegionAccess access, FileIdentity identity, boolean created, int fd,
                       FileChannel channel, Optional<OpenWriters.NoneAt> noWriterBeforeOpen) {
        this.path = path;
        this.access = access;
        this.identity = identity;
        this.created = created;
        this.fd = fd;
        this.channel = channel;
        this.noWriterBeforeOpen = noWriterBeforeOpen;
    }

    /** An existing file a source reads, under a shared lock: other sources may read it too, no stream writes it. */
    public static RegionFile forReading(Path path) throws IOException {
        return open(path, RegionAccess.READ_ONLY, true);
    }

    /** A replica's file, created if missing, under an exclusive lock: no other stream reads or writes it. */
    public static RegionFile forWriting(Path path) throws IOException {
        return open(path, RegionAccess.READ_WRITE, true);
    }

    /**
     * An existing file opened for reading without a lock, to look at it (re-hash it) while a stream may be using
     * it; still never through a symlink.
     */
    public static RegionFile forInspection(Path path) throws IOException {
        return open(path, RegionAccess.READ_ONLY, false);
    }

    /**
     * Checks, without creating or locking anything, that {@code path} could be opened as asked: an existing
     * regular file, not a symlink, with the permissions; for writing, a missing file in a directory that exists.
     *
     * @throws RegionFileException saying what is wrong
     */
    public static void check(Path path, RegionAccess access) throws IOException {
        if (access == RegionAccess.READ_WRITE && sizeIfExists(path) < 0) {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new RegionFileException(path, Problem.NO_SUCH_DIRECTORY, "cannot be created: no such directory "
                        + parent);
            }
            if (parent != null && !Files.isWritable(parent)) {
                throw new RegionFileException(path, Problem.PERMISSION_DENIED, "cannot be created: permission denied"
                        + " in " + parent);
            }
            return;
        }
        open(path, access, false).close();
    }

    /**
     * The size of the regular file at {@code path}, or -1 when nothing is there (a replica is created on first
     * sync). Not following a symlink; anything but a regular file is a {@link RegionFileException}.
     */
    public static long sizeIfExists(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (AccessDeniedException e) {
            throw new RegionFileException(path, Problem.PERMISSION_DENIED, "cannot be read: permission denied");
        }
        if (attributes.isRegularFile()) {
            return attributes.size();
        }
        if (attributes.isSymbolicLink()) {
            throw symlink(path);
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        throw notRegular(path, mode);
    }

    private static RegionFile open(Path path, RegionAccess access, boolean lock) throws IOException {
        boolean write = access == RegionAccess.READ_WRITE;
        int flags = (write ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
        int fd;
        boolean created = false;
        boolean creating = write && lock;
        // once open for writing here, no probe can tell whether another process also has it open so (§9.7)
        Optional<OpenWriters.NoneAt> noWriter = write ? OpenWriters.probe(path) : Optional.empty();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toString());
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            if (write && lock) {
                fd = open(capture, name, flags | O_CREAT | O_EXCL);
                created = fd >= 0;
                if (fd < 0 && Libc.errno(capture) == Errno.EEXIST) {
                    creating = false; // it exists: a failure now is about opening it (e.g. removed meanwhile)
                    fd = open(capture, name, flags);
                }
            } else {
                fd = open(capture, name, flags);
            }
            if (fd < 0) {
                throw openFailure(path, Libc.errno(capture), creating);
            }
        }
        try {
            Path self = Path.of("/proc/self/fd/" + fd);
            Map<String, Object> attributes = Files.readAttributes(self, "unix:dev,ino,mode");
            int mode = (Integer) attributes.get("mode");
            if ((mode & S_IFMT) != S_IFREG) {
                throw notRegular(path, mode);
            }
            FileIdentity identity = FileIdentity.of(attributes);
            if (lock) {
                lock(path, fd, identity, write);
            }
            FileChannel channel = FileChannel.open(self, access.openOptions());
            return new RegionFile(path, access, identity, created, fd, channel,
                    noWriter.filter(n -> n.file().equals(identity)));
        } catch (IOException | RuntimeException e) {
            Ioctl.close(fd);
            throw e;
        }
    }

    /**
     * open(2). An O_NONBLOCK open for writing that meets a read lease fails with EWOULDBLOCK while it breaks the
     * lease: {@link OpenWriters}' probe (ours or another deltasync's) holds one for microseconds, another program's
     * is let go within the kernel's lease-break time; so it is tried again, for up to {@link #LEASE_BREAK_WAIT_NANOS}.
     */
    private static int open(MemorySegment capture, MemorySegment name, int flags) {
        long deadline = System.nanoTime() + LEASE_BREAK_WAIT_NANOS;
        try {
            while (true) {
                int fd = (int) OPEN.invokeExact(capture, name, flags, CREATE_MODE);
                if (fd >= 0 || Libc.errno(capture) != Errno.EWOULDBLOCK || System.nanoTime() - deadline > 0) {
                    return fd;
                }
                LockSupport.parkNanos(1_000_000);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall failed", t);
        }
    }

    private static void lock(Path path, int fd, FileIdentity identity, boolean exclusive) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            int rc = (int) FLOCK.invokeExact(capture, fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
            if (rc == 0) {
                return;
            }
            int errno = Libc.errno(capture);
            if (errno != Errno.EWOULDBLOCK) {
                throw new RegionFileException(path, Problem.OTHER, "cannot be locked: " + Errno.describe(errno));
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("flock downcall failed", t);
        }
        Optional<LockHolders.Holder> holder = LockHolders.of(identity);
        String doing = holder.map(h -> h.writing() ? "written" : "read").orElse(exclusive ? "used" : "written");
        throw new RegionFileException(path, Problem.BUSY, "is being " + doing + " by another deltasync stream"
                + holder.map(h -> " (pid " + h.pid() + ")").orElse(""), holder.map(LockHolders.Holder::pid));
    }

    private static RegionFileException openFailure(Path path, int errno, boolean creating) {
        return switch (errno) {
            case Errno.ENOENT -> creating
                    ? new RegionFileException(path, Problem.NO_SUCH_DIRECTORY, "cannot be created: no such directory "
                            + path.toAbsolutePath().getParent())
                    : new RegionFileException(path, Problem.NO_SUCH_FILE, "does not exist");
            case Errno.ENOTDIR -> new RegionFileException(path, Problem.NO_SUCH_DIRECTORY,
                    "cannot be opened: a directory on its path is not a directory");
            case Errno.EACCES, Errno.EPERM -> new RegionFileException(path, Problem.PERMISSION_DENIED,
                    "cannot be opened: permission denied");
            case Errno.EISDIR -> new RegionFileException(path, Problem.IS_DIRECTORY, "is a directory");
            case Errno.ELOOP -> Files.isSymbolicLink(path) ? symlink(path)
                    : new RegionFileException(path, Problem.OTHER, "cannot be opened: " + Errno.describe(errno));
            case Errno.ENXIO, Errno.ENODEV -> new RegionFileException(path, Problem.NOT_REGULAR_FILE,
                    "is not a regular file");
            default -> new RegionFileException(path, Problem.OTHER, "cannot be opened: " + Errno.describe(errno));
        };
    }

    private static RegionFileException symlink(Path path) {
        return new RegionFileException(path, Problem.SYMLINK, "is a symbolic link, which deltasync does not follow");
    }

    private static RegionFileException notRegular(Path path, int mode) {
        if ((mode & S_IFMT) == S_IFDIR) {
            return new RegionFileException(path, Problem.IS_DIRECTORY, "is a directory");
        }
        String kind = switch (mode & S_IFMT) {
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "not a regular file";
        };
        return new RegionFileException(path, Problem.NOT_REGULAR_FILE, "is not a regular file but " + kind);
    }

    /** O_NOFOLLOW differs between Linux architectures (asm-generic vs arm and powerpc). */
    private static int noFollowFlag() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "aarch64", "arm", "ppc64", "ppc64le" -> 0100000;
            case "amd64", "x86_64", "x86", "i386", "riscv64", "s390x", "loongarch64" -> 0400000;
            default -> throw new UnsupportedOperationException("O_NOFOLLOW is not known for architecture " + arch);
        };
    }

    public Path path() {
        return path;
    }

    /** Device and inode of the open file: the same for every name of it. */
    public FileIdentity identity() {
        return identity;
    }

    /** The locked descriptor, for a mapping that opens its own descriptor of the same file through it. */
    int fd() {
        return fd;
    }

    /**
     * For a file opened for writing, the moment just before this open at which no process had it open for writing
     * ({@link OpenWriters}); empty when one had, the kernel could not tell, or it was opened read-only.
     */
    public Optional<OpenWriters.NoneAt> noWriterBeforeOpen() {
        return noWriterBeforeOpen;
    }

    /** True when this open created the file (it was missing). */
    public boolean created() {
        return created;
    }

    public long size() throws IOException {
        return channel.size();
    }

    /**
     * Removes the file this open created, while its lock is still held, if its name still names it: a first
     * sync that could not even map it (disk full, too large) must not leave a 0-byte file that every later
     * sync then refuses as the wrong size. Best effort: the mapping's own error is what the caller reports.
     */
    void removeIfCreated() {
        if (!created) {
            return;
        }
        try {
            if (FileIdentity.of(path).equals(identity)) {
                Files.delete(path);
            }
        } catch (IOException | RuntimeException e) {
            // gone already, or not ours any more: nothing to undo
        }
    }

    /**
     * Maps the whole file; the mapping takes this file over, so closing the mapping also releases the lock.
     * {@link #close()} may still release the lock earlier; the mapping stays valid.
     */
    public MappedRegion map() throws IOException {
        return MappedRegion.map(this, channel, access, -1, true);
    }

    /** Sets the length to {@code size} (extending sparsely or truncating), then maps it like {@link #map()}. */
    public MappedRegion mapResized(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("region size must not be negative: " + size);
        }
        return MappedRegion.map(this, channel, access, size, true);
    }

    /**
     * Maps the file, first setting its length to {@code size} unless that is -1, without handing it over: closing
     * the mapping leaves the file open and locked, for an opener that keeps the lock across several mappings (a
     * follower between its sessions) and closes the file itself.
     */
    public MappedRegion mapKeepingLock(long size) throws IOException {
        if (size < -1) {
            throw new IllegalArgumentException("region size must not be negative: " + size);
        }
        return MappedRegion.map(this, channel, access, size, false);
    }

    /** Releases the lock and closes the file; once only, from any thread. A mapping made from it stays valid. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was written through the channel; the mapping holds its own reference
            }
            Ioctl.close(fd);
        }
    }
}
