package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.sync.region.FileIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The digest table of a replica's last verified epoch, kept beside its file ({@code FILE.deltasync-table}) with the
 * {@link FileStamp} the file had when the epoch's bytes were flushed, so that the next sync need not hash a replica
 * it can trust (PROTOCOL.md §9.7). It is trusted only when everything still agrees: the state file says VERIFIED,
 * the table's own root equals the state's root (so it is the table that state verified), the geometry is the
 * stream's, and the file's identity, size and modification and change times (nanoseconds) are exactly those
 * recorded with it. It is written before each VERIFIED state whose table differs from the recorded one. Any write
 * into the file after the stamp moves its times (README, "Guarantees", says where that rests and where it does
 * not); anything else falls back to a full re-hash. Not on tmpfs or ramfs, where a writer that mapped the file
 * before can go on writing through its mapping without moving the times.
 *
 * <pre>
 * magic "DSTT" | format u8 = 1 | hash id u8 | chunk size u32 | region size u64 | epoch u64 | lineage 16 bytes
 * | device u64 | inode u64 | size u64 | mtime seconds u64, nanos u32 | ctime seconds u64, nanos u32 | digests
 * </pre>
 */
final class TrustedTable {
    private static final String SUFFIX = ".deltasync-table";
    private static final int MAGIC = 0x44535454; // "DSTT"
    private static final int FORMAT = 1;
    private static final int HEADER_BYTES = 4 + 1 + 1 + 4 + 8 + 8 + Lineage.BYTES + 8 + 8 + 8 + 12 + 12;
    /** File systems without writeback: a mapping made before the stamp may write on without moving the times. */
    private static final Set<String> UNTRUSTED_FILE_SYSTEMS = Set.of("tmpfs", "ramfs", "hugetlbfs");

    private TrustedTable() {}

    static Path fileFor(Path region) {
        return region.resolveSibling(region.getFileName() + SUFFIX);
    }

    /**
     * Records {@code table} as the one the file had at {@code stamp}, the state of {@code epoch}; replaced like the
     * state file (fresh temporary, fsync, rename, directory fsync), so a crash leaves the old one or the new one.
     */
    static void write(Path region, DigestTable table, FileStamp stamp, long epoch, Optional<Lineage> lineage)
            throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putInt(MAGIC).put((byte) FORMAT).put((byte) table.algorithm().wireId()).putInt(table.chunkSize())
                .putLong(table.regionSize()).putLong(epoch).put(lineage.map(Lineage::bytes).orElse(new byte[Lineage.BYTES]))
                .putLong(stamp.file().device()).putLong(stamp.file().inode()).putLong(stamp.size());
        putTime(header, stamp.modified());
        putTime(header, stamp.changed());
        byte[] digests = new byte[table.chunkCount() * table.digestLength()];
        table.readRange(0, table.chunkCount(), digests, 0);
        header.flip();
        AtomicFiles.replace(fileFor(region), Arrays.copyOf(header.array(), header.limit()), digests);
    }

    /** Removes the recorded table, if any: nothing may trust it any more. */
    static void discard(Path region) throws IOException {
        Files.deleteIfExists(fileFor(region));
    }

    /**
     * The recorded table, if it can be trusted for a stream of {@code parameters} on a file that is now at
     * {@code now} and whose state is {@code state}; empty in every other case.
     */
    static Optional<DigestTable> load(Path region, Optional<ReplicaState> state, StreamParameters parameters,
                                      FileStamp now) {
        if (state.isEmpty() || state.get().phase() != ReplicaState.Phase.VERIFIED || !onTrustedFileSystem(region)) {
            return Optional.empty();
        }
        ReplicaState verified = state.get();
        if (verified.hash() != parameters.hash() || verified.chunkSize() != parameters.chunkSize()
                || verified.regionSize() != parameters.regionSize()) {
            return Optional.empty();
        }
        DigestTable table = parameters.newTable();
        ByteBuffer bytes;
        try (FileChannel channel = FileChannel.open(fileFor(region), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long expected = HEADER_BYTES + (long) table.chunkCount() * table.digestLength();
            if (channel.size() != expected) {
                return Optional.empty();
            }
            bytes = ByteBuffer.allocate((int) expected);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // fill
            }
        } catch (IOException e) { // missing, a symlink, unreadable: nothing to trust
            return Optional.empty();
        }
        bytes.flip();
        // The epoch and lineage are the recording's, for reading; they need not be the state's: an epoch that
        // changed nothing leaves the table as it was, and equal roots say it is the table the state verified.
        boolean same = bytes.getInt() == MAGIC && bytes.get() == FORMAT && bytes.get() == (byte) parameters.hash().wireId()
                && bytes.getInt() == parameters.chunkSize() && bytes.getLong() == parameters.regionSize()
                && bytes.getLong() >= 0 && next(bytes, Lineage.BYTES).length == Lineage.BYTES
                && new FileStamp(new FileIdentity(bytes.getLong(), bytes.getLong()), bytes.getLong(), getTime(bytes),
                        getTime(bytes)).equals(now);
        if (!same) {
            return Optional.empty();
        }
        byte[] digests = next(bytes, bytes.remaining());
        table.writeRange(0, table.chunkCount(), digests, 0);
        return Arrays.equals(table.rootDigest(), verified.root()) ? Optional.of(table) : Optional.empty();
    }

    private static boolean onTrustedFileSystem(Path region) {
        try {
            FileStore store = Files.getFileStore(region);
            return !UNTRUSTED_FILE_SYSTEMS.contains(store.type());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] next(ByteBuffer bytes, int count) {
        byte[] out = new byte[count];
        bytes.get(out);
        return out;
    }

    private static void putTime(ByteBuffer out, FileTime time) {
        Instant instant = time.toInstant();
        out.putLong(instant.getEpochSecond()).putInt(instant.getNano());
    }

    private static FileTime getTime(ByteBuffer in) {
        long seconds = in.getLong();
        return FileTime.from(Instant.ofEpochSecond(seconds, in.getInt()));
    }
}
