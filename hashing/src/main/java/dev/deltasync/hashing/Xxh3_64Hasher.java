package dev.deltasync.hashing;

import com.dynatrace.hash4j.hashing.ByteAccess;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.MemorySegment;

/**
 * XXH3-64 (seed 0): through the system's xxHash ({@link NativeXxh3}; a file mapping through a heap copy,
 * {@link ArrayWindow#safeForNativeRead}) where {@link Xxh3Backend}
 * found it (hash4j until it is bound), else via hash4j (bench/Xxh3LibraryBenchmark shows why hash4j rather than
 * zero-allocation-hashing).
 * hash4j reads chunks through its {@code byte[]} path ({@link ArrayWindow} says why); only segments too large
 * to copy are read in place through its FFM {@link ByteAccess}.
 */
final class Xxh3_64Hasher implements ChunkHasher {
    static final ByteAccess<MemorySegment> SEGMENT_ACCESS = ByteAccess.forMemorySegment(MemorySegment.class);
    private static final Hasher64 XXH3 = Hashing.xxh3_64();

    private final boolean useNative;
    private final String implementation;
    private final ArrayWindow window = new ArrayWindow();
    private final NativeWindow nativeWindow = new NativeWindow();

    Xxh3_64Hasher() {
        this(Xxh3Backend.chosen());
    }

    Xxh3_64Hasher(Xxh3Backend backend) {
        this.useNative = backend.isNative();
        this.implementation = backend.description();
    }

    /** {@link HashAlgorithm#prepare()}: the first asks start the bindings in the background. */
    static void prepare() {
        if (Xxh3Backend.chosen().isNative()) {
            NativeXxh3.ready64();
        }
    }

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.XXH3_64;
    }

    @Override
    public String implementation() {
        return implementation;
    }

    @Override
    public void hash(MemorySegment data, byte[] out, int offset) {
        long hash;
        if (useNative && data.byteSize() <= NativeXxh3.MAX_LENGTH && NativeXxh3.ready64()) {
            hash = NativeXxh3.hash64(window.safeForNativeRead(data));
        } else {
            hash = window.view(data)
                    ? XXH3.hashBytesToLong(window.array(), window.offset(), window.length())
                    : XXH3.hashBytesToLong(data, 0, data.byteSize(), SEGMENT_ACCESS);
        }
        BigEndian.putLong(out, offset, hash);
    }

    /** Native memory and mappings go native a window at a time (see {@link NativeWindow}). */
    @Override
    public void hashChunks(MemorySegment region, long offset, long length, int chunkSize, byte[] out, int outOffset) {
        if (!useNative || !region.isNative() || !NativeXxh3.ready64()) {
            ChunkHasher.super.hashChunks(region, offset, length, chunkSize, out, outOffset);
            return;
        }
        nativeWindow.forEachChunk(region, offset, length, chunkSize, (staged, at, len, n) ->
                BigEndian.putLong(out, outOffset + n * 8, NativeXxh3.hash64(staged.asSlice(at, len))));
    }
}
