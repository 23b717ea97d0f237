package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.FrameReader;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Reset;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded, seeded fuzz of the whole server side. Each session is a fresh connection: a valid HELLO and
 * OPEN (PUSH into {@code target}), then a body of random, valid-looking and mutated frames (CHUNKs with
 * random fields, zstd bombs, wrong epochs, random types, lengths and stream ids, flipped and inserted
 * bytes, truncation), then a PING. After each session the server must have answered (PONG) or closed the
 * connection within the read timeout, and the target file may only have changed where the session carried
 * a CHUNK that really decodes to that chunk's bytes (a per-byte oracle): no byte the server was never sent
 * may appear, and the file never changes length. At the end, a well-behaved client still syncs.
 *
 * <p>{@code -Dfuzz.seconds=N} runs longer (default 10), {@code -Dfuzz.seed=S} replays a run, {@code -Dfuzz.reasons=true} also counts RESET reasons.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ServerFuzzTest extends ServerFixture {
    private static final int LIMIT = Constants.DEFAULT_MAX_FRAME_PAYLOAD; // the server's receive limit after HELLO
    private static final String[] NAMES = {"target", "target", "target", "ro", "ok-not", "nosuch", "TARGET"};
    private static final byte[] BOMB = Zstd.compress(new byte[16 * 1024 * 1024]);

    private byte[] current; // what the target file holds, as far as the oracle knows
    private final List<Candidate> candidates = new ArrayList<>(); // writes the last session could have caused
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private long framesSent;
    private long bytesSent;
    private boolean clientResetStream1; // the body itself ends stream 1: the server then sends no RESET on it

    /** A write the server may legitimately have made: {@code bytes} at {@code offset} of target. */
    private record Candidate(int offset, byte[] bytes) { }

    @Test
    void fuzzTheServer() throws Exception {
        long seconds = Long.getLong("fuzz.seconds", 10);
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.printf("ServerFuzzTest: seed %d (replay with -Dfuzz.seed=%d), %d s%n", seed, seed, seconds);
        current = targetOriginal.clone();
        SplittableRandom master = new SplittableRandom(seed);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int sessions = 0;
        while (System.nanoTime() < deadline) {
            long sessionSeed = master.nextLong();
            try {
                session(new SplittableRandom(sessionSeed));
            } catch (Throwable t) {
                throw new AssertionError("session " + sessions + " (seed " + seed + ", session seed " + sessionSeed
                        + ") failed: " + t, t);
            }
            sessions++;
            if (sessions % 250 == 0) {
                assertServerHealthy();
            }
        }
        awaitTargetFreeAndCheck(null); // the last session's effects
        assertArrayEquals(readOnlyOriginal, Files.readAllBytes(readOnly), "the read-only region never changes");
        assertServerHealthy();
        System.out.printf("ServerFuzzTest: %d sessions (executions), %d frames, %d bytes sent; outcomes %s%n",
                sessions, framesSent, bytesSent, outcomes);
        assertTrue(sessions > 0);
    }

    // ---- one session ----

    private void session(SplittableRandom r) throws Exception {
        RawPeer peer = awaitTargetFreeAndCheck(r);
        try {
            byte[] body = mutate(r, body(r));
            boolean complete = sanitizeAndWalk(body);
            model(body);
            framesSent += 2;
            bytesSent += body.length;
            boolean closedEarly = false;
            try {
                peer.sendRaw(body);
                if (complete) {
                    // A trailer the replica of stream 1 must answer (DIGESTS from the source: RESET), so that
                    // its answers to the whole body are seen, then a PING the event loop answers.
                    peer.send(new Digests(1, 0, 16, new byte[16]), new Ping(0x5E55_1011L));
                } else {
                    peer.shutdownOutput(); // a frame is cut short: the server waits for its end, EOF ends it
                }
            } catch (IOException e) {
                closedEarly = true; // the server hung up while we were writing: fine, it must have said why
            }
            outcome(peer, complete && !closedEarly, !clientResetStream1);
        } finally {
            peer.close();
        }
    }

    /** Reads until our PONG or the end of the connection; RawPeer fails on a read timeout (a hang). */
    private void outcome(RawPeer peer, boolean expectPong, boolean expectReset) throws Exception {
        boolean pong = false;
        boolean reset = !expectPong || !expectReset;
        while (!pong || !reset) {
            Frame frame = peer.read();
            if (frame == null) {
                count(expectPong ? "closed" : "closed (cut or refused)");
                return;
            }
            if (frame instanceof Reset r) {
                count("RESET " + r.errorCode());
                if (Boolean.getBoolean("fuzz.reasons")) {
                    count("  " + r.reason().replaceAll("[0-9]+", "N").replaceAll("\\[.*", ""));
                }
                reset |= r.streamId() == 1;
            } else if (frame instanceof GoAway goAway) {
                count("GOAWAY " + goAway.errorCode());
                peer.expectClosed();
                return;
            } else if (frame instanceof Pong p && p.opaque() == 0x5E55_1011L) {
                count("PONG");
                pong = true;
            }
        }
    }

    private void count(String what) {
        outcomes.merge(what, 1, Integer::sum);
    }

    /**
     * Connects with the valid prefix (HELLO, OPEN PUSH target on stream 1) until the server accepts it:
     * only then has the previous session's replica ended, so only then is the file worth checking.
     * With {@code r == null} just checks and closes.
     */
    private RawPeer awaitTargetFreeAndCheck(SplittableRandom r) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            RawPeer peer = new RawPeer(server.port(), READ_TIMEOUT_MS);
            peer.handshake();
            peer.send(new Open(1, Constants.ROLE_PUSH, HASH.wireId(), CHUNK, TARGET_SIZE, "target", false));
            Frame answer;
            do {
                answer = peer.read();
            } while (answer != null && !(answer instanceof OpenOk) && !(answer instanceof Reset));
            if (answer instanceof OpenOk) {
                checkOracle();
                if (r == null) {
                    peer.close();
                    return null;
                }
                return peer;
            }
            peer.close();
            assertTrue(answer instanceof Reset reset && reset.errorCode() == dev.deltasync.protocol.ErrorCode.REFUSED_STREAM,
                    "the valid prefix is refused only while the last session's push winds down: " + answer);
            assertTrue(System.nanoTime() < deadline, "target stays locked after its connection closed");
            Thread.sleep(5);
        }
    }

    private void checkOracle() throws IOException {
        byte[] now = Files.readAllBytes(target);
        assertEquals(TARGET_SIZE, now.length, "the target file never changes length");
        for (int p = 0; p < now.length; p++) {
            if (now[p] != current[p]) {
                final int at = p;
                boolean explained = candidates.stream().anyMatch(c -> at >= c.offset() && at < c.offset() + c.bytes().length
                        && c.bytes()[at - c.offset()] == now[at]);
                assertTrue(explained, "byte " + p + " of target changed to " + now[p]
                        + " but no CHUNK the server received decodes to that");
            }
        }
        if (!Arrays.equals(now, current)) {
            count("target written");
        }
        current = now;
        candidates.clear();
    }

    // ---- generation ----

    private byte[] body(SplittableRandom r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int frames = 1 + r.nextInt(10);
        int chunksSent = 0;
        DigestTable table = tableOf(current);
        for (int i = 0; i < frames; i++) {
            int kind = r.nextInt(100);
            int stream = r.nextInt(10) < 9 ? 1 : randomStreamId(r);
            if (kind < 45) {
                out.write(chunk(r, stream, table));
                chunksSent++;
            } else if (kind < 60) {
                long epoch = r.nextInt(4) == 0 ? r.nextLong(0, 4) : 1;
                int count = r.nextInt(3) == 0 ? r.nextInt(20) : chunksSent;
                byte[] root = r.nextInt(3) == 0 ? randomBytes(r, r.nextInt(70)) : table.rootDigest();
                out.write(frame(0x14, 0, stream, ByteBuffer.allocate(12 + root.length).putLong(epoch).putInt(count)
                        .put(root).array()));
            } else if (kind < 65) {
                out.write(frame(0x15, 0, stream, ByteBuffer.allocate(24).putLong(r.nextLong(0, 3))
                        .put(table.rootDigest()).array()));
            } else if (kind < 70) {
                int n = r.nextInt(4);
                out.write(frame(0x12, 0, stream, ByteBuffer.allocate(5 + 16 * n).putInt(r.nextInt(20)).put((byte) 16)
                        .put(randomBytes(r, 16 * n)).array()));
            } else if (kind < 78) {
                out.write(open(r));
            } else if (kind < 81) {
                byte[] reason = randomBytes(r, r.nextInt(8));
                out.write(frame(0x16, 0, stream, ByteBuffer.allocate(4 + reason.length).putInt(r.nextInt(20))
                        .put(reason).array()));
            } else if (kind < 86) {
                int increment = switch (r.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> Integer.MAX_VALUE;
                    default -> r.nextInt(1, 1 << 20);
                };
                out.write(frame(0x04, 0, r.nextBoolean() ? 0 : stream, ByteBuffer.allocate(4).putInt(increment).array()));
            } else if (kind < 89) {
                out.write(frame(r.nextBoolean() ? 0x02 : 0x03, 0, 0, ByteBuffer.allocate(8).putLong(r.nextLong()).array()));
            } else if (kind < 91) {
                out.write(frame(0x11, 0, stream, ByteBuffer.allocate(13).putLong(TARGET_SIZE).putInt(CHUNK)
                        .put((byte) HASH.wireId()).array()));
            } else if (kind < 92) {
                out.write(FrameCodec.toBytes(Hello.defaults()));
            } else if (kind < 93) {
                out.write(frame(0x05, 0, 0, ByteBuffer.allocate(8).putInt(1).putInt(r.nextInt(17)).array()));
            } else if (kind < 97) {
                out.write(frame(0x17 + r.nextInt(0xE8), r.nextInt(256), stream, randomBytes(r, r.nextInt(64))));
            } else {
                out.write(randomBytes(r, r.nextInt(1, 40)));
            }
        }
        return out.toByteArray();
    }

    private static int randomStreamId(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(1, 12);
            case 2 -> r.nextInt() & 0x7FFF_FFFF;
            default -> r.nextInt();
        };
    }

    private byte[] chunk(SplittableRandom r, int stream, DigestTable table) {
        int index = switch (r.nextInt(10)) {
            case 0 -> table.chunkCount() + r.nextInt(3);
            case 1 -> r.nextInt();
            default -> r.nextInt(table.chunkCount());
        };
        boolean inRange = index >= 0 && index < table.chunkCount();
        int length = inRange ? table.chunkLength(index) : CHUNK;
        byte[] plain = inRange ? Arrays.copyOfRange(current, (int) table.chunkOffset(index),
                (int) table.chunkOffset(index) + length) : randomBytes(r, length);
        if (r.nextInt(4) == 0) {
            plain = randomBytes(r, length); // a real change: a valid chunk with new content
        }
        long epoch = switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> r.nextLong(2, 5);
            case 2 -> r.nextLong();
            default -> 1;
        };
        int rawLength = r.nextInt(6) == 0 ? (r.nextBoolean() ? r.nextInt(1, 1 << 25) : length + r.nextInt(-3, 4))
                : length;
        int codec;
        byte[] data;
        int c = r.nextInt(20);
        if (c < 9) {
            codec = 0;
            data = r.nextInt(8) == 0 ? Arrays.copyOf(plain, Math.max(0, plain.length + r.nextInt(-5, 5))) : plain;
        } else if (c < 18) {
            codec = 1;
            data = switch (r.nextInt(8)) {
                case 0 -> BOMB;
                case 1 -> Zstd.compress(Arrays.copyOf(plain, Math.max(1, plain.length - 1 - r.nextInt(100))));
                case 2 -> randomBytes(r, r.nextInt(1, 200));
                case 3 -> {
                    byte[] z = Zstd.compress(plain);
                    yield Arrays.copyOf(z, Math.max(1, r.nextInt(z.length)));
                }
                case 4 -> Zstd.compress(Arrays.copyOf(plain, plain.length + 1 + r.nextInt(5000)));
                default -> Zstd.compress(plain, r.nextInt(1, 6));
            };
        } else {
            codec = r.nextInt(2, 256);
            data = randomBytes(r, r.nextInt(1, 50));
        }
        return frame(0x13, 0, stream, ByteBuffer.allocate(17 + data.length).putLong(epoch).putInt(index)
                .put((byte) codec).putInt(rawLength).put(data).array());
    }

    private byte[] open(SplittableRandom r) {
        String name = NAMES[r.nextInt(NAMES.length)];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        int id = switch (r.nextInt(4)) {
            case 0 -> 1;
            case 1 -> r.nextInt(1, 64);
            default -> 3 + 2 * r.nextInt(30);
        };
        int role = r.nextInt(8) == 0 ? r.nextInt(256) : 1 + r.nextInt(2);
        int hash = r.nextInt(5) == 0 ? r.nextInt(256) : 1 + r.nextInt(5);
        int chunkSize = switch (r.nextInt(5)) {
            case 0 -> r.nextInt();
            case 1 -> 4096 << r.nextInt(9);
            default -> CHUNK;
        };
        long size = switch (r.nextInt(4)) {
            case 0 -> r.nextLong();
            case 1 -> 0;
            default -> name.equals("ro") ? readOnlyOriginal.length : TARGET_SIZE;
        };
        return frame(0x10, r.nextInt(256) & ~Constants.FLAG_ALLOW_RESIZE, id,
                ByteBuffer.allocate(15 + nameBytes.length).put((byte) role).put((byte) hash).putInt(chunkSize)
                        .putLong(size).put((byte) nameBytes.length).put(nameBytes).array());
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        return ByteBuffer.allocate(Constants.HEADER_LENGTH + payload.length).put((byte) type).put((byte) flags)
                .putInt(stream).putInt(payload.length).put(payload).array();
    }

    private static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] bytes = new byte[n];
        r.nextBytes(bytes);
        return bytes;
    }

    private static final int[] INTERESTING = {0, 1, -1, 0x7FFF_FFFF, 0x8000_0000, LIMIT, LIMIT + 1, 4096, 4095,
            1 << 24, (1 << 24) + 1, 17};

    private static byte[] mutate(SplittableRandom r, byte[] body) {
        int mutations = r.nextInt(10) < 3 ? 0 : 1 + r.nextInt(3);
        byte[] b = body;
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, at); // truncate
                case 3 -> { // insert
                    byte[] extra = randomBytes(r, r.nextInt(1, 20));
                    byte[] n = new byte[b.length + extra.length];
                    System.arraycopy(b, 0, n, 0, at);
                    System.arraycopy(extra, 0, n, at, extra.length);
                    System.arraycopy(b, at, n, at + extra.length, b.length - at);
                    b = n;
                }
                case 4 -> { // an interesting 32-bit value anywhere (lengths, ids, indices, rawLengths)
                    if (at + 4 <= b.length) {
                        ByteBuffer.wrap(b).putInt(at, INTERESTING[r.nextInt(INTERESTING.length)]);
                    }
                }
                default -> { // duplicate a slice
                    int len = r.nextInt(1, Math.min(200, b.length - at) + 1);
                    byte[] n = new byte[b.length + len];
                    System.arraycopy(b, 0, n, 0, at + len);
                    System.arraycopy(b, at, n, at + len, b.length - at);
                    b = n;
                }
            }
        }
        return b;
    }

    /**
     * Walks the frame headers as the server will: clears ALLOW_RESIZE on every OPEN (a push may resize the
     * replica, which the oracle does not model) and tells whether the body ends on a frame boundary (or at a
     * length the server refuses outright), i.e. whether a PING after it will be read as a PING.
     */
    private static boolean sanitizeAndWalk(byte[] b) {
        int pos = 0;
        while (pos < b.length) {
            if (b.length - pos < Constants.HEADER_LENGTH) {
                return false;
            }
            long length = ByteBuffer.wrap(b).getInt(pos + 6) & 0xFFFF_FFFFL;
            if (length > LIMIT) {
                return true; // FRAME_SIZE_ERROR from the header alone: the server closes
            }
            if ((b[pos] & 0xFF) == 0x10) {
                b[pos + 1] &= (byte) ~Constants.FLAG_ALLOW_RESIZE;
            }
            if (length > b.length - pos - Constants.HEADER_LENGTH) {
                return false;
            }
            pos += Constants.HEADER_LENGTH + (int) length;
        }
        return true;
    }

    /** Records every write to target a frame of this body could cause: CHUNKs that decode to their rawLength. */
    private void model(byte[] body) {
        clientResetStream1 = false;
        FrameReader reader = new FrameReader(LIMIT);
        ByteBuf in = Unpooled.wrappedBuffer(body);
        List<Integer> chunkSizes = new ArrayList<>(List.of(CHUNK));
        List<Chunk> chunks = new ArrayList<>();
        try {
            while (true) {
                Frame frame;
                try {
                    frame = reader.read(in);
                } catch (ProtocolException e) {
                    if (e.isConnectionError()) {
                        break;
                    }
                    continue;
                }
                if (frame == null) {
                    break;
                }
                framesSent++;
                if (frame instanceof Open open && open.name().equals("target")
                        && Constants.isValidChunkSize(open.chunkSize())) {
                    chunkSizes.add(open.chunkSize());
                } else if (frame instanceof Chunk chunk) {
                    chunks.add(chunk);
                } else if (frame instanceof Reset reset && reset.streamId() == 1) {
                    clientResetStream1 = true;
                }
            }
        } finally {
            in.release();
        }
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            for (Chunk chunk : chunks) {
                byte[] plain = decode(zstd, chunk);
                if (plain == null) {
                    continue;
                }
                for (int size : chunkSizes) {
                    long offset = (long) chunk.index() * size;
                    if (offset + plain.length <= TARGET_SIZE) {
                        candidates.add(new Candidate((int) offset, plain));
                    }
                }
            }
        }
    }

    private static byte[] decode(ZstdDecompressCtx zstd, Chunk chunk) {
        if (chunk.rawLength() > 1 << 21) {
            return null;
        }
        return switch (chunk.codec()) {
            case Constants.CODEC_NONE -> chunk.data();
            case Constants.CODEC_ZSTD -> {
                byte[] out = new byte[chunk.rawLength()];
                try {
                    int n = zstd.decompressByteArray(out, 0, out.length, chunk.data(), 0, chunk.data().length);
                    yield n == out.length ? out : null;
                } catch (ZstdException e) {
                    yield null;
                }
            }
            default -> null;
        };
    }
}
