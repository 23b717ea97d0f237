package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import dev.deltasync.protocol.Refine;
import dev.deltasync.protocol.Reset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PROTOCOL.md §9.9 Unanswered: a replica that lists codec 4 but never answers REFINE (as a peer that skips it as an
 * unknown type would) gets a RESET once the source's 60 s deadline passes, instead of both waiting for ever while
 * PINGs keep the connection alive. Takes a minute of waiting, little CPU.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a socket read ignores interrupts
class UnansweredRefineTest extends ServerFixture {
    private static final int BIG = 4 * CHUNK;

    @Test
    void aReplicaThatNeverAnswersRefineIsResetAfterTheDeadline() throws Exception {
        byte[] held = readOnlyOriginal.clone();
        held[Constants.PAGE_SIZE + 7] ^= 1;
        RawPeer peer = pullReadOnly(Hello.defaults().codecIds(), held, BIG);
        peer.readUntil(Refine.class); // and never answered
        Frame frame;
        while (!((frame = peer.read()) instanceof Reset r && r.streamId() == 1)) {
            assertNotNull(frame, "the connection ended without a RESET of the stream");
            if (frame instanceof Ping ping) {
                peer.send(new Pong(ping.opaque())); // alive: only the stream waits
            }
        }
        Reset reset = (Reset) frame;
        assertEquals(ErrorCode.PROTOCOL_ERROR.code(), reset.code(), reset.toString());
        assertTrue(reset.reason().contains("did not answer REFINE"), reset.reason());
        peer.expectAlive(81, 0);
        assertUntouchedAndHealthy();
    }
}
