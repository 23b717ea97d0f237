package dev.deltasync.protocol;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Function;

/** Valid frames of every type with random fields, edge values included, for round-trip and fuzz tests. */
final class RandomFrames {

    static final int TYPE_COUNT = 14;

    private final Random random;

    RandomFrames(Random random) {
        this.random = random;
    }

    Frame next() {
        return ofType(random.nextInt(TYPE_COUNT));
    }

    /** Frame number {@code i} in declaration order of {@link Frame}'s permits clause. */
    Frame ofType(int i) {
        return switch (i) {
            case 0 -> hello();
            case 1 -> new Ping(random.nextLong());
            case 2 -> new Pong(random.nextLong());
            case 3 -> new WindowUpdate(pick(0, streamId()), pick(1, Constants.MAX_WINDOW, 1 + random.nextInt(Constants.MAX_WINDOW)));
            case 4 -> new GoAway(pick(0, Integer.MAX_VALUE, random.nextInt() >>> 1), random.nextInt(), text(Constants.MAX_REASON_BYTES, 0));
            case 5 -> open();
            case 6 -> openOk();
            case 7 -> digests();
            case 8 -> chunk();
            case 9 -> new EpochEnd(streamId(), epoch(), random.nextInt() >>> 1,
                    random.nextBoolean() ? OptionalLong.of(random.nextLong() >>> 1) : OptionalLong.empty(),
                    bytes(4 + random.nextInt(61)));
            case 10 -> new EpochAck(streamId(), epoch(), bytes(4 + random.nextInt(61)));
            case 11 -> new Reset(streamId(), pick(0, 16, random.nextInt()), text(Constants.MAX_REASON_BYTES, 0));
            case 12 -> refine();
            case 13 -> {
                int digestLength = 1 + random.nextInt(64);
                yield new PageDigests(streamId(), epoch(), random.nextInt() >>> 1, digestLength,
                        bytes(digestLength * (1 + random.nextInt(256))));
            }
            default -> throw new IllegalArgumentException("no frame type number " + i);
        };
    }

    private Hello hello() {
        int min = 1 + random.nextInt(65535);
        int max = min + random.nextInt(65536 - min);
        int maxFrame = Constants.MIN_FRAME_PAYLOAD
                + random.nextInt(Constants.MAX_FRAME_PAYLOAD - Constants.MIN_FRAME_PAYLOAD + 1);
        Function<Integer, Integer> window = floor -> floor + random.nextInt(Constants.MAX_WINDOW - floor + 1);
        return new Hello(min, max, maxFrame, random.nextInt() >>> 1, window.apply(maxFrame), window.apply(maxFrame),
                bytes(random.nextInt(256)), bytes(random.nextInt(256)));
    }

    /** v1, or v2 with a lineage position (none, or an id with a table root or without). */
    private Open open() {
        Optional<LineagePosition> lineage = random.nextBoolean() ? Optional.empty()
                : Optional.of(random.nextBoolean() ? LineagePosition.NONE : lineagePosition());
        byte[] root = lineage.filter(p -> !p.isNone()).isPresent() && random.nextBoolean()
                ? bytes(4 + random.nextInt(61)) : new byte[0];
        return new Open(streamId(), 1 + random.nextInt(2), random.nextInt(256), random.nextInt() >>> 1,
                random.nextLong() >>> 1, random.nextInt() >>> 1, text(Constants.MAX_NAME_BYTES, 1),
                random.nextBoolean(), lineage, root);
    }

    private OpenOk openOk() {
        Optional<LineagePosition> lineage = random.nextBoolean() ? Optional.of(lineagePosition()) : Optional.empty();
        return new OpenOk(streamId(), random.nextLong() >>> 1, random.nextInt() >>> 1, random.nextInt(256), lineage,
                lineage.isPresent() && random.nextBoolean());
    }

