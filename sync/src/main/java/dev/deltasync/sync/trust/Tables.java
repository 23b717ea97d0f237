package dev.deltasync.sync.trust;

import dev.deltasync.hashing.DigestTable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * A digest table in a record: a magic and the table's geometry (hash id u8, chunk size i32, region size i64)
 * first; its root (u8 length + bytes) and digests last, ending the record. Reading recomputes the root from the
 * digests: a stored root proves nothing about a damaged table.
 */
final class Tables {
    private Tables() {}

    static void writeGeometry(DataOutputStream out, byte[] magic, DigestTable table) throws IOException {
        out.write(magic);
        out.writeByte(table.algorithm().wireId());
        out.writeInt(table.chunkSize());
        out.writeLong(table.regionSize());
    }

    /** True when {@code in} starts with {@code magic} and the geometry of {@code like}. */
    static boolean geometryFits(ByteBuffer in, byte[] magic, DigestTable like) {
        byte[] found = new byte[magic.length];
        in.get(found);
        return Arrays.equals(found, magic) && (in.get() & 0xff) == like.algorithm().wireId()
                && in.getInt() == like.chunkSize() && in.getLong() == like.regionSize();
    }

    /** An upper bound on a record holding a table of this geometry: its digests and room for the rest. */
    static long maxRecordBytes(DigestTable like) {
        return 1024 + (like.chunkCount() + 2L) * like.digestLength();
    }

    static void write(DataOutputStream out, DigestTable table) throws IOException {
        byte[] root = table.rootDigest();
        out.writeByte(root.length);
        out.write(root);
        byte[] digests = new byte[table.chunkCount() * table.digestLength()];
        table.readRange(0, table.chunkCount(), digests, 0);
        out.write(digests);
    }

    /** Fills {@code into} (of the geometry expected) from the rest of {@code in}; empty unless it fits exactly. */
    static Optional<DigestTable> read(ByteBuffer in, DigestTable into) {
        byte[] root = new byte[in.get() & 0xff];
        in.get(root);
        byte[] digests = new byte[into.chunkCount() * into.digestLength()];
        in.get(digests);
        if (in.hasRemaining()) {
            return Optional.empty();
        }
        into.writeRange(0, into.chunkCount(), digests, 0);
        return Arrays.equals(into.rootDigest(), root) ? Optional.of(into) : Optional.empty();
    }
}
