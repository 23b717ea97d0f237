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

    Xxh3_128Hasher() {
        this(Xxh3Backend.chosen());
    }

    Xxh3_128Hasher(Xxh3Backend backend) {
        this.useNative = backend.isNative();
        this.result = useNative ? new NativeXxh3.Result128() : null;
        this.implementation = backend.description();
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
}
