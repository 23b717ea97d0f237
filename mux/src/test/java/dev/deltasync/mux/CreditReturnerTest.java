package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.Constants;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The batching rule of PROTOCOL.md §6.3: a grant goes out at the latest when T = max(1, min(W/2, W - M)) bytes are
 * consumed and ungranted, and under that rule a sender of frames up to M bytes never waits for ever.
 */
class CreditReturnerTest {
    private static long threshold(long window, long maxFrame) {
        return Math.max(1, Math.min(window / 2, window - maxFrame));
    }

    @Test
    void theGrantGoesOutExactlyWhenTheThresholdIsReached() {
        long window = Constants.DEFAULT_STREAM_WINDOW;
        long maxFrame = Constants.DEFAULT_MAX_FRAME_PAYLOAD;
        CreditReturner credit = new CreditReturner(window, maxFrame);
        long t = threshold(window, maxFrame);
        long consumed = 0;
        while (consumed + 4096 < t) {
            assertTrue(credit.receive(4096));
            assertEquals(0, credit.consume(4096), "no grant below T, after " + consumed);
            consumed += 4096;
        }
        assertTrue(credit.receive(4096));
        assertEquals(consumed + 4096, credit.consume(4096), "everything ungranted goes back at T");
    }

    /** A sender and a receiver that consumes at once: for every window and frame size the sender never stalls. */
    @Test
    void aSenderOfFramesUpToTheMaximumNeverStalls() {
        SplittableRandom random = new SplittableRandom(9);
        int[] maxFrames = {Constants.MIN_FRAME_PAYLOAD, 65536, Constants.DEFAULT_MAX_FRAME_PAYLOAD};
        for (int maxFrame : maxFrames) {
            for (long window : new long[] {maxFrame, maxFrame + 1, 2L * maxFrame - 1, 2L * maxFrame, 3L * maxFrame,
                    Constants.DEFAULT_CONNECTION_WINDOW}) {
                CreditReturner receiver = new CreditReturner(window, maxFrame);
                long sendWindow = window;
                for (int i = 0; i < 5_000; i++) {
                    int frame = i % 3 == 0 ? maxFrame : 1 + random.nextInt(maxFrame);
                    assertTrue(frame <= sendWindow, "stalled: window " + window + ", frames up to " + maxFrame
                            + ", " + sendWindow + " bytes of credit left for a frame of " + frame);
                    sendWindow -= frame;
                    assertTrue(receiver.receive(frame));
                    sendWindow += receiver.consume(frame);
                }
            }
        }
    }
}
