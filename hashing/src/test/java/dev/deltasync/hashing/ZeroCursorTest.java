package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ZeroCursorTest {
    /** Data in [100, 200) and [8192, 12288); counts the look-ups. */
    private static final class Counting implements KnownZeros {
        int lookups;

        @Override
        public long nextData(long from) {
            lookups++;
            return from < 200 ? Math.max(from, 100) : from < 12288 ? Math.max(from, 8192) : Long.MAX_VALUE;
        }

        @Override
        public long dataEnd(long from) {
            lookups++;
            return from < 200 ? 200 : 12288;
        }
    }

    @Test
    void aRangeTouchingDataIsDataAndRunsAreRememberedWhileWalkingForward() {
        Counting zeros = new Counting();
        ZeroCursor cursor = new ZeroCursor(zeros);
        assertFalse(cursor.allZeros(0, 4096), "partly data");
        assertTrue(cursor.allZeros(4096, 4096));
        int before = zeros.lookups;
        assertFalse(cursor.allZeros(8192, 2048));
        assertFalse(cursor.allZeros(10240, 2048));
        assertEquals(before + 2, zeros.lookups, "one data run, two look-ups");
        assertTrue(cursor.allZeros(12288, 1 << 20));
        before = zeros.lookups;
        assertTrue(cursor.allZeros(1 << 30, 4096));
        assertTrue(cursor.allZeros(1L << 40, 4096));
        assertEquals(before, zeros.lookups, "the trailing hole is known after one look-up");
    }

    @Test
    void nothingKnownIsAllData() {
        ZeroCursor cursor = new ZeroCursor(KnownZeros.NONE);
        assertFalse(cursor.allZeros(0, 4096));
        assertFalse(cursor.allZeros(1L << 40, 4096));
    }
}
