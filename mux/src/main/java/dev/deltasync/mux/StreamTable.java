package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.ProtocolException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A connection's open streams, their send rotation and the stream-id rules (PROTOCOL.md §5.1). Event loop only.
 */
final class StreamTable {
    private final boolean client;
    private final Map<Integer, MuxStream> streams = new HashMap<>();
    private final ArrayDeque<MuxStream> rotation = new ArrayDeque<>();
    private int nextStreamId = 1;
    private int highestPeerStreamId;

    StreamTable(boolean client) {
        this.client = client;
    }

    MuxStream get(int id) {
        return streams.get(id);
    }

    int size() {
        return streams.size();
    }

    /**
     * A client's next stream, made by {@code newStream} (which adds it here) for the next odd id; refused while
     * the {@code peerMaxStreams} the peer's HELLO allows are open.
     */
    MuxStream openNext(int peerMaxStreams, IntFunction<MuxStream> newStream) throws StreamClosedException {
        if (streams.size() >= peerMaxStreams) {
            throw new StreamClosedException(ErrorCode.REFUSED_STREAM.code(),
                    "the peer allows at most " + peerMaxStreams + " concurrent streams", false);
        }
        int id = nextStreamId;
        nextStreamId += 2;
        return newStream.apply(id);
    }

    /** A server accepts the id of a peer's OPEN: odd and above every id before (§5.1), else a connection error. */
    void acceptPeerId(int id) throws ProtocolException {
        if ((id & 1) == 0 || id <= highestPeerStreamId) {
            throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                    "stream id %d is not odd and above the last one (%d)", id, highestPeerStreamId);
        }
        highestPeerStreamId = id;
    }

    /** The highest stream id the peer opened, for GOAWAY. */
    int highestPeerStreamId() {
        return highestPeerStreamId;
    }

    /** True for an id no stream ever had on this connection (a server: above the peer's last; a client: not ours). */
    boolean neverOpened(int id) {
        return client ? (id & 1) == 0 || id >= nextStreamId : id > highestPeerStreamId;
    }

    MuxStream add(MuxStream stream) {
        streams.put(stream.id(), stream);
        rotation.add(stream);
        return stream;
    }

    MuxStream forget(int id) {
        MuxStream stream = streams.remove(id);
        if (stream != null) {
            rotation.remove(stream);
        }
        return stream;
    }

    /** Forgets every stream; returns those that were open. */
    List<MuxStream> clear() {
        List<MuxStream> open = List.copyOf(streams.values());
        streams.clear();
        rotation.clear();
        return open;
    }

    /**
     * One round-robin turn (§6.2): each stream in rotation may write one frame, so a large region cannot starve the
     * others; a stream whose RESET left is forgotten. True when anything was written.
     */
    boolean turn(FlowWindow connectionWindow, ControlWriter.Sink sink) {
        boolean wrote = false;
        for (int i = rotation.size(); i > 0 && sink.writable(); i--) {
            MuxStream stream = rotation.poll();
            var frame = stream.pollSendable(connectionWindow);
            if (frame != null) {
                sink.write(frame);
                wrote = true;
                if (frame instanceof dev.deltasync.protocol.Reset) {
                    forget(stream.id());
                }
            }
            if (streams.get(stream.id()) == stream) {
                rotation.add(stream);
            }
        }
        return wrote;
    }
}
