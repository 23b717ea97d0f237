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
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
public final class TrustFile {
    private static final String SUFFIX = ".deltasync-trust";
    private static final byte[] MAGIC = "DSTRUST1".getBytes(StandardCharsets.US_ASCII);

    private TrustFile() {}

    static Path fileFor(Path region) {
        return region.resolveSibling(region.getFileName() + SUFFIX);
    }

    /** Records {@code trusted} for {@code region}, replacing any earlier record atomically. */
    public static void write(Path region, TrustedTable trusted) throws IOException {
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
        CheckedFile.write(fileFor(region), bytes.toByteArray(), table.algorithm());
    }

    /**
     * The table recorded for {@code region} with this hash and geometry, if there is one and it is
     * intact; it is trusted only while {@link TrustedTable#holdsFor} says so. A damaged or mismatching record is
     * empty (and left for the next pass to replace).
     */
    public static Optional<TrustedTable> read(Path region, HashAlgorithm hash, int chunkSize, long regionSize) {
        try {
            DigestTable like = DigestTable.create(hash, regionSize, chunkSize);
            return CheckedFile.read(fileFor(region), Tables.maxRecordBytes(like), hash).flatMap(in -> parse(in, like));
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

    /** Removes the record for {@code region}, if any: the table is no longer to be trusted. */
    public static void discard(Path region) {
        try {
            Files.deleteIfExists(fileFor(region));
        } catch (IOException e) {
            // a record that cannot be removed is still checked against the file's stamp before any use
        }
    }
}
