package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.Reset;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs (codec 3, PROTOCOL.md §4.9) against a real server: a replica applies a run as its chunks and refuses one that
 * does not cover whole chunks inside the region; a source sends runs only to a replica whose HELLO lists them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunChunkTest extends ServerFixture {
    private static final int LAST = 16; // target: 16 chunks of 4096 bytes, then one of 1000

    @Test
    void aRunIsAppliedAsTheChunksItCovers() throws Exception {
        PushStream s = openPush();
        byte[] updated = targetOriginal.clone();
        byte[] run = randomBytes(TARGET_SIZE - 3 * CHUNK); // chunks 3..16, the short last one included
        System.arraycopy(run, 0, updated, 3 * CHUNK, run.length);
        byte[] root = tableOf(updated).rootDigest();
        s.peer().send(Chunk.run(1, 1, 3, run), new EpochEnd(1, 1, 1, root));
        EpochAck ack = s.peer().readUntil(EpochAck.class);
        assertArrayEquals(root, ack.root(), "the replica hashed every chunk of the run");
        assertArrayEquals(updated, Files.readAllBytes(target));
    }

    @Test
    void aRunThatEndsInsideAChunkIsRefused() throws Exception {
        PushStream s = openPush();
        s.peer().send(Chunk.run(1, 1, 0, randomBytes(2 * CHUNK + 100)));
        assertRefused(s, "chunk boundary");
    }

    @Test
    void aRunPastTheRegionsEndIsRefused() throws Exception {
        PushStream s = openPush();
        s.peer().send(Chunk.run(1, 1, LAST - 1, randomBytes(2 * CHUNK))); // chunk 16 has 1000 bytes, not 4096
        assertRefused(s, "chunk boundary");
    }

    @Test
    void aRunFromAnIndexOutOfRangeIsRefused() throws Exception {
        PushStream s = openPush();
        s.peer().send(Chunk.run(1, 1, LAST + 1, randomBytes(CHUNK)));
        assertRefused(s, "out of range");
    }

    private void assertRefused(PushStream s, String why) throws Exception {
        Reset reset = s.peer().expectReset(s.id(), ErrorCode.PROTOCOL_ERROR);
        assertTrue(reset.reason().contains(why), reset.reason());
        s.peer().expectAlive(77, 0);
        assertUntouchedAndHealthy();
    }

    @Test
    void aSourceSendsConsecutiveChunksAsOneRunToAReplicaThatListsRuns() throws Exception {
        List<Chunk> chunks = pullEverything(Hello.defaults().codecIds());
        assertEquals(1, chunks.size(), "three consecutive chunks in one frame: " + chunks);
        assertEquals(Constants.CODEC_RUN, chunks.getFirst().codec());
        assertEquals(0, chunks.getFirst().index());
        assertArrayEquals(readOnlyOriginal, chunks.getFirst().data());
    }

    @Test
    void aReplicaThatDoesNotListRunsGetsOneFramePerChunk() throws Exception {
        List<Chunk> chunks = pullEverything(new byte[] {Constants.CODEC_ZSTD, Constants.CODEC_ZERO});
        assertEquals(3, chunks.size(), "one frame per chunk: " + chunks);
        for (int i = 0; i < 3; i++) {
            assertEquals(Constants.CODEC_NONE, chunks.get(i).codec());
            assertArrayEquals(Arrays.copyOfRange(readOnlyOriginal, i * CHUNK, (i + 1) * CHUNK), chunks.get(i).data());
        }
    }

    /**
     * Pulls "ro" (three random chunks) as a hand-driven replica with {@code codecIds} in its HELLO that holds none of
     * it: the CHUNK frames of the first epoch, whose EPOCH_END counts them.
     */
    private List<Chunk> pullEverything(byte[] codecIds) throws Exception {
        RawPeer peer = connect();
        Hello d = Hello.defaults();
        peer.handshake(new Hello(1, 1, d.maxFramePayload(), 0, d.streamWindow(), d.connectionWindow(), d.hashIds(),
                codecIds)); // v1: an OPEN without a lineage
        peer.send(new Open(1, Constants.ROLE_PULL, HASH.wireId(), CHUNK, readOnlyOriginal.length, "ro", false));
        peer.readUntil(OpenOk.class);
        DigestTable held = tableOf(randomBytes(readOnlyOriginal.length));
        byte[] digests = new byte[held.chunkCount() * held.digestLength()];
        held.readRange(0, held.chunkCount(), digests, 0);
        peer.send(new Digests(1, 0, held.digestLength(), digests));
        List<Chunk> chunks = new ArrayList<>();
        while (true) {
            Frame frame = peer.read();
            if (frame == null) {
                throw new AssertionError("closed before EPOCH_END: " + peer.summary());
            }
            if (frame instanceof Chunk chunk) {
                chunks.add(chunk);
            } else if (frame instanceof EpochEnd end) {
                assertEquals(chunks.size(), end.chunkCount(), "EPOCH_END counts CHUNK frames");
                assertArrayEquals(tableOf(readOnlyOriginal).rootDigest(), end.root());
                return chunks;
            }
        }
    }
}
