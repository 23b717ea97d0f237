package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A peer that does not read makes this side hold a bounded set of frames, never a queue. */
class ControlWriterTest {
    /** A socket buffer that is full or not, as the test says. */
    private final RecordingSink socket = new RecordingSink();
    private final ControlWriter writer = new ControlWriter(socket);

    @Test
    void whileThePeerReadsEveryPingIsAnsweredAtOnce() {
        for (int i = 0; i < 3; i++) {
            writer.pong(new Ping(i));
        }
        assertEquals(List.of(new Pong(0), new Pong(1), new Pong(2)), socket.written);
        assertEquals(3, socket.flushes);
    }

    @Test
    void whileThePeerDoesNotReadOnlyTheLatestPongIsHeld() {
        socket.writable = false;
        for (int i = 0; i < 100_000; i++) {
            writer.pong(new Ping(i));
        }
        assertTrue(socket.written.isEmpty());
        socket.writable = true;
        writer.writable();
        assertEquals(List.of(new Pong(99_999)), socket.written);
    }

    @Test
    void creditIsHeldAndAddedUpWhileThePeerDoesNotRead() {
        socket.writable = false;
        assertFalse(writer.grant(0, 100));
        assertFalse(writer.grant(3, 10));
        assertFalse(writer.grant(0, 200));
        assertTrue(socket.written.isEmpty());
        socket.writable = true;
        writer.writable();
        assertEquals(List.of(new WindowUpdate(0, 300), new WindowUpdate(3, 10)), socket.written);
        assertTrue(writer.grant(5, 1));
        assertEquals(new WindowUpdate(5, 1), socket.written.getLast());
    }

    @Test
    void resetAnswersAreHeldUpToTheCapThenRefused() {
        socket.writable = false;
        for (int i = 0; i < ControlWriter.MAX_HELD_RESETS; i++) {
            assertTrue(writer.answer(Reset.of(2 * i + 1, ErrorCode.REFUSED_STREAM, "full")));
        }
        assertFalse(writer.answer(Reset.of(999, ErrorCode.REFUSED_STREAM, "full")));
        socket.writable = true;
        writer.writable();
        assertEquals(ControlWriter.MAX_HELD_RESETS, socket.written.size());
        assertEquals(1, socket.flushes);
    }
}
