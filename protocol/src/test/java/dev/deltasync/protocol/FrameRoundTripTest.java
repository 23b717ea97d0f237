package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Random valid frames of every type survive encode → read → encode unchanged, however the bytes arrive. */
class FrameRoundTripTest {

    private static final long SEED = System.nanoTime();
    private static final int PER_TYPE = 300;

    @Test
    void everyTypeRoundTrips() throws ProtocolException {
        RandomFrames frames = new RandomFrames(new Random(SEED));
        for (int type = 0; type < RandomFrames.TYPE_COUNT; type++) {
            for (int i = 0; i < PER_TYPE; i++) {
                Frame frame = frames.ofType(type);
                String context = "seed " + SEED + ", frame " + frame;
                byte[] bytes = FrameCodec.toBytes(frame);
                assertEquals(FrameCodec.encodedLength(frame), bytes.length, context);
                assertEquals(FrameCodec.payloadLength(frame) + Constants.HEADER_LENGTH, bytes.length, context);
                Frame decoded = Frames.decodeOne(bytes, Constants.MAX_FRAME_PAYLOAD);
                assertEquals(frame, decoded, context);
                assertEquals(frame.hashCode(), decoded.hashCode(), context);
                assertArrayEquals(bytes, FrameCodec.toBytes(decoded), context);
            }
        }
    }

    @Test
    void encodeIntoAllocatedBufferMatchesToBytes() {
        Frame frame = Hello.defaults();
        ByteBuf buf = FrameCodec.encode(frame, ByteBufAllocator.DEFAULT);
        try {
            byte[] copy = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), copy);
            assertArrayEquals(FrameCodec.toBytes(frame), copy);
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest(name = "slices of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 10, 4096})
    void decodesIdenticallyWhateverTheSliceSize(int sliceSize) throws ProtocolException {
        RandomFrames frames = new RandomFrames(new Random(SEED + sliceSize));
        List<Frame> sent = new ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 400; i++) {
            Frame frame = frames.next();
            sent.add(frame);
            wire.writeBytes(FrameCodec.toBytes(frame));
            if (i % 17 == 0) {
                // An unknown type between known frames must vanish without a trace.
                wire.writeBytes(Frames.hex("7f 00 00000005 00000003 aabbcc"));
            }
        }
        assertEquals(sent, readInSlices(wire.toByteArray(), sliceSize), "seed " + (SEED + sliceSize));
    }

    static List<Frame> readInSlices(byte[] wire, int sliceSize) throws ProtocolException {
        FrameReader reader = new FrameReader(Constants.MAX_FRAME_PAYLOAD);
        ByteBuf cumulation = Unpooled.buffer();
        List<Frame> received = new ArrayList<>();
        for (int at = 0; at < wire.length; at += sliceSize) {
            cumulation.writeBytes(wire, at, Math.min(sliceSize, wire.length - at));
            for (Frame f; (f = reader.read(cumulation)) != null; ) {
                received.add(f);
            }
            cumulation.discardSomeReadBytes();
        }
        assertNull(reader.read(cumulation));
        assertEquals(0, cumulation.readableBytes());
        return received;
    }
}
