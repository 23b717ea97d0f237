package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Reset;

/**
 * The answers a peer's frames oblige this side to write (PROTOCOL.md §7.1): PONGs and RESETs of its own, within
 * the {@link AnswerRate} and the answers {@link ControlWriter} holds for a peer that does not read. Beyond either,
 * a connection error ENHANCE_YOUR_CALM. Event loop only.
 */
final class Answers {
    private final AnswerRate rate = new AnswerRate(System.nanoTime());
    private final ControlWriter control;

    Answers(ControlWriter control) {
        this.control = control;
    }

    void pong(Ping ping) throws ProtocolException {
        spend("PINGs");
        control.pong(ping);
    }

    /** A RESET that answers a refused OPEN or a malformed stream frame. */
    void reset(Reset reset) throws ProtocolException {
        spend("frames refused with RESET");
        if (!control.answer(reset)) {
            throw ProtocolException.connectionError(ErrorCode.ENHANCE_YOUR_CALM,
                    "the peer reads nothing and owes us more than %d RESET answers", ControlWriter.MAX_HELD_RESETS);
        }
    }

    private void spend(String what) throws ProtocolException {
        if (!rate.admit(System.nanoTime())) {
            throw ProtocolException.connectionError(ErrorCode.ENHANCE_YOUR_CALM,
                    "%s answered faster than %d a second (after a burst of %d)", what, AnswerRate.PER_SECOND,
                    AnswerRate.BURST);
        }
    }
}
