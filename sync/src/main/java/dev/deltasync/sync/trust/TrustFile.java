package dev.deltasync.sync.trust;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.region.FileIdentity;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A trusted table kept beside its replica ({@code <region>.deltasync-trust}), for the next process that syncs it.
 * Written after a stream, never on the way to an EPOCH_ACK, and not fsynced: a crash changes the boot id, which
 * the stamp carries, so a table that could have outlived a lost time update is never trusted again anyway.
 *
 * <p>Layout, big-endian: magic {@code DSTRUST1}; hash id u8, chunk size i32, region size i64; the stamp (device,
 * inode, size, modification and change nanoseconds, file system type: i64 each; boot id: u8 length + ASCII); root:
 * u8 length + bytes; the digests; then the hash of everything before it. Reading recomputes both the table's root
 * and that final hash: a damaged file, or a stored root that no longer fits its table, is refused.
 *
 * <p>A discarded record is replaced by a tombstone (magic {@code DSTRUST-}, random bytes, their hash), never
 * removed: a pass writes its record only if the record is still the one it saw when it began
 * ({@link #writeIfUnchanged}), and a removal would let a pass that began before it, on a file now known to differ,
 * see "no record" again and write its table back. Every change is made under a lock on
 * {@code <region>.deltasync-trust.lock}, shared by the processes syncing the file and {@code status --verify}.
 */
public final class TrustFile {
    private static final String SUFFIX = ".deltasync-trust";
    private static final byte[] MAGIC = "DSTRUST1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCARDED = "DSTRUST-".getBytes(StandardCharsets.US_ASCII);
    /** The record's last bytes, its final hash among them: two different records never end alike. */
    private static final int TAIL_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The lock file's POSIX lock belongs to the process: one holder at a time within it. */
    private static final Object IN_PROCESS = new Object();

    private TrustFile() {}

    static Path fileFor(Path region) {
        return region.resolveSibling(region.getFileName() + SUFFIX);
    }

    /**
     * What the record for {@code region} is now (its last bytes; none), to be passed to {@link #writeIfUnchanged}
     * by a pass that begins now. An unreadable record is a version no later one equals.
     */
    public static Version version(Path region) {
        return versionAt(fileFor(region));
    }

    /** {@link #version} of the record at {@code record}. */
    static Version versionAt(Path record) {
        try (FileChannel channel = FileChannel.open(record, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, TAIL_BYTES));
            while (tail.hasRemaining() && channel.read(tail, size - tail.capacity() + tail.position()) > 0) {
                // read on
            }
            return new Version(HexFormat.of().formatHex(tail.array(), 0, tail.position()));
        } catch (NoSuchFileException e) {
            return new Version("");
        } catch (IOException e) {
            return new Version("unreadable " + Long.toHexString(RANDOM.nextLong()));
        }
    }

    /**
     * Records {@code trusted} for {@code region} only if the record is still {@code seen}, as it was when the pass
     * that made the table began: a discard or another record meanwhile wins. True when it was written.
     */
    public static boolean writeIfUnchanged(Path region, Version seen, TrustedTable trusted) throws IOException {
        return writeIfUnchangedAt(fileFor(region), seen, trusted);
    }

    /** {@link #writeIfUnchanged} of the record at {@code record}. */
    static boolean writeIfUnchangedAt(Path record, Version seen, TrustedTable trusted) throws IOException {
        synchronized (IN_PROCESS) {
            try (FileChannel lock = lock(record)) {
                if (!versionAt(record).equals(seen)) {
                    return false;
                }
                writeAt(record, trusted);
                return true;
            }
        }
    }

    /** Records {@code trusted} for {@code region}, replacing any earlier record atomically (no check). */
    public static void write(Path region, TrustedTable trusted) throws IOException {
        writeAt(fileFor(region), trusted);
    }

    private static void writeAt(Path record, TrustedTable trusted) throws IOException {
        DigestTable table = trusted.table();
        TrustStamp stamp = trusted.stamp();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Tables.writeGeometry(out, MAGIC, table);
            for (long field : new long[] {stamp.file().device(), stamp.file().inode(), stamp.size(),
                    stamp.modifiedNanos(), stamp.changedNanos(), stamp.fileSystem()}) {
                out.writeLong(field);
            }
            byte[] boot = stamp.bootId().getBytes(StandardCharsets.US_ASCII);
            out.writeByte(boot.length);
            out.write(boot);
            Tables.write(out, table);
        }
        CheckedFile.write(record, bytes.toByteArray(), table.algorithm());
    }

    /**
     * The table recorded for {@code region} with this hash and geometry, if there is one and it is
     * intact; it is trusted only while {@link TrustedTable#holdsFor} says so. A damaged or mismatching record is
     * empty (and left for the next pass to replace).
     */
    public static Optional<TrustedTable> read(Path region, HashAlgorithm hash, int chunkSize, long regionSize) {
        return readAt(fileFor(region), hash, chunkSize, regionSize);
    }

    /** {@link #read} of the record at {@code record}. */
    static Optional<TrustedTable> readAt(Path record, HashAlgorithm hash, int chunkSize, long regionSize) {
        try {
            DigestTable like = DigestTable.create(hash, regionSize, chunkSize);
            return CheckedFile.read(record, Tables.maxRecordBytes(like), hash).flatMap(in -> parse(in, like));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Parses a record's body into {@code like}, a fresh table of the geometry asked for. */
    private static Optional<TrustedTable> parse(ByteBuffer in, DigestTable like) {
        if (!Tables.geometryFits(in, MAGIC, like)) {
            return Optional.empty();
        }
        FileIdentity identity = new FileIdentity(in.getLong(), in.getLong());
        long size = in.getLong();
        long modified = in.getLong();
        long changed = in.getLong();
        long fileSystem = in.getLong();
        byte[] boot = new byte[in.get() & 0xff];
        in.get(boot);
        TrustStamp stamp = new TrustStamp(identity, size, modified, changed, fileSystem,
                new String(boot, StandardCharsets.US_ASCII));
        return Tables.read(in, like).map(table -> new TrustedTable(table, stamp));
    }

    /**
     * Replaces the record for {@code region}, if any or none, by a tombstone: no table is trusted, and no pass that
     * began before now records its table.
     */
    public static void discard(Path region) throws IOException {
        discardAt(fileFor(region));
    }

    /** {@link #discard} of the record at {@code record}. */
    static void discardAt(Path record) throws IOException {
        byte[] body = new byte[DISCARDED.length + 16];
        System.arraycopy(DISCARDED, 0, body, 0, DISCARDED.length);
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, body, DISCARDED.length, nonce.length);
        synchronized (IN_PROCESS) {
            try (FileChannel lock = lock(record)) {
                CheckedFile.write(record, body, HashAlgorithm.XXH3_128);
            }
        }
    }

    /**
     * The lock every change of the record is made under, held until the channel returned is closed (its file is
     * created once and left beside the record).
     */
    private static FileChannel lock(Path record) throws IOException {
        Path file = record.resolveSibling(record.getFileName() + ".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
            channel.lock();
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The record as a pass saw it when it began (its last bytes in hex; empty for none). */
    public record Version(String tail) {}
}
