package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Reset;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server's streams from OPEN to the acceptor's return, on a plain executor standing in for the event loop. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerStreamsTest {
    private static final Peer PEER = new Peer(null, new InetSocketAddress("192.0.2.1", 1), Hello.defaults(), Hello.defaults());

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final RecordingSink sink = new RecordingSink();
    private final StreamTable streams = new StreamTable(false);
    private final Answers answers = new Answers(new ControlWriter(sink));
    /** What the acceptors' streams asked of the connection: "RESET code reason" and "release". */
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final StreamOwner owner = new StreamOwner() {
        @Override
        public void schedulePump() { }

        @Override
        public void returnCredit(MuxStream stream, int bytes) { }

        @Override
        public void resetStream(MuxStream stream, ErrorCode code, String reason) {
            asked.add("RESET " + code + " " + reason);
            stream.markClosed(new StreamClosedException(code.code(), reason, false));
        }

        @Override
        public void releaseCredit(MuxStream stream) {
            asked.add("release " + stream.id());
        }
    };
    private final List<String> idle = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopLoop() {
        loop.shutdownNow();
    }

    private ServerStreams served(int maxStreams, Duration streamless, StreamAcceptor acceptor) {
        return new ServerStreams(streams, id -> streams.add(new MuxStream(owner, PEER, id, 65536,
                new CreditReturner(65536, 16384))), answers, acceptor, MuxConfig.defaults().withMaxStreams(maxStreams),
                streamless, loop, idle::add);
    }

    private static Open open(int id) {
        return new Open(id, Constants.ROLE_PUSH, 4, 65536, 1 << 20, "r", false);
    }

    /** Runs {@code task} on the loop, as the session does, and waits for it. */
    private <T> T onLoop(Callable<T> task) {
        try {
            return loop.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private interface LoopTask {
        void run() throws Exception;
    }

    private void run(LoopTask task) {
        onLoop(() -> {
            task.run();
            return null;
        });
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void anOpenBeyondMaxStreamsIsRefusedWhileTheAcceptorsRunEvenAfterTheirStreamsEnded() {
        CountDownLatch finish = new CountDownLatch(1);
        ServerStreams served = served(2, null, stream -> finish.await());
        run(() -> served.open(open(1)));
        run(() -> served.open(open(3)));
        run(() -> streams.forget(1).markClosed(new StreamClosedException(8, "reset by the peer", true)));
        run(() -> served.open(open(5)));
        assertEquals(List.of(Reset.of(5, ErrorCode.REFUSED_STREAM, "too many concurrent streams (limit 2)")),
                sink.written(Reset.class), "stream 1 ended, but its acceptor still holds its slot");

        finish.countDown();
        await(() -> !onLoop(served::full), "the slots come free once the acceptors returned");
        run(() -> served.open(open(7)));
        assertEquals(1, sink.written(Reset.class).size(), "an OPEN refused after the slots came free: " + sink.written);
        assertTrue(asked.containsAll(List.of("release 1", "release 3")), asked.toString());
    }

    @Test
    void anAcceptorsEndIsAResetAndARelease() throws InterruptedException {
        ServerStreams served = served(8, null, stream -> {
            switch (stream.id()) {
                case 1 -> { } // returns with the stream still open
                case 3 -> throw new StreamClosedException(8, "peer went away", true);
                default -> throw new IllegalStateException("a bug");
            }
        });
        run(() -> served.open(open(1)));
        await(() -> asked.contains("release 1"), "stream 1 released");
        run(() -> served.open(open(3)));
        await(() -> asked.contains("release 3"), "stream 3 released");
        run(() -> served.open(open(5)));
        await(() -> asked.contains("release 5"), "stream 5 released");
        assertEquals(List.of("RESET NO_ERROR done", "release 1", "RESET CANCEL peer went away", "release 3",
                "RESET INTERNAL_ERROR server error: java.lang.IllegalStateException: a bug", "release 5"), asked);
    }

    @Test
    void aConnectionWithoutAStreamForTheStreamlessTimeIsEndedOnlyWhenNoAcceptorRuns() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        ServerStreams served = served(8, Duration.ofMillis(100), stream -> finish.await());
        run(served::helloDone);
        await(() -> idle.size() == 1, "the streamless connection is ended");
        assertEquals("no stream open for 100 ms", idle.getFirst());

        idle.clear();
        run(served::helloDone);
        run(() -> served.open(open(1)));
        Thread.sleep(500); // five times the streamless time, with a stream served all along
        assertTrue(idle.isEmpty(), "ended while an acceptor ran: " + idle);
        finish.countDown();
        await(() -> idle.size() == 1, "ended once the acceptor returned and the streamless time passed");
    }

    @Test
    void streamIdsMustBeOddAndRise() {
        ServerStreams served = served(8, null, stream -> { });
        run(() -> served.open(open(3)));
        CompletionException thrown = assertThrows(CompletionException.class, () -> run(() -> served.open(open(1))));
        ProtocolException e = assertInstanceOf(ProtocolException.class, thrown.getCause());
        assertTrue(e.isConnectionError());
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertFalse(sink.written.stream().anyMatch(f -> f.streamId() == 1), "nothing answers a connection error");
    }
}
