package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.ChunkPatch;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.PageDigests;
import dev.deltasync.protocol.Refine;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rules an independent implementation found unclear or broken (issue 9), each checked against a real server
 * through a hand-driven peer: PROTOCOL.md §5.3, §9.2 and §9.4.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpecConformanceTest extends ServerFixture {
    @Test
    void anOpenWithAHashTheClientsHelloDidNotListIsRefused() throws Exception {
        RawPeer peer = connect();
        Hello d = Hello.defaults();
        peer.handshake(new Hello(1, 1, d.maxFramePayload(), 0, d.streamWindow(), d.connectionWindow(),
                new byte[] {(byte) HashAlgorithm.XXH3_64.wireId()}, d.codecIds()));
        peer.send(new Open(1, Constants.ROLE_PUSH, HashAlgorithm.XXH3_128.wireId(), CHUNK, TARGET_SIZE, "target", false));
        peer.expectReset(1, ErrorCode.UNSUPPORTED_PARAMETER);
        peer.expectAlive(1, 0);
        assertUntouchedAndHealthy();
    }

    /** A PULL of "ro" by a hand-driven replica that already holds the region, past its first EPOCH_END. */
    private RawPeer pullUpToTheFirstEpoch(DigestTable table) throws Exception {
        RawPeer peer = connect();
        peer.handshake();
        peer.send(new Open(1, Constants.ROLE_PULL, HASH.wireId(), CHUNK, readOnlyOriginal.length, "ro", false));
        peer.readUntil(OpenOk.class);
        sendTable(peer, table);
        EpochEnd first = peer.readUntil(EpochEnd.class);
        assertEquals(1, first.epoch());
        assertEquals(0, first.chunkCount(), "the replica already holds every chunk");
        return peer;
    }

    private static void sendTable(RawPeer peer, DigestTable table) throws Exception {
        byte[] digests = new byte[table.chunkCount() * table.digestLength()];
        table.readRange(0, table.chunkCount(), digests, 0);
        peer.send(new Digests(1, 0, table.digestLength(), digests));
    }

    @Test
    void theEpochAfterARootMismatchIsSentEvenWhenNothingChanged() throws Exception {
        DigestTable table = tableOf(readOnlyOriginal);
        RawPeer peer = pullUpToTheFirstEpoch(table);
        byte[] wrong = table.rootDigest().clone();
        wrong[0] ^= 1;
        peer.send(new EpochAck(1, 1, wrong));
        sendTable(peer, table); // §9.4: the replica follows a mismatching ACK with its whole table
        EpochEnd second = peer.readUntil(EpochEnd.class);
        assertEquals(2, second.epoch());
        assertEquals(0, second.chunkCount());
        assertArrayEquals(table.rootDigest(), second.root());
        peer.send(new EpochAck(1, 2, table.rootDigest()));
        peer.expectAlive(5, 1);
    }

    @Test
    void aRootOfAnotherLengthThanTheHashsIsAMismatchNotAnError() throws Exception {
        DigestTable table = tableOf(readOnlyOriginal);
        RawPeer peer = pullUpToTheFirstEpoch(table);
        peer.send(new EpochAck(1, 1, Arrays.copyOf(table.rootDigest(), 8))); // xxh3-128 roots have 16 bytes
        sendTable(peer, table);
        EpochEnd second = peer.readUntil(EpochEnd.class);
        assertEquals(2, second.epoch(), "the short root was a mismatch: the source re-verified");
        peer.send(new EpochAck(1, 2, table.rootDigest()));
        peer.expectAlive(6, 1);
    }

    /** §9.9: a REFINE is no CHUNK of the epoch, and a patch needs no REFINE before it. */
    @Test
    void aRefineIsNotCountedAndAPatchNeedNotFollowOne() throws Exception {
        int chunkSize = 4 * CHUNK;
        RawPeer peer = connect();
        peer.handshake();
        openPush(peer, 1, "target", targetOriginal, chunkSize);
        peer.send(new Refine(1, 1, 77, new int[] {1}));
        assertEquals(1, peer.readUntil(PageDigests.class).index());
        byte[] expected = targetOriginal.clone();
        byte[] page = randomBytes(Constants.PAGE_SIZE);
        System.arraycopy(page, 0, expected, 0, page.length); // page 0 of chunk 0, which was not asked about
        byte[] patch = new ChunkPatch.Builder(Arrays.copyOf(expected, chunkSize)).add(0).build();
        byte[] root = tableOf(expected, chunkSize).rootDigest();
        peer.send(new Chunk(1, 1, 0, Constants.CODEC_PATCH, chunkSize, patch), new EpochEnd(1, 1, 1, root));
        assertArrayEquals(root, peer.readUntil(EpochAck.class).root(), "one CHUNK counted, the patch applied");
        assertArrayEquals(expected, Files.readAllBytes(target));
        peer.expectAlive(9, 1);
    }

    @Test
    void theSameChunkIndexTwiceInOneEpochIsAppliedInOrder() throws Exception {
        PushStream s = openPush();
        byte[] first = randomBytes(CHUNK);
        byte[] second = randomBytes(CHUNK);
        byte[] expected = s.content().clone();
        System.arraycopy(second, 0, expected, 0, CHUNK);
        s.peer().send(Chunk.raw(1, 1, 0, first), Chunk.raw(1, 1, 0, second),
                new EpochEnd(1, 1, 2, tableOf(expected).rootDigest()));
        EpochAck ack = s.peer().readUntil(EpochAck.class);
        assertArrayEquals(tableOf(expected).rootDigest(), ack.root(), "the later copy won, and both were counted");
        s.peer().expectAlive(7, 1);
        s.peer().send(dev.deltasync.protocol.Reset.of(1, ErrorCode.NO_ERROR, "done"));
        s.peer().expectAlive(8, 1);
        assertArrayEquals(expected, Files.readAllBytes(target));
    }
}
