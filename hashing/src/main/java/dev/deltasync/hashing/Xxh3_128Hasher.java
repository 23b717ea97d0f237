package dev.deltasync.hashing;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.MemorySegment;

/**
 * XXH3-128 (seed 0), digest in canonical XXH128 order (high, low): through the system's xxHash (in place, or on a
 * heap copy for a file mapping: {@link ArrayWindow#safeForNativeRead})
 * ({@link NativeXxh3}) where {@link Xxh3Backend} found it, else via hash4j's {@code byte[]} path like
 * {@link Xxh3_64Hasher}; hash4j also takes segments too large for one native call and the first chunks of a
 * cold JVM, until the native call is bound.
 */
final class Xxh3_128Hasher implements ChunkHasher {
    private static final Hasher128 XXH3 = Hashing.xxh3_128();

    private final boolean useNative;
    private final NativeXxh3.Result128 result; // null: hash4j only
    private final String implementation;
    private final ArrayWindow window = new ArrayWindow();
    private final NativeWindow nativeWindow = new NativeWindow();
    private FfiXxh3_128.Call ffiCall;

    Xxh3_128Hasher() {
        this(Xxh3Backend.chosen());
    }

    Xxh3_128Hasher(Xxh3Backend backend) {
        this.useNative = backend.isNative();
        this.result = useNative ? new NativeXxh3.Result128() : null;
        this.implementation = backend.description();
    }

    /** {@link HashAlgorithm#prepare()}: the first asks start the bindings in the background. */
    static void prepare() {
        if (Xxh3Backend.chosen().isNative()) {
            NativeXxh3.ffi128(); // what scans use; the plain handle (for single chunks) binds on first use
        }
    }

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.XXH3_128;
    }

    @Override
    public String implementation() {
        return implementation;
    }

    @Override
    public void hash(MemorySegment data, byte[] out, int offset) {
        if (useNative && data.byteSize() <= NativeXxh3.MAX_LENGTH && NativeXxh3.ready128()) {
            NativeXxh3.hash128(window.safeForNativeRead(data), result);
            BigEndian.putLong(out, offset, result.high64());
            BigEndian.putLong(out, offset + 8, result.low64());
            return;
        }
        HashValue128 h = window.view(data)
                ? XXH3.hashBytesTo128Bits(window.array(), window.offset(), window.length())
                : XXH3.hashBytesTo128Bits(data, 0, data.byteSize(), Xxh3_64Hasher.SEGMENT_ACCESS);
        BigEndian.putLong(out, offset, h.getMostSignificantBits());
        BigEndian.putLong(out, offset + 8, h.getLeastSignificantBits());
    }

    /**
     * Native memory and mappings go native a window at a time: through libffi once that is bound, else through the
     * plain downcall once that is, else hash4j.
     */
    @Override
    public void hashChunks(MemorySegment region, long offset, long length, int chunkSize, byte[] out, int outOffset) {
        FfiXxh3_128.Call call = useNative && region.isNative() ? ffiCall() : null;
        if (call == null && (!useNative || !region.isNative() || !NativeXxh3.ready128())) {
            ChunkHasher.super.hashChunks(region, offset, length, chunkSize, out, outOffset);
            return;
        }
        nativeWindow.forEachChunk(region, offset, length, chunkSize, (staged, at, len, n) -> {
            int to = outOffset + n * 16;
            if (call != null) {
                call.hash(staged.address() + at, len);
                BigEndian.putLong(out, to, call.high64());
                BigEndian.putLong(out, to + 8, call.low64());
            } else {
                NativeXxh3.hash128(staged.asSlice(at, len), result);
                BigEndian.putLong(out, to, result.high64());
                BigEndian.putLong(out, to + 8, result.low64());
            }
        });
    }

    /** This hasher's libffi call, once {@link NativeXxh3#ffi128()} is bound; null until then, or where it can't be. */
    private FfiXxh3_128.Call ffiCall() {
        if (ffiCall == null) {
            ffiCall = NativeXxh3.ffi128().map(FfiXxh3_128::newCall).orElse(null);
        }
        return ffiCall;
    }
}
