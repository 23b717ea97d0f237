package dev.deltasync.sync.region;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code pwrite(2)} into a mapped file, on a descriptor of its own: opened through {@code /proc/self/fd/N} of the
 * region's locked descriptor (the same inode whatever the name says now), closed only with the mapping, so a
 * descriptor number reused by another file is never written. Why not the mapping: the first write to each page of a
 * new file through a mapping is a page fault, and a fresh 1 GiB replica cost 1.6 kernel CPU s that way, against
 * 0.35 s for {@code pwrite} of the same bytes in 128 KiB writes. The page cache is the mapping's, so the bytes are
 * in the mapping the moment the call returns, and msync of the range makes them durable like bytes written through
 * it. Bytes on the Java heap go through a native buffer of its own (the call may block on writeback, so it is not a
 * critical downcall that could take heap memory directly).
 */
final class FileWrites implements AutoCloseable {
    private static final int O_WRONLY_CLOEXEC = 1 | 02000000;
    private static final int EINTR = 4;
    /** The native buffer heap bytes are staged in: one run of chunks fits. */
    private static final long STAGING = 256 * 1024;

    private static final MethodHandle PWRITE = Libc.downcall("pwrite", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    /** Writes share nothing but the staging buffer and the descriptor; close takes the lock too. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
    private MemorySegment staging;
    private int fd;

    private FileWrites(int fd) {
        this.fd = fd;
    }

    /** A descriptor of its own for writing the file open as {@code fd}; null when none opens (then map writes). */
    static FileWrites of(int fd) {
        int own = Libc.reopen(fd, O_WRONLY_CLOEXEC);
        return own < 0 ? null : new FileWrites(own);
    }

    /**
     * Writes all of {@code data} at {@code offset}.
     *
     * @param what names the file in the error message
     * @throws IOException naming errno and {@code what} (ENOSPC for a full disk, EBADF once closed)
     */
    void write(long offset, MemorySegment data, String what) throws IOException {
        lock.lock();
        try {
            if (data.isNative()) {
                writeFully(offset, data, what);
                return;
            }
            if (staging == null) {
                staging = arena.allocate(STAGING, 4096);
            }
            for (long at = 0; at < data.byteSize(); at += STAGING) {
                long n = Math.min(STAGING, data.byteSize() - at);
                MemorySegment.copy(data, at, staging, 0, n);
                writeFully(offset + at, staging.asSlice(0, n), what);
            }
        } finally {
            lock.unlock();
        }
    }

    private void writeFully(long offset, MemorySegment data, String what) throws IOException {
        long done = 0;
        while (done < data.byteSize()) {
            if (fd < 0) {
                throw new IOException("cannot write " + what + ": " + Errno.describe(Errno.EBADF));
            }
            long n;
            try {
                n = (long) PWRITE.invokeExact(capture, fd, data.asSlice(done), data.byteSize() - done, offset + done);
            } catch (Throwable t) {
                throw new IllegalStateException("pwrite downcall failed for " + what, t);
            }
            if (n < 0) {
                int errno = Libc.errno(capture);
                if (errno == EINTR) {
                    continue;
                }
                throw new IOException("cannot write " + what + ": " + Errno.describe(errno));
            }
            if (n == 0) { // a regular file takes at least one byte of a non-empty write; never loop on nothing
                throw new IOException("cannot write " + what + ": the file took no bytes at offset " + (offset + done));
            }
            done += n;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (fd >= 0) {
                Ioctl.close(fd);
            }
        } finally {
            fd = -1;
            arena.close();
            lock.unlock();
        }
    }
}
