package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AnswerRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstIsAdmittedAndTheNextAnswerIsNot() {
        AnswerRate rate = new AnswerRate(0);
        for (int i = 0; i < AnswerRate.BURST; i++) {
            assertTrue(rate.admit(0), "answer " + i + " of the burst");
        }
        assertFalse(rate.admit(0));
    }

    @Test
    void theBucketRefillsAtTheStatedRate() {
        AnswerRate rate = new AnswerRate(0);
        for (int i = 0; i < AnswerRate.BURST; i++) {
            rate.admit(0);
        }
        long now = SECOND / 2; // half a second buys PER_SECOND / 2 answers, no more
        for (int i = 0; i < AnswerRate.PER_SECOND / 2; i++) {
            assertTrue(rate.admit(now), "refilled answer " + i);
        }
        assertFalse(rate.admit(now));
    }

    @Test
    void aPeerWithinBurstPlusRateTimesTIsNeverRefused() {
        SplittableRandom random = new SplittableRandom(7);
        AnswerRate rate = new AnswerRate(0);
        long now = 0;
        for (int i = 0; i < 100_000; i++) {
            now += SECOND / AnswerRate.PER_SECOND + random.nextLong(1000); // a little slower than the rate
            assertTrue(rate.admit(now), "answer " + i);
        }
    }

    @Test
    void aPeerFasterThanTheRateIsRefusedEventually() {
        AnswerRate rate = new AnswerRate(0);
        long now = 0;
        int admitted = 0;
        while (rate.admit(now)) {
            now += SECOND / (2 * AnswerRate.PER_SECOND); // twice the rate
            admitted++;
        }
        assertTrue(admitted >= AnswerRate.BURST && admitted <= 2 * AnswerRate.BURST + 1, "admitted " + admitted);
    }
}
