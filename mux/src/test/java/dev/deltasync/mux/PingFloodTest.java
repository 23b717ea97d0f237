package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import io.netty.util.internal.PlatformDependent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8 finding 5: PONGs were queued without limit, whether or not the peer read them (one connection took a
 * server from 72 MB to 6.2 GB in 25 s). Now a flood is cut off with GOAWAY ENHANCE_YOUR_CALM (PROTOCOL.md §7.1)
 * and the server's memory stays under a stated bound.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PingFloodTest {
    /** What a flooded server may hold beyond its memory before the flood (heap after GC plus Netty's direct buffers). */
    private static final long MEMORY_BOUND = 64L << 20;

    private static byte[] pings(int count, long firstOpaque) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.writeBytes(FrameCodec.toBytes(new Ping(firstOpaque + i)));
        }
        return out.toByteArray();
    }

    @Test
    void pingsBeyondTheBurstGetGoAwayEnhanceYourCalmAndTheServerLogHearsWhy() throws Exception {
        List<StreamClosedException> closed = new CopyOnWriteArrayList<>();
        ConnectionLog log = new ConnectionLog() {
            @Override
            public void refused(String remote, ConnectFailure failure) { }

            @Override
            public void closed(Peer peer, StreamClosedException reason) {
                closed.add(reason);
            }
        };
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, MuxConfig.defaults(), new EchoAcceptor(), log);
             RawPeer peer = new RawPeer(server.port(), 10_000)) {
            peer.sendHello();
            long start = System.nanoTime();
            int sent = AnswerRate.BURST + 10;
            peer.sendRaw(pings(sent, 0));
            int pongs = 0;
            GoAway goAway = null;
            while (goAway == null) {
                var frame = peer.read();
                if (frame == null) {
                    throw new AssertionError("closed without a GOAWAY after " + pongs + " PONGs");
                }
                if (frame instanceof Pong && ++pongs == sent) { // so slow that the bucket refilled: PING on
                    peer.sendRaw(pings(10, sent));
                    sent += 10;
                } else if (frame instanceof GoAway g) {
                    goAway = g;
                }
            }
            long elapsed = System.nanoTime() - start;
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, goAway.errorCode(), goAway.reason());
            assertTrue(goAway.reason().contains("PING"), goAway.reason());
            // The bucket refills at PER_SECOND while the PINGs are read, so a slow machine answers a few more.
            long refilled = elapsed * AnswerRate.PER_SECOND / TimeUnit.SECONDS.toNanos(1) + 1;
            assertTrue(pongs >= AnswerRate.BURST && pongs <= AnswerRate.BURST + refilled && pongs < sent,
                    "the burst is answered, and the connection ends before the last PING: " + pongs + " PONGs of "
                            + sent + " PINGs in " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms");
            assertTrue(peer.closedByServer());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (closed.stream().noneMatch(reason -> reason.errorCode() == ErrorCode.ENHANCE_YOUR_CALM)) {
                assertTrue(System.nanoTime() < deadline, "the server's log never heard why the connection ended: "
                        + closed);
                Thread.sleep(10);
            }
        }
    }

    @Test
    void aPeerThatFloodsAndNeverReadsIsCutOffAndTheServerStaysSmall() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, MuxConfig.defaults(), new EchoAcceptor());
             RawPeer peer = new RawPeer(server.port(), 10_000)) {
            memory.gc();
            long before = memory.getHeapMemoryUsage().getUsed() + PlatformDependent.usedDirectMemory();
            peer.sendHello();
            byte[] batch = pings(4096, 0);
            AtomicBoolean cutOff = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            Thread flood = Thread.ofPlatform().start(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                try {
                    while (System.nanoTime() < deadline) {
                        peer.sendRaw(batch); // and never read a byte
                        sent.addAndGet(4096);
                    }
                } catch (IOException e) {
                    cutOff.set(true);
                }
            });
            long peak = 0;
            while (flood.isAlive()) {
                memory.gc();
                peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed() + PlatformDependent.usedDirectMemory() - before);
                flood.join(200);
            }
            assertTrue(cutOff.get(), "the server never cut off a peer that sent " + sent.get() + " PINGs");
            assertTrue(peak < MEMORY_BOUND, "the server grew by " + (peak >> 20) + " MiB under the flood");
        }
    }
}
