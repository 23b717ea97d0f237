package dev.deltasync.protocol;

import dev.deltasync.hashing.HashAlgorithm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the test vectors of PROTOCOL.md §11, read out of the document itself. Each valid vector must decode to the
 * frame built here field by field (so a wrong vector fails) and re-encode byte for byte.
 */
class ProtocolSpecVectorsTest {

    private static final Pattern BLOCK =
            Pattern.compile("^```(vector(?:-decode|-skip|-error)?) ([^\\n]+)\\n(.*?)^```", Pattern.MULTILINE | Pattern.DOTALL);

    record Vector(String kind, String name, List<String> args, byte[] bytes) {
    }

    private static final Map<String, Frame> EXPECTED = expected();

    private static Map<String, Frame> expected() {
        byte[] root = HexFormat.of().parseHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
        byte[] digests = new byte[32];
        for (int i = 0; i < digests.length; i++) {
            digests[i] = (byte) i;
        }
        Hello minimal = new Hello(1, 3, 16384, 0, 16384, 16384, new byte[] {(byte) HashAlgorithm.BLAKE3.wireId()}, new byte[0]);
        Ping ping = new Ping(0x0123456789abcdefL);
        Map<String, Frame> m = new LinkedHashMap<>();
        m.put("hello-defaults", new Hello(1, 2, 1048640, 256, 4194304, 16777216,
                new byte[] {1, 2, 3, 4, 5}, new byte[] {Constants.CODEC_ZSTD, Constants.CODEC_ZERO,
                        Constants.CODEC_RUN, Constants.CODEC_PATCH}));
        m.put("hello-minimal", minimal);
        m.put("hello-trailing-bytes", minimal);
        m.put("hello-unknown-ids", new Hello(1, 2, 16384, 0, 16384, 16384,
                new byte[] {(byte) HashAlgorithm.BLAKE3.wireId(), (byte) 0xc8}, new byte[] {0x63, Constants.CODEC_ZSTD}));
        m.put("ping", ping);
        m.put("pong", new Pong(0x0123456789abcdefL));
        m.put("ping-unknown-flags", ping);
        m.put("window-update-connection", new WindowUpdate(0, 65536));
        m.put("window-update-stream-max", new WindowUpdate(3, 0x7fffffff));
        m.put("goaway-protocol-error", GoAway.of(7, ErrorCode.PROTOCOL_ERROR, "bad frame"));
        m.put("goaway-unknown-code", new GoAway(0, 0xabcd, ""));
        m.put("goaway-enhance-your-calm", GoAway.of(0, ErrorCode.ENHANCE_YOUR_CALM, "PINGs too fast"));
        m.put("goaway-unsupported-version", GoAway.of(0, ErrorCode.UNSUPPORTED_VERSION,
                "no common version: we speak 1..1, peer speaks 2..3"));
        m.put("open-push-allow-resize", new Open(1, Constants.ROLE_PUSH, HashAlgorithm.XXH3_128.wireId(), 65536,
                1L << 30, "vm-disk", true));
        m.put("open-pull", new Open(3, Constants.ROLE_PULL, HashAlgorithm.BLAKE3.wireId(), 4096, 0, 5000, "db", false));
        m.put("open-pull-source-chooses", new Open(5, Constants.ROLE_PULL, HashAlgorithm.XXH3_128.wireId(),
                Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE, 2L << 20, "db", false));
        m.put("open-ok", new OpenOk(1, 1L << 30, 65536, HashAlgorithm.XXH3_128.wireId()));
        LineagePosition epoch41 = new LineagePosition(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"), 41);
        m.put("open-v2-pull-offers-table", new Open(7, Constants.ROLE_PULL, HashAlgorithm.XXH3_128.wireId(),
                Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE, 1L << 30, 0, "vm", false, Optional.of(epoch41), root));
        m.put("open-v2-push-no-lineage", new Open(9, Constants.ROLE_PUSH, HashAlgorithm.XXH3_128.wireId(), 4096,
                1L << 20, 0, "vm", true, Optional.of(LineagePosition.NONE), new byte[0]));
        m.put("open-ok-v2-table-known", new OpenOk(7, 1L << 30, 4096, HashAlgorithm.XXH3_128.wireId(),
                Optional.of(epoch41), true));
        m.put("open-ok-v2-new-lineage", new OpenOk(9, 1L << 20, 4096, HashAlgorithm.XXH3_128.wireId(), Optional.of(
                new LineagePosition(HexFormat.of().parseHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0"), 0)), false));
        m.put("open-v2-push-rehash", new Open(11, Constants.ROLE_PUSH, HashAlgorithm.XXH3_128.wireId(), 4096,
                1L << 20, 0, "vm", false, Optional.of(LineagePosition.NONE), new byte[0], true));
        m.put("open-ok-v2-rehash", new OpenOk(11, 1L << 20, 4096, HashAlgorithm.XXH3_128.wireId(),
                Optional.of(epoch41), false, true));
        m.put("open-v1-rehash-bit-ignored", new Open(1, Constants.ROLE_PUSH, HashAlgorithm.XXH3_128.wireId(), 65536,
                1L << 30, "vm-disk", false));
        m.put("digests-xxh3-128", new Digests(1, 0, 16, digests));
        m.put("digests-crc32c", new Digests(5, 1024, 4, HexFormat.of().parseHex("deadbeef00000000ffffffff")));
        m.put("chunk-raw", Chunk.raw(1, 1, 5, HexFormat.of().parseHex("0011223344556677")));
        m.put("chunk-zstd", new Chunk(1, 2, 0, Constants.CODEC_ZSTD, 4096,
                HexFormat.of().parseHex("28b52ffd60000f4d00001000000100fbf70116")));
        m.put("chunk-zero", Chunk.zeros(1, 3, 7, 1 << 20));
        m.put("chunk-run", Chunk.run(1, 4, 5, HexFormat.of().parseHex("0011223344556677")));
        m.put("chunk-patch", new Chunk(1, 5, 2, Constants.CODEC_PATCH, 8200,
                HexFormat.of().parseHex("60400011223344556677")));
        m.put("refine", new Refine(1, 5, 0x0123456789abcdefL, new int[] {3, 17, 4096}));
        m.put("page-digests", new PageDigests(1, 5, 3, 16, HexFormat.of().parseHex(
                "99aa06d3014798d86001c324468d497f000102030405060708090a0b0c0d0e0f")));
        m.put("epoch-end", new EpochEnd(1, 1, 1, root));
        m.put("epoch-end-empty", new EpochEnd(3, 1, 0, new byte[4]));
        m.put("epoch-end-v2", new EpochEnd(7, 42, 3, OptionalLong.of(1796126400250000L), root));
        m.put("epoch-ack", new EpochAck(1, 1, root));
        m.put("epoch-ack-short-root", new EpochAck(1, 1, java.util.Arrays.copyOf(root, 8)));
        m.put("reset-no-error", Reset.of(1, ErrorCode.NO_ERROR, ""));
        m.put("reset-size-mismatch-utf8", Reset.of(3, ErrorCode.SIZE_MISMATCH, "gr\u00f6\u00dfe"));
        m.put("reset-unknown-code", new Reset(1, 0xffffffff, ""));
        return m;
    }

    static List<Vector> vectors() throws IOException {
        String doc = Files.readString(specPath(), StandardCharsets.UTF_8);
        List<Vector> vectors = new ArrayList<>();
        Matcher m = BLOCK.matcher(doc);
        while (m.find()) {
            List<String> words = List.of(m.group(2).trim().split("\\s+"));
            String hex = m.group(3).replaceAll("#[^\\n]*", "").replaceAll("\\s+", "");
            vectors.add(new Vector(m.group(1), words.getFirst(), words.subList(1, words.size()),
                    HexFormat.of().parseHex(hex)));
        }
        return vectors;
    }

    /** docs/PROTOCOL.md, found from the working directory upwards, so module and reactor builds both work. */
    static Path specPath() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("PROTOCOL.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docs/PROTOCOL.md not found above " + Path.of("").toAbsolutePath());
    }

    @TestFactory
    Stream<DynamicTest> everyVectorBehavesAsDocumented() throws IOException {
        return vectors().stream().map(v -> DynamicTest.dynamicTest(v.kind() + " " + v.name(), () -> check(v)));
    }

    private static void check(Vector v) throws ProtocolException {
        switch (v.kind()) {
            case "vector", "vector-decode" -> {
                Frame expected = EXPECTED.get(v.name());
                assertTrue(expected != null, "no expected frame for vector " + v.name());
                Frame decoded = Frames.decodeOne(v.bytes());
                assertEquals(expected, decoded, v.name());
                if (v.kind().equals("vector")) {
                    assertArrayEquals(v.bytes(), FrameCodec.toBytes(decoded), v.name() + " re-encodes differently");
                }
            }
            case "vector-skip" -> {
                ByteBuf in = Unpooled.wrappedBuffer(v.bytes());
                assertNull(new FrameReader(Constants.DEFAULT_MAX_FRAME_PAYLOAD).read(in), v.name());
                assertEquals(0, in.readableBytes(), v.name() + " not fully skipped");
            }
            case "vector-error" -> {
                assertEquals(2, v.args().size(), v.name() + ": expected TIER CODE");
                boolean connection = switch (v.args().get(0)) {
                    case "connection" -> true;
                    case "stream" -> false;
                    default -> throw new AssertionError(v.name() + ": unknown tier " + v.args().get(0));
                };
                ProtocolException e = assertThrows(ProtocolException.class, () -> Frames.decodeOne(v.bytes()), v.name());
                assertEquals(ErrorCode.valueOf(v.args().get(1)), e.code(), v.name() + ": " + e.getMessage());
                assertEquals(connection, e.isConnectionError(), v.name() + ": " + e.getMessage());
                int headerStream = Unpooled.wrappedBuffer(v.bytes()).getInt(FrameCodec.STREAM_ID_OFFSET);
                assertEquals(connection ? 0 : headerStream, e.streamId(), v.name());
            }
            default -> throw new AssertionError("unknown vector kind " + v.kind());
        }
    }

    @Test
    void everyFrameTypeHasAVectorThatRoundTrips() throws IOException {
        Set<Integer> covered = new TreeSet<>();
        for (Vector v : vectors()) {
            if (v.kind().equals("vector")) {
                covered.add(v.bytes()[0] & 0xFF);
            }
        }
        for (int type = 0; type < 256; type++) {
            if (FrameType.isKnown(type)) {
                assertTrue(covered.contains(type), "no vector for " + FrameType.name(type));
            }
        }
    }

    @Test
    void vectorsAndExpectedFramesMatchOneToOne() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Vector v : vectors()) {
            assertTrue(names.add(v.name()), "duplicate vector name " + v.name());
        }
        Set<String> decodable = new TreeSet<>();
        vectors().stream().filter(v -> v.kind().startsWith("vector") && !v.kind().equals("vector-skip")
                && !v.kind().equals("vector-error")).forEach(v -> decodable.add(v.name()));
        assertEquals(new TreeSet<>(EXPECTED.keySet()), decodable);
        assertTrue(names.size() >= 30, "only " + names.size() + " vectors found: is the parser broken?");
    }
}
