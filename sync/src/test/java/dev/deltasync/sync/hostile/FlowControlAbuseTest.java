package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.Reset;
import dev.deltasync.sync.ExposedRegion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow control against a peer that ignores it (PROTOCOL.md §6): the server's memory is bounded by the
 * windows it granted, so a peer that sends more gets FLOW_CONTROL_ERROR instead of being buffered; and
 * the server hands connection credit back for frames it drops, so stream errors cannot starve a connection.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FlowControlAbuseTest extends ServerFixture {
    /**
     * 32768 chunks: its DIGESTS table (512 KiB) can pass neither our 16 KiB window nor the 256 KiB a mux
     * stream may queue (MuxStream.MAX_QUEUED_FLOW_BYTES), so the replica blocks sending it and consumes nothing.
     * The file is sparse with a few random bytes; a pristine copy is what "untouched" is checked against.
     */
    private static final int BIG_SIZE = 32768 * CHUNK;
    private Path big;
    private Path bigPristine;

    @Override
    List<ExposedRegion> regions() {
        try {
            big = sparseFile("big.bin", BIG_SIZE, 16);
            bigPristine = Files.copy(big, dir.resolve("big.pristine"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<ExposedRegion> regions = new ArrayList<>(super.regions());
        regions.add(new ExposedRegion("big", big, false));
        return regions;
    }

    /** A PUSH into big whose replica is stuck sending its table: we never grant DIGESTS credit. */
    private RawPeer stuckReplica() throws Exception {
        RawPeer peer = connect();
        Hello d = Hello.defaults();
        peer.handshake(new Hello(1, 1, 16384, 0, 16384, 16384, d.hashIds(), d.codecIds()));
        peer.send(new Open(1, Constants.ROLE_PUSH, HASH.wireId(), CHUNK, BIG_SIZE, "big", false));
        peer.readUntil(OpenOk.class);
        Digests first = peer.readUntil(Digests.class);
        assertTrue(first.count() < BIG_SIZE / CHUNK, "the table does not fit our window");
        return peer;
    }

    private static Chunk oneMiB(int stream, long epoch) {
        return Chunk.raw(stream, epoch, 0, new byte[1024 * 1024]);
    }

    @Test
    void chunkDataBeyondTheStreamWindowIsAFlowControlError() throws Exception {
        RawPeer peer = stuckReplica();
        // 4 MiB stream window: the fourth 1 MiB CHUNK is beyond it; nothing was consumed, so no credit came back.
        for (int i = 0; i < 4; i++) {
            peer.send(oneMiB(1, 1));
        }
        GoAway goAway = peer.expectGoAway(ErrorCode.FLOW_CONTROL_ERROR);
        assertTrue(goAway.reason().contains("window"), goAway.reason());
        assertEquals(-1, Files.mismatch(bigPristine, big), "big.bin was written");
        assertUntouchedAndHealthy();
    }

    @Test
    void aFloodWithoutCreditIsCutOffNotBuffered() throws Exception {
        RawPeer peer = stuckReplica();
        long limit = 64L * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        byte[] frame = FrameCodec.toBytes(oneMiB(1, 1));
        CompletableFuture<Boolean> writer = CompletableFuture.supplyAsync(() -> {
            try {
                while (written.get() < limit) {
                    peer.sendRaw(frame);
                    written.addAndGet(frame.length);
                }
                return false;
            } catch (IOException e) {
                return true; // the server closed on us
            }
        });
        long heapBefore = usedHeap();
        peer.expectGoAway(ErrorCode.FLOW_CONTROL_ERROR);
        assertTrue(writer.get(60, TimeUnit.SECONDS), "the server cut the flood off; we wrote " + written.get()
                + " bytes");
        assertTrue(written.get() < limit, "written " + written.get());
        long grown = usedHeap() - heapBefore;
        // What the server may hold is bounded by its 4 MiB stream window (plus socket buffers), not by the flood.
        assertTrue(grown < 48L * 1024 * 1024, "heap grew by " + grown + " bytes during a " + written.get()
                + "-byte flood");
        System.out.printf("flood: server answered FLOW_CONTROL_ERROR after the peer wrote %d MiB; heap delta %d MiB%n",
                written.get() >> 20, grown >> 20);
        assertEquals(-1, Files.mismatch(bigPristine, big), "big.bin was written");
        assertUntouchedAndHealthy();
    }

    private static long usedHeap() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void controlFramesPilingUpForAStuckStreamResetIt() throws Exception {
        RawPeer peer = stuckReplica();
        for (int i = 0; i < 200; i++) {
            peer.send(new EpochAck(1, 1, new byte[16]));
        }
        Reset reset = peer.expectReset(1, ErrorCode.FLOW_CONTROL_ERROR);
        assertTrue(reset.reason().contains("queued"), reset.reason());
        peer.expectAlive(8, 0);
        assertEquals(-1, Files.mismatch(bigPristine, big), "big.bin was written");
        assertUntouchedAndHealthy();
    }

    /**
     * A peer that honours its connection send window, sending one rejected 1 MiB CHUNK per stream: over
     * 20 streams that is more than the 16 MiB connection window, so it only works if the server grants the
     * credit of every rejected (and dropped) frame back on stream 0 (§6.3).
     */
    @Test
    void creditOfRejectedChunksIsGrantedBack() throws Exception {
        RawPeer peer = connect();
        Hello serverHello = peer.handshake();
        long window = serverHello.connectionWindow();
        long spent = 0;
        int id = 1;
        for (int round = 0; round < 20; round++) {
            id = openPushRetryingRefused(peer, id);
            Chunk bad = oneMiB(id, 5); // epoch 5 during epoch 1: a stream error, after the engine took the frame
            int cost = FrameCodec.payloadLength(bad);
            // A leak never refills, a loaded machine only refills late: the deadline just bounds the wait.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (spent + cost > window + peer.connectionCreditGranted) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("round " + round + ": connection window exhausted and never refilled: "
                            + spent + " bytes sent, " + peer.connectionCreditGranted
                            + " granted back (credit of rejected CHUNKs leaked)");
                }
                peer.expectAlive(round, 0); // reads whatever the server sends meanwhile
                Thread.sleep(20);
            }
            peer.send(bad);
            spent += cost;
            peer.expectReset(id, ErrorCode.PROTOCOL_ERROR);
            // Late frames on the reset stream: dropped, their credit returned as well.
            peer.send(oneMiB(id, 1));
            spent += cost;
            id += 2;
        }
        peer.expectAlive(1, 0);
        assertUntouchedAndHealthy();
    }

    /**
     * Opens a PUSH into target on {@code id} or, while the previous stream's engine still holds it, a later id. A
     * loaded machine only frees it late: the deadline just bounds the wait.
     */
    private int openPushRetryingRefused(RawPeer peer, int id) throws Exception {
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); System.nanoTime() < deadline; id += 2) {
            peer.send(new Open(id, Constants.ROLE_PUSH, HASH.wireId(), CHUNK, TARGET_SIZE, "target", false));
            while (true) {
                var frame = peer.read();
                if (frame == null) {
                    throw new AssertionError("closed: " + peer.summary());
                }
                if (frame instanceof OpenOk okFrame && okFrame.streamId() == id) {
                    return id;
                }
                if (frame instanceof Reset r && r.streamId() == id) {
                    assertEquals(ErrorCode.REFUSED_STREAM, r.errorCode(), r.toString());
                    Thread.sleep(10);
                    break;
                }
            }
        }
        throw new AssertionError("target stayed locked for 60 s");
    }
}
