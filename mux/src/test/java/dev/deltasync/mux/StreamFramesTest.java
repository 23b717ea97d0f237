package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.FrameReader;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer's stream frames, without a channel: windows charged, queues filled, credit returned, errors scoped. */
class StreamFramesTest {
    /** Windows small enough that every consumed byte is granted back at once (the frame limit exceeds them). */
    private static final MuxConfig CONFIG = MuxConfig.defaults().withWindows(65536, 65536);
    private static final Peer PEER = new Peer(null, new InetSocketAddress("192.0.2.1", 1), Hello.defaults(), Hello.defaults());

    private final RecordingSink sink = new RecordingSink();
    private final StreamTable streams = new StreamTable(true);
    private final ConnectionFlow flow = new ConnectionFlow(CONFIG, new ControlWriter(sink));
    private final StreamFrames frames = new StreamFrames(streams, flow, new Answers(new ControlWriter(sink)),
            CONFIG.maxQueuedFrames(), sink);

    private MuxStream open() throws StreamClosedException {
        return streams.openNext(256, id -> streams.add(new MuxStream(new NoOwner(), PEER, id, 65536,
                new CreditReturner(CONFIG.streamWindow(), CONFIG.maxFramePayload()))));
    }

    private static Chunk chunk(int streamId, int bytes) {
        return Chunk.raw(streamId, 1, 0, new byte[bytes]);
    }

    private static final class NoOwner implements StreamOwner {
        @Override
        public void schedulePump() { }

        @Override
        public void returnCredit(MuxStream stream, int bytes) { }

        @Override
        public void resetStream(MuxStream stream, ErrorCode code, String reason) { }

        @Override
        public void releaseCredit(MuxStream stream) { }
    }

    @Test
    void aFrameForAStreamNeverOpenedIsAConnectionError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> frames.frame(new EpochAck(3, 1, new byte[8])));
        assertTrue(e.isConnectionError());
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertThrows(ProtocolException.class, () -> frames.window(new WindowUpdate(5, 10)));
    }

    @Test
    void aFrameForAnEndedStreamIsDroppedAndItsCreditGoesBackAtOnce() throws Exception {
        MuxStream stream = open();
        streams.forget(stream.id());
        Chunk late = chunk(stream.id(), 1000);
        frames.frame(late);
        int cost = FlowControl.cost(late);
        assertEquals(List.of(new WindowUpdate(0, cost)), sink.written, "the connection credit of a dropped frame");
        assertTrue(sink.flushes > 0);
    }

    @Test
    void framesBeyondTheStreamWindowAreAConnectionError() throws Exception {
        MuxStream stream = open();
        frames.frame(chunk(stream.id(), 60000));
        ProtocolException e = assertThrows(ProtocolException.class, () -> frames.frame(chunk(stream.id(), 10000)));
        assertTrue(e.isConnectionError());
        assertEquals(ErrorCode.FLOW_CONTROL_ERROR, e.code());
    }

    @Test
    void aResetFromThePeerEndsOnlyItsStream() throws Exception {
        MuxStream a = open();
        MuxStream b = open();
        frames.frame(Reset.of(a.id(), ErrorCode.UNKNOWN_REGION, "no such region"));
        assertNull(streams.get(a.id()));
        StreamClosedException e = assertThrows(StreamClosedException.class, a::receive);
        assertEquals(ErrorCode.UNKNOWN_REGION, e.errorCode());
        assertTrue(e.byPeer());
        assertFalse(b.isClosed());
    }

    @Test
    void tooManyControlFramesQueuedEndTheStream() throws Exception {
        MuxStream stream = open();
        for (int i = 0; i < CONFIG.maxQueuedFrames(); i++) {
            frames.frame(new EpochAck(stream.id(), i + 1, new byte[8]));
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> frames.frame(new EpochAck(stream.id(), 99, new byte[8])));
        assertFalse(e.isConnectionError());
        assertEquals(ErrorCode.FLOW_CONTROL_ERROR, e.code());
    }

    @Test
    void aStreamErrorResetsTheStreamAndGrantsBackWhatTheBadFrameSpent() throws Exception {
        MuxStream stream = open();
        byte[] bytes = FrameCodec.toBytes(chunk(stream.id(), 500));
        bytes[Constants.HEADER_LENGTH + Constants.CHUNK_HEADER_LENGTH - 1]++; // rawLength 501 for 500 raw bytes
        ProtocolException malformed = assertThrows(ProtocolException.class,
                () -> new FrameReader(Constants.DEFAULT_MAX_FRAME_PAYLOAD).read(Unpooled.wrappedBuffer(bytes)));
        assertNull(frames.connectionError(malformed, true), "a malformed CHUNK ends only its stream");
        assertNull(streams.get(stream.id()));
        assertTrue(stream.isClosed());
        assertEquals(List.of(new WindowUpdate(0, Constants.CHUNK_HEADER_LENGTH + 500),
                Reset.of(stream.id(), malformed.code(), malformed.getMessage())), sink.written);
    }

    @Test
    void beforeHelloAMalformedStreamFrameEndsTheConnection() throws Exception {
        MuxStream stream = open();
        ProtocolException e = frames.connectionError(
                ProtocolException.streamError(stream.id(), ErrorCode.PROTOCOL_ERROR, "bad 100%%"), false);
        assertTrue(e.isConnectionError());
        assertEquals("expected HELLO as the first frame, got a malformed stream frame: bad 100%", e.getMessage());
        assertTrue(sink.written.isEmpty(), "no RESET: the connection ends with a GOAWAY");
    }

    @Test
    void aStreamWindowAbove2To31IsAStreamErrorAndTheConnectionWindowsAConnectionError() throws Exception {
        MuxStream stream = open();
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> frames.window(new WindowUpdate(stream.id(), Integer.MAX_VALUE)));
        assertFalse(e.isConnectionError());
        flow.open(65536);
        ProtocolException connection = assertThrows(ProtocolException.class,
                () -> frames.window(new WindowUpdate(0, Integer.MAX_VALUE)));
        assertTrue(connection.isConnectionError());
    }
}