    private LineagePosition lineagePosition() {
        byte[] id = bytes(Constants.LINEAGE_ID_LENGTH);
        id[random.nextInt(id.length)] |= 1; // never the all-zero "none"
        return new LineagePosition(id, random.nextLong() >>> 1);
    }

    private Digests digests() {
        int digestLength = 1 + random.nextInt(64);
        return new Digests(streamId(), random.nextInt() >>> 1, digestLength,
                bytes(digestLength * (1 + random.nextInt(64))));
    }

    private Chunk chunk() {
        if (random.nextBoolean()) {
            return Chunk.raw(streamId(), epoch(), random.nextInt() >>> 1, bytes(1 + random.nextInt(5000)));
        }
        int codec = 1 + random.nextInt(255);
        if (codec == Constants.CODEC_RUN) { // like raw: the data is exactly rawLength bytes
            return Chunk.run(streamId(), epoch(), random.nextInt() >>> 1, bytes(1 + random.nextInt(5000)));
        }
        if (codec == Constants.CODEC_PATCH) { // a valid patch of some of a random chunk's pages
            byte[] chunk = bytes(1 + random.nextInt(5 * Constants.PAGE_SIZE));
            ChunkPatch.Builder patch = new ChunkPatch.Builder(chunk);
            for (int page = 0; page < ChunkPatch.pageCount(chunk.length); page++) {
                if (random.nextBoolean()) {
                    patch.add(page);
                }
            }
            return new Chunk(streamId(), epoch(), random.nextInt() >>> 1, codec, chunk.length, patch.build());
        }
        int rawLength = 1 + random.nextInt(Constants.MAX_RAW_LENGTH);
        return codec == Constants.CODEC_ZERO ? Chunk.zeros(streamId(), epoch(), random.nextInt() >>> 1, rawLength)
                : new Chunk(streamId(), epoch(), random.nextInt() >>> 1, codec, rawLength, bytes(1 + random.nextInt(500)));
    }

    /** 1..1024 strictly increasing indices, the last perhaps 2^31-1. */
    private Refine refine() {
        int[] indices = new int[1 + random.nextInt(Constants.MAX_REFINE_INDICES)];
        int next = random.nextInt(1000);
        for (int i = 0; i < indices.length; i++) {
            indices[i] = next;
            next += 1 + random.nextInt(1000);
        }
        if (random.nextBoolean()) {
            indices[indices.length - 1] = Integer.MAX_VALUE;
        }
        return new Refine(streamId(), epoch(), random.nextLong(), indices);
    }

    private int streamId() {
        return pick(1, Integer.MAX_VALUE, 1 + random.nextInt(Integer.MAX_VALUE));
    }

    private long epoch() {
        return random.nextInt(4) == 0 ? Long.MAX_VALUE : 1 + (random.nextLong() >>> 1) % Long.MAX_VALUE;
    }

    /** One of the edge values, or the random one, so limits are exercised often. */
    private int pick(int low, int high, int other) {
        return switch (random.nextInt(4)) {
            case 0 -> low;
            case 1 -> high;
            default -> other;
        };
    }

    private int pick(int low, int other) {
        return random.nextBoolean() ? low : other;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** A string of 0..maxBytes UTF-8 bytes (at least minBytes) mixing 1- to 4-byte characters. */
    private String text(int maxBytes, int minBytes) {
        int[] samples = {'a', 'Z', '0', ' ', 0x7F, 0xE4, 0x7FF, 0x800, 0x20AC, 0xFFFD, 0x10000, 0x1F600, 0x10FFFF};
        StringBuilder sb = new StringBuilder();
        int budget = minBytes + random.nextInt(maxBytes - minBytes + 1);
        int used = 0;
        while (true) {
            int cp = samples[random.nextInt(samples.length)];
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + n > budget) {
                break;
            }
            sb.appendCodePoint(cp);
            used += n;
        }
        while (used < minBytes) {
            sb.append('x');
            used++;
        }
        return sb.toString();
    }
}
