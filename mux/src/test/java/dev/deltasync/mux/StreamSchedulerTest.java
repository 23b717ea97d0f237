package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What streams ask of their connection, without a channel: the loop is the test's own thread, run on demand. */
class StreamSchedulerTest {
    private static final MuxConfig CONFIG = MuxConfig.defaults().withWindows(65536, 65536);
    private static final Peer PEER = new Peer(null, new InetSocketAddress("192.0.2.1", 1), Hello.defaults(), Hello.defaults());

    private final RecordingSink sink = new RecordingSink();
    private final StreamTable streams = new StreamTable(true);
    private final ConnectionFlow flow = new ConnectionFlow(CONFIG, new ControlWriter(sink));
    private final ArrayDeque<Runnable> loopTasks = new ArrayDeque<>();
    private final Executor loop = loopTasks::add;
    private final AtomicBoolean live = new AtomicBoolean(true);
    private final StreamScheduler scheduler = new StreamScheduler(streams, flow, sink, loop, live::get);

    private void runLoop() {
        while (!loopTasks.isEmpty()) {
            loopTasks.poll().run();
        }
    }

    private MuxStream open() throws StreamClosedException {
        return streams.openNext(256, id -> streams.add(new MuxStream(scheduler, PEER, id, 1 << 20,
                new CreditReturner(CONFIG.streamWindow(), CONFIG.maxFramePayload()))));
    }

    @Test
    void queuedFramesGoOutRoundRobinOneFrameAStreamATurn() throws Exception {
        flow.open(1 << 20);
        MuxStream a = open();
        MuxStream b = open();
        for (int i = 0; i < 3; i++) {
            a.send(Chunk.raw(a.id(), 1, i, new byte[100]));
        }
        b.send(Chunk.raw(b.id(), 1, 0, new byte[100]));
        runLoop();
        assertEquals(List.of(a.id(), b.id(), a.id(), a.id()), sink.written.stream().map(Frame::streamId).toList(),
                "a large stream cannot starve the others");
        assertTrue(sink.flushes > 0);
    }

    private MuxStream withAQueuedChunk() throws Exception {
        flow.open(1 << 20);
        MuxStream stream = open();
        stream.send(Chunk.raw(stream.id(), 1, 0, new byte[100]));
        return stream;
    }

    @Test
    void anAbortingResetDropsWhatWasQueuedAndGoesOutAtOnce() throws Exception {
        MuxStream a = withAQueuedChunk();
        a.reset(ErrorCode.CANCEL, "changed my mind");
        runLoop();
        assertEquals(List.of(Reset.of(a.id(), ErrorCode.CANCEL, "changed my mind")), sink.written);
        assertNull(streams.get(a.id()));
        assertThrows(StreamClosedException.class, () -> a.send(Chunk.raw(a.id(), 1, 1, new byte[1])));
    }

    @Test
    void aGracefulResetFollowsTheQueuedFrames() throws Exception {
        MuxStream a = withAQueuedChunk();
        a.reset(ErrorCode.NO_ERROR, "done");
        runLoop();
        assertEquals(2, sink.written.size());
        assertEquals(Reset.of(a.id(), ErrorCode.NO_ERROR, "done"), sink.written.getLast());
        assertNull(streams.get(a.id()), "forgotten once its RESET left");
    }

    @Test
    void creditOfWhatAStreamLeftUnreadGoesBackOnReleaseButNotOnceTheConnectionEnded() throws Exception {
        MuxStream a = open();
        Chunk chunk = Chunk.raw(a.id(), 1, 0, new byte[1000]);
        int cost = FlowControl.cost(chunk);
        flow.received(cost);
        flow.received(a, cost);
        a.deliver(chunk, 64);
        a.release(); // the engine never read it
        runLoop();
        assertTrue(sink.written.contains(new WindowUpdate(0, cost)), "connection credit back: " + sink.written);

        MuxStream b = open();
        flow.received(cost);
        b.deliver(Chunk.raw(b.id(), 1, 0, new byte[1000]), 64);
        live.set(false);
        sink.written.clear();
        b.release();
        runLoop();
        assertTrue(sink.written(WindowUpdate.class).isEmpty(), "no WINDOW_UPDATE after the connection ended");
    }
}
