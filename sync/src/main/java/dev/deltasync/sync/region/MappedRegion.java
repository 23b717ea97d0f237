package dev.deltasync.sync.region;

import dev.deltasync.hashing.KnownZeros;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A file mapped whole into memory as a {@link MemorySegment}.
 *
 * <p>The mapping belongs to a shared {@link Arena}, so it is unmapped the moment {@link #close()} runs,
 * not whenever the GC gets round to it, and it can be any size (a {@code MappedByteBuffer} stops at 2 GiB).
 * Sparse files map fine: untouched pages read as zeros and cost no disk.
 */
public final class MappedRegion implements AutoCloseable {
    /** msync wants a page-aligned start: 64 KiB is a multiple of every page size Linux uses for file mappings. */
    private static final long PAGE_ALIGNMENT = 65536;

    private final Path path;
    private final RegionAccess access;
    private final Arena arena;
    private final MemorySegment segment;
    /** The locked file this mapping was made from; null for an unlocked mapping. */
    private final RegionFile file;
    /** The file's holes, for a mapping made from a {@link RegionFile}; closed with the mapping. */
    private final KnownZeros zeros;
    /** True when closing the mapping releases {@link #file} too; false when its opener keeps it locked longer. */
    private final boolean ownsFile;
    /** Writes through the file rather than the mapping, for a writable mapping of a {@link RegionFile}; else null. */
    private final FileWrites writes;

    private MappedRegion(Path path, RegionAccess access, Arena arena, MemorySegment segment, RegionFile file,
                         boolean ownsFile) {
        this.path = path;
        this.access = access;
        this.arena = arena;
        this.segment = segment;
        this.file = file;
        this.zeros = file == null ? KnownZeros.NONE : Holes.of(file.fd());
        this.ownsFile = ownsFile;
        this.writes = file == null || access != RegionAccess.READ_WRITE ? null : FileWrites.of(file.fd());
    }

    /**
     * The size of the regular file at {@code path}, or -1 when it does not exist (yet): a replica's file is
     * created on first sync. A symlink, directory or device there is a {@link RegionFileException}.
     */
    public static long sizeIfExists(Path path) throws IOException {
        return RegionFile.sizeIfExists(path);
    }

    /**
     * Maps an existing file at its current size, without a lock: for a program's own use of a file (a test's
     * writer, a benchmark). Streams open their files through {@link RegionFile}, which locks them.
     */
    public static MappedRegion open(Path path, RegionAccess access) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "region file does not exist");
        }
        return map(path, access, Set.of(), -1);
    }

    /**
     * Maps a file for writing, creating it if missing and setting its length to {@code size}
     * (extending sparsely or truncating).
     */
    public static MappedRegion openResized(Path path, long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("region size must not be negative: " + size);
        }
        return map(path, RegionAccess.READ_WRITE, Set.of(StandardOpenOption.CREATE), size);
    }

    /**
     * Memory that the caller mapped and owns, such as an embedded application's segment, as a source region: it has
     * no file to check or sync ({@link #path()} is null) and {@link #close()} leaves it mapped.
     */
    public static MappedRegion borrow(MemorySegment segment) {
        return new MappedRegion(null, RegionAccess.READ_ONLY, null, segment, null, false);
    }

    private static MappedRegion map(Path path, RegionAccess access, Set<OpenOption> extra, long newSize)
            throws IOException {
        Set<OpenOption> options = new HashSet<>(access.openOptions());
        options.addAll(extra);
        try (FileChannel channel = FileChannel.open(path, options)) {
            return map(path, channel, access, newSize, null, false);
        }
    }

    /**
     * Maps {@code file}; with {@code takeOver} the mapping then owns it (see {@link RegionFile#map()}) and closes it
     * if that fails, without it the file stays its opener's, open and locked, either way. A file the open created is
     * removed when it cannot be mapped.
     */
    static MappedRegion map(RegionFile file, FileChannel channel, RegionAccess access, long newSize, boolean takeOver)
            throws IOException {
        try {
            return map(file.path(), channel, access, newSize, file, takeOver);
        } catch (IOException | RuntimeException e) {
            file.removeIfCreated();
            if (takeOver) {
                file.close();
            }
            throw e;
        }
    }

    private static MappedRegion map(Path path, FileChannel channel, RegionAccess access, long newSize,
                                    RegionFile file, boolean ownsFile) throws IOException {
        if (newSize >= 0 && channel.size() != newSize) {
            resize(channel, newSize);
        }
        long size = channel.size();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment segment = channel.map(access.mapMode(), 0, size, arena);
            return new MappedRegion(path, access, arena, segment, file, ownsFile);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static void resize(FileChannel channel, long size) throws IOException {
        if (channel.size() > size) {
            channel.truncate(size);
        } else {
            // Writing one byte at the end extends the file sparsely: no blocks for the hole.
            channel.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
        }
    }

    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return segment.byteSize();
    }

    /** The mapped file; null for {@linkplain #borrow borrowed} memory. */
    public Path path() {
        return path;
    }

    /**
     * Writes {@code data} into the region at {@code offset}: through the file ({@code pwrite}, see {@link FileWrites})
     * where the mapping came from a writable {@link RegionFile}, except a write that reaches the region's end, which
     * goes through the mapping like every write of other mappings. Why the end: a {@code pwrite} into a file someone
     * truncated grows it back, and one that reaches the end would restore the mapped size, so {@link #checkIntact}
     * would no longer see the truncation; a write that stops short leaves the file shorter (checkIntact sees it), and
     * through the mapping the end faults (SIGBUS, an {@link InternalError} the engines report).
     *
     * @throws IOException the file refused the write (a full disk: ENOSPC)
     */
    public void write(long offset, MemorySegment data) throws IOException {
        long length = data.byteSize();
        if (offset < 0 || length > size() - offset) {
            throw new IndexOutOfBoundsException("write of " + length + " bytes at " + offset + " outside the region of "
                    + size() + " bytes");
        }
        if (writes == null || offset + length == size()) {
            MemorySegment.copy(data, 0, segment, offset, length);
        } else {
            writes.write(offset, data, path.toString());
        }
    }

    /**
     * Calls {@code msync(MS_SYNC)} on the whole mapping. On a replica this makes written chunks durable. On a
     * source, whose file is opened read-only, Linux makes it a no-op (the mapping is not shared-writable), and
     * it needs none: the mapping shares the page cache, so other programs' writes are visible at once.
     */
    public void sync() throws IOException {
        sync(0, size());
    }

    /**
     * Calls {@code msync(MS_SYNC)} on the pages holding {@code [offset, offset + length)} only: a replica's
     * durability then costs what an epoch wrote, not the size of the mapping.
     */
    public void sync(long offset, long length) throws IOException {
        if (path == null) {
            return; // borrowed memory: its owner writes it in this process, and syncs its file if it has one
        }
        long start = offset & -PAGE_ALIGNMENT;
        Msync.sync(segment.asSlice(start, Math.min(size(), offset + length) - start), path.toString());
    }

    /**
     * Checks that the file is still there at the mapped size. Touching a page past the end of a
     * truncated file raises SIGBUS, so callers check before they scan or write and report a clear
     * error instead (the JVM turns a SIGBUS that still slips through into an {@link InternalError}).
     */
    public void checkIntact() throws IOException {
        if (path == null) {
            return; // borrowed memory: no file we know of
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "region file was removed while mapped");
        }
        long now = Files.size(path);
        if (now != size()) {
            throw new RegionResizedException("region file " + path + " changed size from " + size() + " to " + now
                    + " bytes while mapped");
        }
    }

    /**
     * What is known to read as zeros without reading it: the file's holes ({@code SEEK_DATA}/{@code SEEK_HOLE})
     * for a mapping opened through {@link RegionFile}, nothing for others. Valid until {@link #close()}.
     */
    public KnownZeros knownZeros() {
        return zeros;
    }

    /** True when this mapping (and its file's descriptor) may write the file. */
    public boolean writable() {
        return access == RegionAccess.READ_WRITE;
    }

    /** {@link RegionFile#noWriterBeforeOpen()} of the file this mapping was made from; empty without one. */
    public Optional<OpenWriters.NoneAt> noWriterBeforeOpen() {
        return Optional.ofNullable(file).flatMap(RegionFile::noWriterBeforeOpen);
    }

    /** Device and inode of the file this mapping was made from, when it was opened through {@link RegionFile}. */
    public Optional<FileIdentity> identity() {
        return Optional.ofNullable(file).map(RegionFile::identity);
    }

    /**
     * Unmaps the region now, and releases its file's lock if the mapping owns the file; the segment must not be
     * used afterwards.
     */
    @Override
    public void close() {
        // each step runs even when one before it throws (an arena still in use refuses to close): a leaked
        // descriptor or lock would outlive the mapping
        try {
            if (arena != null) {
                arena.close();
            }
        } finally {
            try {
                if (zeros instanceof Holes holes) {
                    holes.close();
                }
                if (writes != null) {
                    writes.close();
                }
            } finally {
                if (file != null && ownsFile) {
                    file.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "MappedRegion[" + path + ", " + size() + " bytes, " + access + "]";
    }
}
