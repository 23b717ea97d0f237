package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.lang.invoke.MethodHandles;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The native XXH3 ({@link NativeXxh3}) and hash4j give the same digests, for every length 0..4096 at every
 * offset 0..7, from heap arrays, native memory and a read-only file mapping (the three kinds of segment
 * deltasync hashes); and the fallback is chosen when the library is missing or hash4j is asked for.
 * Native cases are skipped where libxxhash is not installed. The random input is seeded: the seed is printed,
 * and {@code -Ddeltasync.test.seed=N} replays it.
 */
class Xxh3BackendsTest {
    private static final int MAX_LEN = 4096;
    private static final int OFFSETS = 8;
    private static final long SEED = Long.getLong("deltasync.test.seed", new SplittableRandom().nextLong());
    private static final Xxh3Backend NATIVE = Xxh3Backend.choose("auto", () -> NativeXxh3.BINDING);
    private static final Xxh3Backend HASH4J = Xxh3Backend.hash4j("test");

    @BeforeAll
    static void printSeedAndBind() {
        System.out.println("Xxh3BackendsTest seed " + SEED + " (replay with -Ddeltasync.test.seed=" + SEED + ")");
        if (NATIVE.isNative()) {
            NativeXxh3.bindNow(); // else the first calls would go to hash4j, and native would be tested against itself
            assertTrue(NativeXxh3.ready64() && NativeXxh3.ready128(), "native XXH3 is bound");
        }
    }

