package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static dev.deltasync.protocol.Frames.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader's staging (PROTOCOL.md §2, §4.13, §8.2): what it consumes, keeps, skips, and refuses. */
class FrameReaderTest {

    private static final byte[] PING = hex("02 00 00000000 00000008 0123456789abcdef");

    @Test
    void consumesNothingUntilAWholeHeaderArrives() throws ProtocolException {
        FrameReader reader = new FrameReader(Constants.DEFAULT_MAX_FRAME_PAYLOAD);
        ByteBuf in = Unpooled.wrappedBuffer(PING, 0, 9);
        assertNull(reader.read(in));
        assertEquals(9, in.readableBytes());
    }

    @Test
    void keepsTheHeaderAndLeavesThePayloadUntilAllOfItArrives() throws ProtocolException {
        FrameReader reader = new FrameReader(Constants.DEFAULT_MAX_FRAME_PAYLOAD);
        ByteBuf in = Unpooled.buffer().writeBytes(PING, 0, 15);
        assertNull(reader.read(in));
        assertEquals(5, in.readableBytes());
        in.writeBytes(PING, 15, PING.length - 15);
        assertEquals(new Ping(0x0123456789abcdefL), reader.read(in));
        assertEquals(0, in.readableBytes());
    }

    @Test
    void acceptsAPayloadExactlyAtTheLimit() throws ProtocolException {
        byte[] reason = new byte[Constants.PRE_HELLO_MAX_PAYLOAD - 8];
        java.util.Arrays.fill(reason, (byte) 'x');
        GoAway goAway = new GoAway(0, 1, new String(reason, java.nio.charset.StandardCharsets.US_ASCII));
        FrameReader reader = new FrameReader(Constants.PRE_HELLO_MAX_PAYLOAD);
        assertEquals(goAway, reader.read(Unpooled.wrappedBuffer(FrameCodec.toBytes(goAway))));
        assertEquals(Constants.PRE_HELLO_MAX_PAYLOAD, reader.largestPayloadAccepted());
    }

    @Test
    void skipsAnUnknownTypeAsItsBytesArriveWithoutBufferingIt() throws ProtocolException {
        FrameReader reader = new FrameReader(Constants.MIN_FRAME_PAYLOAD);
        ByteBuf in = Unpooled.buffer().writeBytes(hex("7f 03 00000009 00004000"));
        for (int i = 0; i < 16; i++) {
            in.writeBytes(new byte[1024]);
            assertNull(reader.read(in));
            assertEquals(0, in.readableBytes(), "skipped bytes are consumed at once");
        }
        in.writeBytes(PING);
        assertInstanceOf(Ping.class, reader.read(in));
        assertEquals(0, reader.largestPayloadAccepted() - 8, "only the PING was buffered");
    }

    @Test
    void goesOnAfterAStreamError() throws ProtocolException {
        FrameReader reader = new FrameReader(Constants.DEFAULT_MAX_FRAME_PAYLOAD);
        ByteBuf in = Unpooled.buffer()
                .writeBytes(Frames.raw(FrameType.RESET, 0, 3, "00000000 ff"))
                .writeBytes(PING);
        ProtocolException e = assertThrows(ProtocolException.class, () -> reader.read(in));
        assertEquals(3, e.streamId());
        assertEquals(new Ping(0x0123456789abcdefL), reader.read(in));
    }

    @Test
    void refusesToReadAfterAConnectionError() {
        FrameReader reader = new FrameReader(Constants.DEFAULT_MAX_FRAME_PAYLOAD);
        ByteBuf in = Unpooled.buffer().writeBytes(Frames.raw(FrameType.PING, 0, 1, "0000000000000000")).writeBytes(PING);
        assertTrue(assertThrows(ProtocolException.class, () -> reader.read(in)).isConnectionError());
        ProtocolException again = assertThrows(ProtocolException.class, () -> reader.read(in));
        assertTrue(again.isConnectionError());
        assertEquals(ErrorCode.PROTOCOL_ERROR, again.code());
    }

    @Test
    void raisingTheLimitAfterHelloAdmitsLargerFrames() throws ProtocolException {
        Chunk chunk = Chunk.raw(1, 1, 0, new byte[4096]);
        FrameReader reader = new FrameReader(Constants.PRE_HELLO_MAX_PAYLOAD);
        ByteBuf in = Unpooled.buffer().writeBytes(FrameCodec.toBytes(Hello.defaults())).writeBytes(FrameCodec.toBytes(chunk));
        assertEquals(Hello.defaults(), reader.read(in));
        reader.maxPayload(Hello.defaults().maxFramePayload());
        assertEquals(chunk, reader.read(in));
    }

    @Test
    void rejectsAnImpossibleLimit() {
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(-1));
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(Constants.MAX_FRAME_PAYLOAD + 1));
    }
}
