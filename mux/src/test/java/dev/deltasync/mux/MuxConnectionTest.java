package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many streams over one real loopback connection: integrity, fairness, back-pressure, resets. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MuxConnectionTest {
    private static final int CHUNK = 64 * 1024;

    private final EchoAcceptor acceptor = new EchoAcceptor();
    private MuxServer server;
    private MuxSession client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(MuxConfig serverConfig) throws Exception {
        server = MuxServer.start("127.0.0.1", 0, serverConfig, acceptor);
        client = MuxClient.connect("127.0.0.1", server.port(), MuxConfig.defaults());
    }

    private MuxStream open(String name) throws Exception {
        MuxStream stream = client.openStream(id -> new Open(id, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(),
                CHUNK, 1L << 30, name, false));
        assertInstanceOf(OpenOk.class, stream.receive());
        return stream;
    }

    /** Sends {@code chunks} random chunks then EPOCH_END; returns when the server's checksum matches. */
    private static void pushAndVerify(MuxStream stream, int chunks, long seed, AtomicLong sentBytes) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        CRC32C crc = new CRC32C();
        for (int i = 0; i < chunks; i++) {
            byte[] data = new byte[CHUNK];
            random.nextBytes(data);
            crc.update(data);
            stream.send(Chunk.raw(stream.id(), 1, i, data));
            sentBytes.addAndGet(data.length);
        }
        stream.send(new EpochEnd(stream.id(), 1, chunks, EchoAcceptor.rootOf(crc.getValue())));
        EpochAck ack = (EpochAck) stream.receive();
        assertArrayEquals(EchoAcceptor.rootOf(crc.getValue()), ack.root(), "checksum of stream " + stream.id());
    }

    @Test
    void sixtyFourStreamsOnOneConnectionAllComplete() throws Exception {
        start(MuxConfig.defaults());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < 64; s++) {
                MuxStream stream = open("region-" + s);
                long seed = s;
                done.add(threads.submit(() -> {
                    pushAndVerify(stream, 32, seed, new AtomicLong());
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertTrue(client.isOpen());
    }

    @Test
    void aSlowReaderDoesNotStopTheOthersAndItsSenderStaysWithinTheWindow() throws Exception {
        int streamWindow = 2 * 1024 * 1024;
        start(MuxConfig.defaults().withWindows(streamWindow, 16 * 1024 * 1024));
        AtomicLong slowSent = new AtomicLong();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            MuxStream slow = open("slow");
            Future<?> slowDone = threads.submit(() -> {
                pushAndVerify(slow, 96, 7, slowSent);
                return null;
            });
            List<Future<?>> fast = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                MuxStream stream = open("fast-" + s);
                long seed = 100 + s;
                fast.add(threads.submit(() -> {
                    pushAndVerify(stream, 128, seed, new AtomicLong());
                    return null;
                }));
            }
            for (Future<?> f : fast) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertFalse(slowDone.isDone(), "the slow stream cannot finish while its reader sleeps");
            // The fast streams finishing says nothing of how far the slow sender got by then: give it time to fill
            // its window (it never may go past it, whatever the time); a loaded machine may take long.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (slowSent.get() < streamWindow - CHUNK && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // Written within the window, plus what the stream's queue in the mux holds (send() returned for it).
            long bound = streamWindow + MuxStream.MAX_QUEUED_FLOW_BYTES + CHUNK + Constants.CHUNK_HEADER_LENGTH;
            assertTrue(slowSent.get() <= bound, "slow stream sent " + slowSent.get() + " > " + bound);
            assertTrue(slowSent.get() >= streamWindow - CHUNK, "slow stream should fill its window: " + slowSent.get());
            acceptor.release.countDown();
            slowDone.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void resettingOneStreamLeavesTheOthersWorking() throws Exception {
        start(MuxConfig.defaults());
        MuxStream doomed = open("doomed");
        MuxStream survivor = open("survivor");
        doomed.reset(ErrorCode.CANCEL, "changed my mind");
        StreamClosedException e = assertThrows(StreamClosedException.class,
                () -> doomed.send(Chunk.raw(doomed.id(), 1, 0, new byte[16])));
        assertEquals(ErrorCode.CANCEL, e.errorCode());
        pushAndVerify(survivor, 16, 3, new AtomicLong());
        assertTrue(client.isOpen());
    }

    @Test
    void theClientRefusesToOpenMoreStreamsThanTheServerAllows() throws Exception {
        start(MuxConfig.defaults().withMaxStreams(2));
        open("a");
        open("b");
        StreamClosedException e = assertThrows(StreamClosedException.class, () -> open("c"));
        assertEquals(ErrorCode.REFUSED_STREAM, e.errorCode());
    }

    /** Twenty times: the connection left open by MuxServer.close came about 1 run in 8 (then 30 s to notice). */
    @RepeatedTest(20)
    void aVanishedServerEndsTheStreamsPromptly() throws Exception {
        start(MuxConfig.defaults());
        MuxStream stream = open("a");
        server.close();
        server = null;
        StreamClosedException e = assertThrows(StreamClosedException.class,
                () -> stream.receive(Duration.ofSeconds(20)));
        assertTrue(e.byPeer(), e.getMessage());
        client.closeFuture().get(10, TimeUnit.SECONDS);
        assertFalse(client.isOpen());
    }

    @Test
    void closingTheClientEndsTheServersStreams() throws Exception {
        start(MuxConfig.defaults());
        MuxStream stream = open("slow"); // the server side waits on the latch, then reads
        client.close();
        acceptor.release.countDown();
        assertThrows(StreamClosedException.class, () -> stream.send(Chunk.raw(stream.id(), 1, 0, new byte[8])));
    }

    @Test
    void usesTheNativeTransportOnLinuxAmd64() {
        assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"));
        assertEquals(Transport.EPOLL, Transport.best());
    }

    @Test
    void receiveWithATimeoutReturnsNullWhenNothingArrives() throws Exception {
        start(MuxConfig.defaults());
        MuxStream stream = open("slow");
        Frame frame = stream.receive(Duration.ofMillis(100));
        assertEquals(null, frame);
        acceptor.release.countDown();
    }
}