    private static byte[] randomBytes(int length) {
        byte[] b = new byte[length];
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    private static ChunkHasher hasher(HashAlgorithm algorithm, Xxh3Backend backend) {
        return switch (algorithm) {
            case XXH3_64 -> new Xxh3_64Hasher(backend);
            case XXH3_128 -> new Xxh3_128Hasher(backend);
            default -> throw new IllegalArgumentException(algorithm + " has no XXH3 backend");
        };
    }

    @ParameterizedTest
    @EnumSource(value = HashAlgorithm.class, names = {"XXH3_64", "XXH3_128"})
    void nativeMatchesHash4jForEveryLengthOffsetAndKindOfSegment(HashAlgorithm algorithm, @TempDir Path dir)
            throws IOException {
        assumeTrue(NATIVE.isNative(), NATIVE.description());
        byte[] bytes = randomBytes(MAX_LEN + OFFSETS);
        Path file = Files.write(dir.resolve("random.bin"), bytes);
        ChunkHasher nativeHasher = hasher(algorithm, NATIVE); // reused, as workers reuse theirs
        ChunkHasher javaHasher = hasher(algorithm, HASH4J);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment offHeap = arena.allocate(bytes.length, 64);
            MemorySegment.copy(bytes, 0, offHeap, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            MemorySegment heap = MemorySegment.ofArray(bytes);
            for (MemorySegment whole : new MemorySegment[] {heap, offHeap, mapped}) {
                for (int offset = 0; offset < OFFSETS; offset++) {
                    for (int len = 0; len <= MAX_LEN; len++) {
                        MemorySegment slice = whole.asSlice(offset, len);
                        int o = offset;
                        int l = len;
                        assertArrayEquals(javaHasher.hash(slice), nativeHasher.hash(slice), () -> algorithm
                                + " native differs from hash4j at length " + l + ", offset " + o + ", "
                                + (whole.isNative() ? whole.isReadOnly() ? "mapped" : "native" : "heap")
                                + " segment, seed " + SEED);
                    }
                }
            }
        }
    }

    /** Digests land at the given offset of the output array and nowhere else. */
    @ParameterizedTest
    @EnumSource(value = HashAlgorithm.class, names = {"XXH3_64", "XXH3_128"})
    void writesOnlyItsDigestAtTheOffset(HashAlgorithm algorithm) {
        assumeTrue(NATIVE.isNative(), NATIVE.description());
        MemorySegment data = MemorySegment.ofArray(randomBytes(100));
        byte[] expected = hasher(algorithm, HASH4J).hash(data);
        byte[] out = new byte[expected.length + 10];
        java.util.Arrays.fill(out, (byte) 0x5A);
        hasher(algorithm, NATIVE).hash(data, out, 5);
        for (int i = 0; i < out.length; i++) {
            byte want = i >= 5 && i < 5 + expected.length ? expected[i - 5] : (byte) 0x5A;
            assertEquals(want, out[i], "byte " + i);
        }
    }

    /** Above NativeXxh3.MAX_LENGTH the native hashers hand over to hash4j: same digests either side of it. */
    @ParameterizedTest
    @EnumSource(value = HashAlgorithm.class, names = {"XXH3_64", "XXH3_128"})
    void segmentsAroundTheNativeLimitMatch(HashAlgorithm algorithm) {
        assumeTrue(NATIVE.isNative(), NATIVE.description());
        int max = (int) NativeXxh3.MAX_LENGTH;
        byte[] bytes = randomBytes(max + 3);
        MemorySegment offHeap = Arena.ofAuto().allocate(bytes.length);
        MemorySegment.copy(bytes, 0, offHeap, ValueLayout.JAVA_BYTE, 0, bytes.length);
        for (int len : new int[] {max - 1, max, max + 1}) {
            for (MemorySegment s : new MemorySegment[] {MemorySegment.ofArray(bytes), offHeap}) {
                MemorySegment slice = s.asSlice(1, len);
                assertArrayEquals(hasher(algorithm, HASH4J).hash(slice), hasher(algorithm, NATIVE).hash(slice),
                        algorithm + " at length " + len + ", seed " + SEED);
            }
        }
    }

    /** The first ask starts making the handle elsewhere and answers false; once made, every ask answers true. */
    @Test
    void aHandleIsMadeInTheBackgroundWhileTheFirstAsksAnswerFalse() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> maker = new AtomicReference<>();
        NativeXxh3.Readiness readiness = new NativeXxh3.Readiness("test", () -> {
            maker.set(Thread.currentThread().getName());
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return MethodHandles.zero(int.class);
        });
        assertFalse(readiness.ready(), "not made yet");
        assertFalse(readiness.ready(), "still not made");
        release.countDown();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!readiness.ready()) {
            assertTrue(System.nanoTime() < deadline, "not ready 60 s after the handle was made");
            Thread.sleep(1);
        }
        assertEquals("deltasync-bind-test", maker.get(), "made on its own thread, not the asker's");
    }

    /** A handle that cannot be made leaves the hashers on hash4j, without an exception escaping. */
    @Test
    void aHandleThatCannotBeMadeIsNeverReady() throws InterruptedException {
        NativeXxh3.Readiness readiness = new NativeXxh3.Readiness("failing", () -> {
            throw new IllegalStateException("no such function");
        });
        readiness.makeNow();
        assertFalse(readiness.ready());
    }

    @Test
    void aMissingLibraryFallsBackToHash4jSayingWhy() {
        Xxh3Backend b = Xxh3Backend.choose("auto", () -> NativeXxh3.bind("libxxhash-not-installed.so.0"));
        assertFalse(b.isNative());
        assertEquals("hash4j (libxxhash-not-installed.so.0 not found)", b.description());
        assertEquals(b.description(), new Xxh3_128Hasher(b).implementation());
    }

    @Test
    void hash4jCanBeForcedAndUnknownModesFallBackNamingTheValue() {
        Xxh3Backend forced = Xxh3Backend.choose("hash4j", () -> {
            throw new AssertionError("the library must not be loaded when hash4j is forced");
        });
        assertFalse(forced.isNative());
        assertEquals("hash4j (deltasync.xxh3=hash4j)", forced.description());
        Xxh3Backend unknown = Xxh3Backend.choose("native", () -> NativeXxh3.BINDING);
        assertFalse(unknown.isNative());
        assertEquals("hash4j (deltasync.xxh3=native is neither auto nor hash4j)", unknown.description());
    }

    /**
     * The JVM-wide choice follows {@value Xxh3Backend#PROPERTY}: the hashing module's tests also run once with
     * it set to hash4j (a second surefire execution), so this holds both ways.
     */
    @Test
    void theChosenBackendFollowsThePropertyAndTheLibrary() {
        String mode = System.getProperty(Xxh3Backend.PROPERTY, "auto");
        String implementation = HashAlgorithm.XXH3_128.newHasher().implementation();
        assertEquals(implementation, HashAlgorithm.XXH3_64.newHasher().implementation());
        if (mode.equals("hash4j")) {
            assertEquals("hash4j (deltasync.xxh3=hash4j)", implementation);
        } else if (NativeXxh3.BINDING.description().isPresent()) {
            assertTrue(implementation.startsWith("native libxxhash.so.0, "), implementation);
        } else {
            assertEquals("hash4j (" + NativeXxh3.BINDING.whyNot() + ")", implementation);
        }
    }
}
