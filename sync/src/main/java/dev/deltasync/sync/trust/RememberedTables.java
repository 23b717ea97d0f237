package dev.deltasync.sync.trust;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.LineagePosition;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a pushing source remembers of its replicas (PROTOCOL.md §9.7): per replica (the server as dialled and the
 * region's name), the table the replica last acknowledged with equal roots and that table's lineage position, one
 * file each in a directory of its own. The next push offers that table's root; a replica that trusts exactly that
 * table answers TABLE_KNOWN and sends no digest table. Written after a stream ends, not fsynced (a lost record
 * costs one digest table on the wire), read back only when intact and its root, recomputed, still fits. At most
 * {@link #KEEP} records are kept: the least recently written go first.
 *
 * <p>Layout, big-endian: magic {@code DSMEMO01}, the table's geometry, lineage id (16 bytes) and epoch (i64), the
 * replica's name (u16 length + UTF-8), the table (root, digests), then a hash of everything before it.
 */
public final class RememberedTables {
    static final int KEEP = 64;
    private static final byte[] MAGIC = "DSMEMO01".getBytes(StandardCharsets.US_ASCII);

    private final Path dir;

    /** Records in {@code dir}, created when the first is written. */
    public RememberedTables(Path dir) {
        this.dir = dir;
    }

    /** A table a replica acknowledged, and where in its lineage. */
    public record Remembered(LineagePosition position, DigestTable table) {
        /** The root to offer, recomputed from the table itself. */
        public byte[] root() {
            return table.rootDigest();
        }
    }

    /** What is remembered of {@code replica} with this geometry, if anything intact is. */
    public Optional<Remembered> recall(String replica, HashAlgorithm hash, int chunkSize, long regionSize) {
        try {
            DigestTable like = DigestTable.create(hash, regionSize, chunkSize);
            return CheckedFile.read(fileFor(replica), Tables.maxRecordBytes(like) + 64 * 1024, hash)
                    .flatMap(in -> parse(in, replica, like));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Remembered> parse(ByteBuffer in, String replica, DigestTable like) {
        if (!Tables.geometryFits(in, MAGIC, like)) {
            return Optional.empty();
        }
        byte[] id = new byte[16];
        in.get(id);
        long epoch = in.getLong();
        byte[] name = new byte[in.getShort() & 0xffff];
        in.get(name);
        if (!new String(name, StandardCharsets.UTF_8).equals(replica)) {
            return Optional.empty();
        }
        LineagePosition position = new LineagePosition(id, epoch);
        return position.isNone() ? Optional.empty()
                : Tables.read(in, like).map(table -> new Remembered(position, table));
    }

    /** Remembers that {@code replica} acknowledged {@code table} at {@code position}, replacing what was before. */
    public void remember(String replica, LineagePosition position, DigestTable table) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Tables.writeGeometry(out, MAGIC, table);
            out.write(position.id());
            out.writeLong(position.epoch());
            byte[] name = replica.getBytes(StandardCharsets.UTF_8);
            out.writeShort(name.length);
            out.write(name);
            Tables.write(out, table);
        }
        Files.createDirectories(dir);
        CheckedFile.write(fileFor(replica), bytes.toByteArray(), table.algorithm());
        prune();
    }

    /** Forgets {@code replica}: its next push offers nothing. */
    public void forget(String replica) {
        try {
            Files.deleteIfExists(fileFor(replica));
        } catch (IOException e) {
            // a record that stays is still only offered; the replica decides
        }
    }

    private void prune() throws IOException {
        List<Path> records;
        try (Stream<Path> files = Files.list(dir)) {
            records = files.filter(p -> p.getFileName().toString().endsWith(".table"))
                    .sorted(Comparator.comparing(RememberedTables::modified).reversed()).toList();
        }
        for (Path old : records.subList(Math.min(KEEP, records.size()), records.size())) {
            Files.deleteIfExists(old);
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private Path fileFor(String replica) {
        try {
            byte[] key = MessageDigest.getInstance("SHA-256").digest(replica.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(key, 0, 16) + ".table");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
