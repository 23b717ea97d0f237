package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HashThroughputTest {
    private static final Duration MIN_TIME = Duration.ofMillis(50);

    @Test
    void measuresWholePassesForAtLeastMinTime() {
        MemorySegment region = Arena.ofAuto().allocate(1 << 20);
        HashThroughput.Measurement m = HashThroughput.measure(HashAlgorithm.XXH3_64, region, 65536, 2, MIN_TIME);
        HashThroughput.Result r = m.warm();
        assertTrue(r.nanos() >= MIN_TIME.toNanos(), r::toString);
        assertTrue(r.bytes() > 0 && r.bytes() % region.byteSize() == 0, r::toString);
        assertTrue(r.gbPerSecond() > 0, r::toString);
        assertEquals(region.byteSize(), m.firstPass().bytes(), "the first pass is one pass");
        assertTrue(m.firstPass().nanos() > 0, m::toString);
    }

    @Test
    void memoryReadMeasuresOddSizedRegions() {
        MemorySegment region = Arena.ofAuto().allocate((1 << 20) + 3);
        HashThroughput.Measurement m = HashThroughput.measureMemoryRead(region, 3, MIN_TIME);
        HashThroughput.Result r = m.warm();
        assertEquals(region.byteSize(), m.firstPass().bytes(), "the first pass is one pass");
        assertTrue(r.nanos() >= MIN_TIME.toNanos(), r::toString);
        assertTrue(r.bytes() > 0 && r.bytes() % region.byteSize() == 0, r::toString);
    }

    @Test
    void sumReadsEveryByteIncludingTheTail() {
        MemorySegment region = Arena.ofAuto().allocate(21);
        for (int i = 0; i < 21; i++) {
            region.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
        }
        // Two longs of 0x0101..01 plus five tail bytes of 1.
        assertEquals(2 * 0x0101010101010101L + 5, HashThroughput.sum(region, 0, 21));
        assertEquals(0x0101010101010101L + 5, HashThroughput.sum(region, 8, 21));
    }

    @Test
    void gbPerSecondIsBytesPerNanosecond() {
        assertEquals(2.5, new HashThroughput.Result(5_000_000_000L, 2_000_000_000L).gbPerSecond(), 1e-9);
        assertEquals(0, new HashThroughput.Result(0, 0).gbPerSecond());
    }
}
