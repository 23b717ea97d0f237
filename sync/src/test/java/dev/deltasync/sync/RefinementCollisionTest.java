package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.ChunkHasher;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.mux.MuxConfig;
import dev.deltasync.protocol.Constants;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review proof (lineage): page digests of the DEFAULT hash (xxh3-128) can be made to collide with 16 crafted bytes,
 * because XXH3's accumulators add data lanes linearly within a block. Two kinds of page collision:
 * <ul>
 *   <li>one that does not carry into the chunk digest (one lane in stripe 14 of the page's last block, one in the
 *   page's "last stripe", whose secret offset is 121 alone but 120 inside the chunk): the chunk differs, refinement
 *   never sends the page, and the replica never converges (whole chunks would converge in one epoch);</li>
 *   <li>one that carries (two stripes of one block): a patch that omits the page is VERIFIED with wrong bytes,
 *   contrary to PROTOCOL.md §9.9 "Why it cannot verify wrong bytes"; a whole-chunk sync carries the page.</li>
 * </ul>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RefinementCollisionTest extends LoopbackFixture {
    private static final int PAGE = Constants.PAGE_SIZE;
    private static final int CHUNK = 16384;
    /** XXH3's default secret (kSecret), as 24 little-endian longs. */
    private static final long[] SECRET = {-4734510112055689544L, 2066345149520216444L, -2623469361688619810L,
        2262974939099578482L, 8711581037947681227L, 2410270004345854594L, -8204357891075471176L,
        5487137525590930912L, -3818837453329782724L, -6688317018830679928L, 5690594596133299313L,
        -2833645246901970632L, 4554437623014685352L, 2111919702937427193L, 3556072174620004746L,
        7238261902898274248L, -4329134394285701654L, -1485321483350670907L, 5321830579834785047L,
        -7032137544937171245L, -242834301215959509L, -3588858202114426737L, 2883454493032893253L,
        9097354517224871855L};

    private static long secret(int offset) {
        ByteBuffer b = ByteBuffer.allocate(192).order(ByteOrder.LITTLE_ENDIAN);
        for (long s : SECRET) {
            b.putLong(s);
        }
        return b.getLong(offset);
    }

    /** A lane whose data XOR secret has low 32 bits 0: its product term is 0, it adds only itself to its neighbour. */
    private static void lane(byte[] bytes, int at, long high, long secretWord) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, (high << 32) | (secretWord & 0xffffffffL));
    }

    private static byte[] digest(byte[] bytes, int from, int length) {
        ChunkHasher hasher = HashAlgorithm.XXH3_128.newHasher();
        byte[] out = new byte[16];
        hasher.hash(MemorySegment.ofArray(bytes).asSlice(from, length), out, 0);
        return out;
    }

    private SyncOutcome push(Path source, Path replica) throws Exception {
        serve(new ExposedRegion("r", replica, false));
        return client.run(new SyncJob(Direction.PUSH, source, "r"),
                SyncOptions.defaults().withChunkSize(CHUNK).once(true), SyncListener.SILENT);
    }

    /** Page 1 of chunk 0 of two files that differ only there, with page digests equal and chunk digests not. */
    private void nonCarryingPair(Path source, Path replica) throws Exception {
        byte[] bytes = new byte[8 * CHUNK];
        new SplittableRandom(7).nextBytes(bytes);
        byte[] other = bytes.clone();
        int page = PAGE; // page 1 of chunk 0: not the chunk's last page
        lane(bytes, page + 3968, 5, secret(112));
        lane(bytes, page + 4032, 9, secret(121));
        lane(other, page + 3968, 6, secret(112));
        lane(other, page + 4032, 8, secret(121));
        assertFalse(Arrays.equals(bytes, other));
        assertArrayEquals(digest(bytes, page, PAGE), digest(other, page, PAGE), "page digests collide");
        assertFalse(Arrays.equals(digest(bytes, 0, CHUNK), digest(other, 0, CHUNK)), "chunk digests differ");
        Files.write(source, other);
        Files.write(replica, bytes);
    }

    @Test
    void aPageCollisionThatDoesNotCarryIntoTheChunkStillConverges() throws Exception {
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        nonCarryingPair(source, replica);
        SyncOutcome outcome;
        try {
            outcome = push(source, replica);
        } catch (SyncException e) {
            throw new AssertionError("refinement never sends the page, the replica never converges: " + e.getMessage(), e);
        }
        assertTrue(outcome.verified());
        assertEquals(-1, Files.mismatch(source, replica));
    }

    @Test
    void controlWholeChunksConvergeOnTheSamePair() throws Exception {
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        nonCarryingPair(source, replica);
        assertPullsWhole(source, replica);
    }

    /**
     * The replica holds A at page 1 of chunk 0; the source writes B there (B collides with A inside one block, so the
     * collision carries into the chunk) and also changes page 2. The chunk differs, so it is sent; refinement omits
     * page 1 and the roots match: VERIFIED with the replica still holding A.
     */
    @Test
    void aCarryingPageCollisionIsNeverVerifiedWithoutThePage() throws Exception {
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        carryingPair(source, replica);
        serve(new ExposedRegion("r", replica, false));
        SyncOutcome outcome = client.run(new SyncJob(Direction.PUSH, source, "r"),
                SyncOptions.defaults().withChunkSize(CHUNK).once(true), SyncListener.SILENT);
        assertTrue(outcome.verified(), "verified");
        assertEquals(-1, Files.mismatch(source, replica), "VERIFIED, yet the replica does not hold the source's bytes");
    }

    @Test
    void controlWholeChunksCarryTheCollidingPage() throws Exception {
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        carryingPair(source, replica);
        assertPullsWhole(source, replica);
    }

    /** A replica that does not list codec 4 pulls {@code source}: whole chunks only, verified and equal. */
    private void assertPullsWhole(Path source, Path replica) throws Exception {
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("r", source, true)),
                ServerOptions.defaults(), SyncListener.SILENT);
        client = SyncClient.connect("127.0.0.1", server.port(), Security.tuned(withoutPatches())); // the replica
        SyncOutcome outcome = client.run(new SyncJob(Direction.PULL, replica, "r"),
                SyncOptions.defaults().withChunkSize(CHUNK).once(true), SyncListener.SILENT);
        assertTrue(outcome.verified());
        assertEquals(-1, Files.mismatch(source, replica));
    }

    private void carryingPair(Path source, Path replica) throws Exception {
        byte[] bytes = new byte[8 * CHUNK];
        new SplittableRandom(8).nextBytes(bytes);
        byte[] other = bytes.clone();
        int page = PAGE;
        lane(bytes, page, 5, secret(0));
        lane(bytes, page + 64, 9, secret(8));
        lane(other, page, 6, secret(0));
        lane(other, page + 64, 8, secret(8));
        assertArrayEquals(digest(bytes, page, PAGE), digest(other, page, PAGE), "page digests collide");
        assertArrayEquals(digest(bytes, 0, CHUNK), digest(other, 0, CHUNK), "and so do the chunk digests");
        Files.write(replica, bytes);
        byte[] fresh = new byte[PAGE];
        new SplittableRandom(9).nextBytes(fresh);
        System.arraycopy(fresh, 0, other, 2 * PAGE, PAGE); // a second write in the same chunk: the chunk changed
        Files.write(source, other);
    }

    /**
     * CRCs are linear: a page difference that is a multiple of the polynomial (here the polynomial itself, 5 bytes)
     * is invisible to the page's CRC and to the chunk's alike, so on a crc32 stream every page collision carries.
     */
    @Test
    void aCrc32PageCollisionIsNeverVerifiedWithoutThePage() throws Exception {
        byte[] bytes = new byte[8 * CHUNK];
        new SplittableRandom(10).nextBytes(bytes);
        byte[] other = bytes.clone();
        long polynomial = 0x1DB710641L; // CRC-32's, reflected, with its x^32 term
        for (int i = 0; i < 5; i++) {
            other[PAGE + 100 + i] ^= (byte) (polynomial >>> (8 * i));
        }
        byte[] fresh = new byte[PAGE];
        new SplittableRandom(11).nextBytes(fresh);
        System.arraycopy(fresh, 0, other, 2 * PAGE, PAGE); // the chunk changed elsewhere too
        Path replica = Files.write(dir.resolve("replica.bin"), bytes);
        Path source = Files.write(dir.resolve("source.bin"), other);
        serve(new ExposedRegion("r", replica, false));
        SyncOptions crc32 = new SyncOptions(CHUNK, HashAlgorithm.CRC32, Compression.ZSTD_DEFAULT, Duration.ofSeconds(1),
                true, false, 1);
        SyncOutcome outcome = client.run(new SyncJob(Direction.PUSH, source, "r"), crc32, SyncListener.SILENT);
        assertTrue(outcome.verified(), "verified");
        assertEquals(-1, Files.mismatch(source, replica), "VERIFIED, yet the replica does not hold the source's bytes");
    }

    private static MuxConfig withoutPatches() {
        MuxConfig d = MuxConfig.defaults();
        return new MuxConfig(d.maxFramePayload(), d.maxStreams(), d.streamWindow(), d.connectionWindow(), d.hashIds(),
                new byte[] {Constants.CODEC_ZSTD, Constants.CODEC_ZERO, Constants.CODEC_RUN}, d.pingInterval(),
                d.idleTimeout(), d.handshakeTimeout(), d.maxQueuedFrames());
    }
}
