package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The mux's Netty codec handlers on an EmbeddedChannel: encode, decode in slices, limits, errors. */
class FrameCodecChannelTest {
    private static final List<Frame> FRAMES = List.of(
            Hello.defaults(), new Ping(7), new WindowUpdate(0, 65536), GoAway.of(3, ErrorCode.NO_ERROR, "bye"),
            new Open(1, Constants.ROLE_PUSH, HashAlgorithm.XXH3_128.wireId(), 4096, 1 << 20, "vm", true),
            new OpenOk(1, 1 << 20, 4096, HashAlgorithm.XXH3_128.wireId()), new Digests(1, 0, 16, new byte[16 * 300]),
            Chunk.raw(1, 1, 5, randomBytes(65536)), new EpochEnd(1, 1, 1, new byte[16]),
            new EpochAck(1, 1, new byte[16]), Reset.of(1, ErrorCode.CANCEL, "done"));

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SplittableRandom(n).nextBytes(bytes);
        return bytes;
    }

    private static byte[] encodeAll(List<Frame> frames) {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder());
        for (Frame frame : frames) {
            assertTrue(encoder.writeOutbound(frame));
        }
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf part = encoder.readOutbound(); part != null; part = encoder.readOutbound()) {
            assertEquals(part.readableBytes(), part.capacity(), "the encoder sizes its buffer exactly");
            all.writeBytes(part);
            part.release();
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        return bytes;
    }

    @Test
    void encodesLikeTheCodecAndDecodesInEverySliceSize() {
        byte[] bytes = encodeAll(FRAMES);
        int expectedLength = FRAMES.stream().mapToInt(FrameCodec::encodedLength).sum();
        assertEquals(expectedLength, bytes.length);
        for (int slice : new int[] {1, 2, 3, 7, 4096, bytes.length}) {
            FrameDecoder decoder = new FrameDecoder();
            decoder.maxPayload(Constants.DEFAULT_MAX_FRAME_PAYLOAD);
            EmbeddedChannel channel = new EmbeddedChannel(decoder);
            for (int offset = 0; offset < bytes.length; offset += slice) {
                channel.writeInbound(Unpooled.wrappedBuffer(bytes, offset, Math.min(slice, bytes.length - offset)));
            }
            List<Frame> decoded = new ArrayList<>();
            for (Frame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
                decoded.add(frame);
            }
            assertEquals(FRAMES, decoded, "slices of " + slice + " bytes");
        }
    }

    @Test
    void aLengthAboveThePreHelloLimitIsAConnectionErrorAndNothingIsReadAfterIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        ProtocolException e = assertThrows(ProtocolException.class, () ->
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00})));
        assertEquals(ErrorCode.FRAME_SIZE_ERROR, e.code());
        assertTrue(e.isConnectionError());
        channel.writeInbound(Unpooled.wrappedBuffer(FrameCodec.toBytes(new Ping(1))));
        assertNull(channel.readInbound(), "a decoder that failed reads nothing more");
    }

    @Test
    void tlsBytesOnAPlaintextConnectionAreExplained() {
        java.util.List<Object> events = new java.util.ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                events.add(event);
            }
        });
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x00, 0x50}));
        assertEquals(java.util.List.of(FrameDecoder.PEER_SPEAKS_TLS), events, "the session is told, to say so (§12.1)");
        channel.writeInbound(Unpooled.wrappedBuffer(FrameCodec.toBytes(new Ping(1))));
        assertNull(channel.readInbound(), "nothing after it is read as frames");
    }

    @Test
    void theLimitRaisedOnHelloAppliesToTheFramesBehindItInTheSameRead() {
        FrameDecoder decoder = new FrameDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) {
                if (message instanceof Hello) {
                    decoder.maxPayload(Constants.DEFAULT_MAX_FRAME_PAYLOAD); // what MuxSession does
                }
                ctx.fireChannelRead(message);
            }
        });
        Chunk big = Chunk.raw(1, 1, 0, randomBytes(8192));
        channel.writeInbound(Unpooled.wrappedBuffer(encodeAll(List.of(Hello.defaults(), big))));
        channel.checkException();
        assertInstanceOf(Hello.class, channel.readInbound());
        assertEquals(big, channel.readInbound());
    }

    @Test
    void aStreamErrorIsReportedAfterTheFramesBeforeItInTheSameRead() {
        FrameDecoder decoder = new FrameDecoder();
        decoder.maxPayload(Constants.DEFAULT_MAX_FRAME_PAYLOAD);
        List<Object> seen = new java.util.ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) {
                seen.add(message);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                seen.add(cause);
            }
        });
        Chunk good = Chunk.raw(1, 1, 0, randomBytes(64));
        byte[] bad = FrameCodec.toBytes(Chunk.raw(1, 1, 1, randomBytes(4)));
        bad[Constants.HEADER_LENGTH + 7] = 0; // epoch 0: a stream error
        Ping after = new Ping(9);
        byte[] goodBytes = FrameCodec.toBytes(good);
        byte[] afterBytes = FrameCodec.toBytes(after);
        channel.writeInbound(Unpooled.wrappedBuffer(goodBytes, bad, afterBytes));
        assertEquals(3, seen.size(), seen.toString());
        assertEquals(good, seen.get(0));
        ProtocolException e = assertInstanceOf(ProtocolException.class, seen.get(1));
        assertTrue(!e.isConnectionError(), e.toString());
        assertEquals(after, seen.get(2));
    }
}
