package dev.deltasync.sync.trust;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.region.FileIdentity;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
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
    private static final SecureRandom RANDOM = new SecureRandom();

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
            out.write(MAGIC);
            out.writeByte(table.algorithm().wireId());
            out.writeInt(table.chunkSize());
            out.writeLong(table.regionSize());
            for (long field : new long[] {stamp.file().device(), stamp.file().inode(), stamp.size(),
                    stamp.modifiedNanos(), stamp.changedNanos(), stamp.fileSystem()}) {
                out.writeLong(field);
            }
            byte[] boot = stamp.bootId().getBytes(StandardCharsets.US_ASCII);
            out.writeByte(boot.length);
            out.write(boot);
            byte[] root = table.rootDigest();
            out.writeByte(root.length);
            out.write(root);
            byte[] digests = new byte[table.chunkCount() * table.digestLength()];
            table.readRange(0, table.chunkCount(), digests, 0);
            out.write(digests);
        }
        byte[] body = bytes.toByteArray();
        Path target = fileFor(region);
        Path temporary = target.resolveSibling(target.getFileName() + "." + Long.toHexString(RANDOM.nextLong())
                + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                channel.write(ByteBuffer.wrap(body));
                channel.write(ByteBuffer.wrap(check(table.algorithm(), body, body.length)));
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    /**
     * The table recorded for {@code region} with this hash and geometry, if there is one and it is
     * intact; it is trusted only while {@link TrustedTable#holdsFor} says so. A damaged or mismatching record is
     * empty (and left for the next pass to replace).
     */
    public static Optional<TrustedTable> read(Path region, HashAlgorithm hash, int chunkSize, long regionSize) {
        byte[] file;
        try {
            Path path = fileFor(region);
            long chunks = regionSize / chunkSize + (regionSize % chunkSize == 0 ? 0 : 1);
            if (Files.size(path) > 512 + (chunks + 2) * hash.digestLength()) {
                return Optional.empty();
            }
            file = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            return parse(file, DigestTable.create(hash, regionSize, chunkSize));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Parses {@code file} into {@code like}, a fresh table of the geometry asked for. */
    private static Optional<TrustedTable> parse(byte[] file, DigestTable like) {
        HashAlgorithm hash = like.algorithm();
        int checkAt = file.length - hash.digestLength();
        if (checkAt < MAGIC.length || !Arrays.equals(check(hash, file, checkAt), 0, hash.digestLength(),
                file, checkAt, file.length)) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(file, 0, checkAt);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC) || (in.get() & 0xff) != hash.wireId() || in.getInt() != like.chunkSize()
                || in.getLong() != like.regionSize()) {
            return Optional.empty();
        }
        FileIdentity identity = new FileIdentity(in.getLong(), in.getLong());
        long size = in.getLong();
        long modified = in.getLong();
        long changed = in.getLong();
        long fileSystem = in.getLong();
        byte[] boot = new byte[in.get() & 0xff];
        in.get(boot);
        byte[] root = new byte[in.get() & 0xff];
        in.get(root);
        byte[] digests = new byte[like.chunkCount() * like.digestLength()];
        in.get(digests);
        if (in.hasRemaining()) {
            return Optional.empty();
        }
        DigestTable table = like;
        table.writeRange(0, table.chunkCount(), digests, 0);
        if (!Arrays.equals(table.rootDigest(), root)) {
            return Optional.empty();
        }
        TrustStamp stamp = new TrustStamp(identity, size, modified, changed, fileSystem,
                new String(boot, StandardCharsets.US_ASCII));
        return Optional.of(new TrustedTable(table, stamp));
    }

    /** Removes the record for {@code region}, if any: the table is no longer to be trusted. */
    public static void discard(Path region) {
        try {
            Files.deleteIfExists(fileFor(region));
        } catch (IOException e) {
            // a record that cannot be removed is still checked against the file's stamp before any use
        }
    }

    private static byte[] check(HashAlgorithm hash, byte[] bytes, int length) {
        byte[] out = new byte[hash.digestLength()];
        hash.newHasher().hash(MemorySegment.ofArray(bytes).asSlice(0, length), out, 0);
        return out;
    }
}
