package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.SeededXxh3_128;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.ChunkPatch;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.PageDigests;
import dev.deltasync.protocol.Refine;
import dev.deltasync.protocol.Reset;
import dev.deltasync.sync.refine.Pages;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Refinement (REFINE, PAGE_DIGESTS, codec 4; PROTOCOL.md §9.9) against a real server, both roles: as a replica it
 * answers REFINE with its pages' digests and applies patches, and refuses a bad REFINE or patch with a RESET before
 * a byte is written; as a source it asks a replica that lists codec 4, sends only the differing pages, ends the stream
 * on a wrong answer, and sends whole chunks to a replica that does not list codec 4.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PatchChunkTest extends ServerFixture {
    private static final int BIG = 4 * CHUNK; // target: 4 chunks of 4 pages, then one of 1000 bytes
    private static final int PAGE = Constants.PAGE_SIZE;

    private PushStream openBigPush() throws Exception {
        RawPeer peer = connect();
        peer.handshake();
        return openPush(peer, 1, "target", targetOriginal, BIG);
    }

    @Test
    void aReplicaAnswersRefineWithItsPagesAndAppliesAPatch() throws Exception {
        PushStream s = openBigPush();
        s.peer().send(new Refine(1, 1, 77, new int[] {0, 4}));
        PageDigests first = s.peer().readUntil(PageDigests.class);
        PageDigests last = s.peer().readUntil(PageDigests.class);
        var hasher = new SeededXxh3_128(77); // the REFINE's seed, whatever the stream hash (§9.9)
        assertEquals(0, first.index());
        assertEquals(SeededXxh3_128.DIGEST_LENGTH, first.digestLength());
        assertArrayEquals(Pages.digests(MemorySegment.ofArray(s.chunk(0)), hasher), first.digests());
        assertEquals(4, first.count(), "four pages");
        assertEquals(4, last.index());
        assertEquals(1, last.count(), "the 1000-byte last chunk is one short page");

        byte[] updated = targetOriginal.clone();
        System.arraycopy(randomBytes(PAGE), 0, updated, 2 * PAGE, PAGE);
        Arrays.fill(updated, 3 * PAGE, 4 * PAGE, (byte) 0);
        byte[] patch = new ChunkPatch.Builder(Arrays.copyOf(updated, BIG)).add(2).add(3).build();
        byte[] root = tableOf(updated, BIG).rootDigest();
        s.peer().send(new Chunk(1, 1, 0, Constants.CODEC_PATCH, BIG, patch), new EpochEnd(1, 1, 1, root));
        assertArrayEquals(root, s.peer().readUntil(EpochAck.class).root(), "the replica hashed the patched chunk");
        assertArrayEquals(updated, Files.readAllBytes(target));
    }

    @Test
    void aPatchBuiltOnWrongPagesNeverVerifies() throws Exception {
        PushStream s = openBigPush();
        byte[] intended = targetOriginal.clone();
        System.arraycopy(randomBytes(2 * PAGE), 0, intended, PAGE, 2 * PAGE); // pages 1 and 2 of chunk 0 change
        byte[] patch = new ChunkPatch.Builder(Arrays.copyOf(intended, BIG)).add(2).build(); // page 1 left out
        byte[] root = tableOf(intended, BIG).rootDigest();
        s.peer().send(new Chunk(1, 1, 0, Constants.CODEC_PATCH, BIG, patch), new EpochEnd(1, 1, 1, root));
        EpochAck ack = s.peer().readUntil(EpochAck.class);
        assertTrue(!Arrays.equals(root, ack.root()), "the replica's root is of what it holds: not the intended bytes");
        Digests resent = s.peer().readUntil(Digests.class);
        assertEquals(0, resent.firstIndex(), "a mismatch: the replica re-hashes and sends its whole table (§9.4)");
    }

    @Test
    void aRefineIndexOutOfRangeIsRefusedWithoutAnAnswer() throws Exception {
        PushStream s = openBigPush();
        s.peer().send(new Refine(1, 1, 77, new int[] {1, 5}));
        assertRefused(s, ErrorCode.PROTOCOL_ERROR, "out of range");
    }

    @Test
    void pageDigestsSentToAReplicaAreRefused() throws Exception {
        PushStream s = openBigPush();
        s.peer().send(new PageDigests(1, 1, 0, HASH.digestLength(), new byte[4 * HASH.digestLength()]));
        assertRefused(s, ErrorCode.PROTOCOL_ERROR, "PageDigests");
    }

    @Test
    void aRefineForAnotherEpochIsRefused() throws Exception {
        PushStream s = openBigPush();
        s.peer().send(new Refine(1, 2, 77, new int[] {0}));
        assertRefused(s, ErrorCode.PROTOCOL_ERROR, "epoch");
    }

    @Test
    void aMalformedPatchIsRefusedBeforeAByteIsWritten() throws Exception {
        PushStream s = openBigPush();
        // chunk 0, codec 4, rawLength 16384 (4 pages): page 1 marked zero but not sent, then 4096 bytes for page 0
        byte[] header = HexFormat.of().parseHex("13000000000100001013" + "0000000000000001" + "00000000"
                + "04" + "00004000" + "80" + "40");
        byte[] frame = Arrays.copyOf(header, header.length + PAGE);
        s.peer().sendRaw(frame);
        assertRefused(s, ErrorCode.PROTOCOL_ERROR, "zero but does not send");
    }

    @Test
    void aPatchOfAnotherLengthThanItsChunkIsRefused() throws Exception {
        PushStream s = openBigPush();
        byte[] page = randomBytes(PAGE);
        s.peer().send(new Chunk(1, 1, 0, Constants.CODEC_PATCH, PAGE, new ChunkPatch.Builder(page).add(0).build()));
        assertRefused(s, ErrorCode.PROTOCOL_ERROR, "declares");
    }

    private void assertRefused(PushStream s, ErrorCode code, String why) throws Exception {
        Frame frame;
        do {
            frame = s.peer().read();
            assertTrue(!(frame instanceof PageDigests), "no answer to a bad REFINE: " + frame);
        } while (frame != null && !(frame instanceof Reset reset && reset.streamId() == s.id()));
        Reset reset = (Reset) frame;
        assertEquals(code.code(), reset.code(), reset.toString());
        assertTrue(reset.reason().contains(why), reset.reason());
        s.peer().expectAlive(77, 0);
        assertUntouchedAndHealthy();
    }

    // The server as the source: "ro" is 3 random pages, one chunk of 12288 bytes at chunk size 16384.

    @Test
    void aSourceSendsAReplicaThatListsPatchesOnlyTheDifferingPages() throws Exception {
        byte[] held = readOnlyOriginal.clone();
        System.arraycopy(randomBytes(100), 0, held, PAGE + 7, 100); // the replica's page 1 differs
        RawPeer peer = pull(Hello.defaults().codecIds(), held);
        Refine refine = peer.readUntil(Refine.class);
        assertEquals(1, refine.epoch());
        assertArrayEquals(new int[] {0}, refine.indices());
        // With the REFINE's seed: a source hashing its pages with any other would find all three differ.
        peer.send(new PageDigests(1, 1, 0, SeededXxh3_128.DIGEST_LENGTH, Pages.digests(MemorySegment.ofArray(held),
                new SeededXxh3_128(refine.seed()))));
        Chunk chunk = peer.readUntil(Chunk.class);
        assertEquals(Constants.CODEC_PATCH, chunk.codec());
        byte[] patched = held.clone();
        Pages.apply(chunk, MemorySegment.ofArray(patched));
        assertArrayEquals(readOnlyOriginal, patched, "the patch makes the replica's chunk the source's");
        assertEquals(2 + PAGE, chunk.data().length, "bitmaps and page 1, nothing else");
        EpochEnd end = peer.readUntil(EpochEnd.class);
        assertEquals(1, end.chunkCount());
        assertArrayEquals(tableOf(readOnlyOriginal, BIG).rootDigest(), end.root());
    }

    @Test
    void aSourceSendsWholeChunksToAReplicaThatDoesNotListPatches() throws Exception {
        byte[] held = readOnlyOriginal.clone();
        held[PAGE + 7] ^= 1;
        RawPeer peer = pull(new byte[] {Constants.CODEC_ZSTD, Constants.CODEC_ZERO, Constants.CODEC_RUN}, held);
        Frame frame;
        do {
            frame = peer.read();
            assertTrue(!(frame instanceof Refine), "no REFINE to a replica that does not answer it");
        } while (!(frame instanceof Chunk));
        assertArrayEquals(readOnlyOriginal, ((Chunk) frame).data(), "the whole chunk, raw");
    }

    @Test
    void aWrongAnswerToRefineEndsTheStream() throws Exception {
        byte[] held = readOnlyOriginal.clone();
        held[0] ^= 1;
        RawPeer peer = pull(Hello.defaults().codecIds(), held);
        peer.readUntil(Refine.class);
        peer.send(new PageDigests(1, 1, 0, SeededXxh3_128.DIGEST_LENGTH, new byte[2 * SeededXxh3_128.DIGEST_LENGTH])); // 2 of 3
        Reset reset = peer.expectReset(1, ErrorCode.PROTOCOL_ERROR);
        assertTrue(reset.reason().contains("PAGE_DIGESTS"), reset.reason());
        peer.expectAlive(78, 0);
        assertUntouchedAndHealthy();
    }

    private RawPeer pull(byte[] codecIds, byte[] held) throws Exception {
        return pullReadOnly(codecIds, held, BIG);
    }
}
