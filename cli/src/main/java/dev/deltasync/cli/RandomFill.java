package dev.deltasync.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Fills memory with incompressible bytes fast (xorshift64*), for benchmarks and the demo. */
final class RandomFill {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private RandomFill() {}

    static void fill(MemorySegment segment, long seed) {
        long x = seed | 1;
        long size = segment.byteSize();
        long offset = 0;
        for (; offset + 8 <= size; offset += 8) {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            segment.set(LONG, offset, x * 0x2545F4914F6CDD1DL);
        }
        for (; offset < size; offset++) {
            segment.set(ValueLayout.JAVA_BYTE, offset, (byte) (x >>> (8 * (offset & 7))));
        }
    }
}
