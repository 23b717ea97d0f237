package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;
import java.io.ByteArrayOutputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handshake fuzzed: mutated and random HELLOs (and garbage where a HELLO belongs), then a PING and a
 * half-close. Whatever arrives, the server answers only with HELLO, PONG, RESET or GOAWAY, and closes the
 * connection within the read timeout: never a hang, never another kind of failure. Afterwards the
 * regions are untouched and a well-behaved client still syncs. {@code -Dfuzz.handshake.seconds=N},
 * {@code -Dfuzz.seed=S}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandshakeFuzzTest extends ServerFixture {
    @Test
    void mutatedHandshakesGetAnAnswerOrACloseNeverAHang() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        long seconds = Long.getLong("fuzz.handshake.seconds", 4);
        System.out.println("HandshakeFuzzTest seed " + seed + " (-Dfuzz.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int sessions = 0;
        int accepted = 0;
        while (System.nanoTime() < deadline) {
            byte[] input = mutatedHello(random);
            String context = "seed " + seed + ", session " + sessions + ", input " + hex(input);
            try (RawPeer peer = new RawPeer(server.port(), READ_TIMEOUT_MS)) {
                peer.sendRaw(input);
                peer.sendRaw(FrameCodec.toBytes(new Ping(sessions)));
                peer.shutdownOutput();
                boolean sawPong = false;
                try {
                    for (Frame frame = peer.read(); frame != null; frame = peer.read()) {
                        // RESET: junk behind a valid HELLO can parse as a malformed stream frame (a stream error).
                        if (!(frame instanceof Hello || frame instanceof Pong || frame instanceof GoAway
                                || frame instanceof Reset || frame instanceof WindowUpdate)) {
                            fail(context + ": unexpected " + frame);
                        }
                        sawPong |= frame instanceof Pong;
                    }
                } catch (SocketTimeoutException e) {
                    fail(context + ": no close within " + READ_TIMEOUT_MS + " ms; got " + peer.summary());
                } catch (java.net.SocketException e) {
                    // reset by the server while our bytes were unread: a close, as required
                }
                accepted += sawPong ? 1 : 0;
            }
            sessions++;
        }
        System.out.printf("HandshakeFuzzTest: %d sessions, %d handshakes accepted%n", sessions, accepted);
        assertTrue(sessions > 20, "only " + sessions + " sessions");
        assertUntouchedAndHealthy();
    }

    /** A valid HELLO with random fields, then mutated: flips, truncation, junk, a lying length, or pure noise. */
    private static byte[] mutatedHello(SplittableRandom random) {
        Hello base = Hello.defaults();
        int window = Math.max(base.maxFramePayload(), random.nextInt(1 << 24));
        byte[] bytes = FrameCodec.toBytes(new Hello(1 + random.nextInt(2), 1 + random.nextInt(3) + 1,
                base.maxFramePayload(), random.nextInt(1024), window, window, randomIds(random), randomIds(random)));
        switch (random.nextInt(6)) {
            case 0 -> { } // valid (if the versions overlap)
            case 1 -> {
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 3 -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(bytes);
                byte[] junk = new byte[random.nextInt(64)];
                random.nextBytes(junk);
                out.writeBytes(junk);
                bytes = out.toByteArray();
            }
            case 4 -> { // the length field lies, up and down
                int length = random.nextBoolean() ? random.nextInt() : random.nextInt(64);
                bytes[6] = (byte) (length >>> 24);
                bytes[7] = (byte) (length >>> 16);
                bytes[8] = (byte) (length >>> 8);
                bytes[9] = (byte) length;
            }
            default -> random.nextBytes(bytes = new byte[random.nextInt(200)]);
        }
        return bytes;
    }

    private static byte[] randomIds(SplittableRandom random) {
        byte[] ids = new byte[random.nextInt(8)];
        random.nextBytes(ids);
        return ids;
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 64)) + (bytes.length > 64 ? "..." : "");
    }
}
