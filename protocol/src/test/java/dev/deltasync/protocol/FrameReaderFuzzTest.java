package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of valid frame sequences, and plain noise, fed to the reader in random slices for a bounded
 * time: the reader must only ever return frames or throw ProtocolException, never wait for a payload above its
 * limit, and every frame it returns must re-encode to something it reads back as the same frame.
 */
class FrameReaderFuzzTest {

    private static final long SEED = System.nanoTime();
    private static final long BUDGET_NANOS = 4_000_000_000L;
    /** Fuzzed however long it takes: a loaded machine got through only 497 inputs in the budget. */
    private static final int MIN_INPUTS = 1000;
    private static final int[] LIMITS = {0, 16, Constants.PRE_HELLO_MAX_PAYLOAD, Constants.MIN_FRAME_PAYLOAD,
            Constants.DEFAULT_MAX_FRAME_PAYLOAD};

    @Test
    void mutatedInputYieldsFramesOrProtocolExceptionsOnly() {
        Random random = new Random(SEED);
        RandomFrames frames = new RandomFrames(random);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int inputs = 0;
        int framesRead = 0;
        while (System.nanoTime() < deadline || inputs < MIN_INPUTS) {
            byte[] input = random.nextInt(10) == 0 ? noise(random) : mutate(random, validWire(random, frames));
            int limit = LIMITS[random.nextInt(LIMITS.length)];
            try {
                framesRead += feed(random, input, limit);
            } catch (Throwable t) {
                fail("seed " + SEED + ", input " + inputs + ", limit " + limit + ": " + t + "\n"
                        + HexFormat.of().formatHex(input, 0, Math.min(input.length, 4096)), t);
            }
            inputs++;
        }
        assertTrue(inputs >= MIN_INPUTS, "seed " + SEED + ": only " + inputs + " inputs");
        System.out.printf("fuzz seed %d: %d inputs, %d frames%n", SEED, inputs, framesRead);
        assertNotEquals(0, framesRead, "seed " + SEED + ": mutations never left a frame intact");
    }

    /** Reads the whole input in random slices; returns how many frames came out. */
    private static int feed(Random random, byte[] input, int limit) throws ProtocolException {
        FrameReader reader = new FrameReader(limit);
        ByteBuf cumulation = Unpooled.buffer();
        int count = 0;
        for (int at = 0; at < input.length; ) {
            int n = Math.min(input.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 2048));
            cumulation.writeBytes(input, at, n);
            at += n;
            while (true) {
                Frame frame;
                try {
                    frame = reader.read(cumulation);
                } catch (ProtocolException e) {
                    assertEquals(e.isConnectionError(), e.streamId() == 0, e.getMessage());
                    if (e.isConnectionError()) {
                        checkLimit(reader, limit);
                        return count;
                    }
                    continue;
                }
                checkLimit(reader, limit);
                if (frame == null) {
                    break;
                }
                count++;
                assertEquals(frame, Frames.decodeOne(FrameCodec.toBytes(frame), Constants.MAX_FRAME_PAYLOAD));
            }
            cumulation.discardSomeReadBytes();
        }
        return count;
    }

    private static void checkLimit(FrameReader reader, int limit) {
        assertTrue(reader.largestPayloadAccepted() <= limit,
                "waited for a payload of " + reader.largestPayloadAccepted() + " bytes, limit " + limit);
    }

    private static byte[] validWire(Random random, RandomFrames frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            out.writeBytes(FrameCodec.toBytes(frames.next()));
        }
        return out.toByteArray();
    }

    private static byte[] noise(Random random) {
        byte[] b = new byte[random.nextInt(200)];
        random.nextBytes(b);
        if (b.length > 0) {
            b[0] = (byte) random.nextInt(0x18); // mostly known types, so payload paths are reached
        }
        return b;
    }

    private static byte[] mutate(Random random, byte[] wire) {
        byte[] b = wire.clone();
        for (int m = random.nextInt(4); m >= 0 && b.length > 0; m--) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b[at] = (byte) (random.nextBoolean() ? 0 : 0xFF);
                case 3 -> b = Arrays.copyOf(b, at);
                case 4 -> {
                    // Small lengths near the real ones hit the payload parsers rather than the size check.
                    if (b.length >= Constants.HEADER_LENGTH) {
                        int length = ((b[6] & 0xFF) << 24 | (b[7] & 0xFF) << 16 | (b[8] & 0xFF) << 8 | (b[9] & 0xFF))
                                + random.nextInt(9) - 4;
                        b[6] = (byte) (length >>> 24);
                        b[7] = (byte) (length >>> 16);
                        b[8] = (byte) (length >>> 8);
                        b[9] = (byte) length;
                    }
                }
                default -> {
                    byte[] longer = new byte[b.length + 1 + random.nextInt(8)];
                    random.nextBytes(longer);
                    System.arraycopy(b, 0, longer, 0, at);
                    System.arraycopy(b, at, longer, longer.length - (b.length - at), b.length - at);
                    b = longer;
                }
            }
        }
        return b;
    }
}
