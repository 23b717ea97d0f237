package dev.deltasync.mux;

import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The frames a connection writes on its own, not for an engine: PONGs, WINDOW_UPDATEs and RESETs that answer a
 * refused or malformed frame. While the socket cannot take more (the peer does not read), nothing piles up in
 * the outbound buffer (PROTOCOL.md §7.1): the PONG for the latest PING replaces an older one, credit grants add
 * up per stream (so a peer that does not read gets no new credit either), and at most {@link #MAX_HELD_RESETS}
 * RESETs wait; a peer that makes this side hold more is refused ({@link #answer} returns false).
 * Event loop only.
 */
final class ControlWriter {
    static final int MAX_HELD_RESETS = 64;

    /** Where frames go: the channel, seen only through what this class needs. */
    interface Sink {
        boolean writable();

        void write(Frame frame);

        void flush();

        /** The channel of the context {@code ctx} gives when asked. */
        static Sink of(Supplier<ChannelHandlerContext> ctx) {
            return new Sink() {
                @Override
                public boolean writable() {
                    return ctx.get().channel().isWritable();
                }

                @Override
                public void write(Frame frame) {
                    ctx.get().write(frame);
                }

                @Override
                public void flush() {
                    ctx.get().flush();
                }
            };
        }
    }

    private final Sink sink;
    private Pong heldPong;
    private final Map<Integer, Integer> heldGrants = new LinkedHashMap<>();
    private final ArrayDeque<Reset> heldResets = new ArrayDeque<>();

    ControlWriter(Sink sink) {
        this.sink = sink;
    }

    /** The socket this writer writes to, for the connection's other writers. */
    Sink sink() {
        return sink;
    }

    /** Answers {@code ping} now, or, while the peer does not read, as the one PONG held for later. */
    void pong(Ping ping) {
        if (sink.writable()) {
            sink.write(ping.pong());
            sink.flush();
        } else {
            heldPong = ping.pong();
        }
    }

    /**
     * Grants {@code increment} bytes of credit on {@code streamId} (0: the connection), or adds it to the grant
     * held for when the peer reads again. True when a frame was written that still needs a flush.
     */
    boolean grant(int streamId, int increment) {
        if (sink.writable()) {
            sink.write(new WindowUpdate(streamId, increment));
            return true;
        }
        heldGrants.merge(streamId, increment, Integer::sum);
        return false;
    }

    /** Writes a RESET this side owes the peer; false when the peer does not read and too many already wait. */
    boolean answer(Reset reset) {
        if (sink.writable()) {
            sink.write(reset);
            sink.flush();
            return true;
        }
        if (heldResets.size() >= MAX_HELD_RESETS) {
            return false;
        }
        heldResets.add(reset);
        return true;
    }

    /** The socket takes frames again: everything held goes out, ahead of stream frames (PROTOCOL.md §7). */
    void writable() {
        boolean wrote = heldPong != null || !heldGrants.isEmpty() || !heldResets.isEmpty();
        if (heldPong != null) {
            sink.write(heldPong);
            heldPong = null;
        }
        heldGrants.forEach((id, increment) -> sink.write(new WindowUpdate(id, increment)));
        heldGrants.clear();
        while (!heldResets.isEmpty()) {
            sink.write(heldResets.poll());
        }
        if (wrote) {
            sink.flush();
        }
    }
}
