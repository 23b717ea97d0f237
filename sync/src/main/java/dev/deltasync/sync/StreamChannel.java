package dev.deltasync.sync;

import dev.deltasync.mux.MuxStream;
import dev.deltasync.mux.StreamClosedException;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.sync.codec.Compression;
import java.time.Duration;

/**
 * The engine's view of a stream: counts wire bytes into {@link SyncStats}, turns the end of a stream
 * into a {@link SyncException} with its code, and resets the stream when the peer breaks the sync
 * rules, so every failure leaves the stream closed with a reason the peer can read.
 */
final class StreamChannel implements AutoCloseable {
    private final MuxStream stream;
    private final SyncStats stats;
    private final RateLimit rateLimit;
    private Runnable whenEnding = () -> { };

    StreamChannel(MuxStream stream, SyncStats stats, RateLimit rateLimit) {
        this.stream = stream;
        this.stats = stats;
        this.rateLimit = rateLimit;
    }

    int id() {
        return stream.id();
    }

    /** The connection the stream belongs to, as a key (what the server charges a connection's streams to). */
    Object connection() {
        return stream.peer(); // one Peer per connection, compared by identity
    }

    /** True when the connection speaks protocol v2 or later: streams have lineages (PROTOCOL.md §3.4). */
    boolean hasLineages() {
        return StreamLineage.spokenIn(stream.peer().version());
    }

    /** The largest frame payload the peer accepts. */
    int peerMaxFramePayload() {
        return stream.peer().maxFramePayload();
    }

    /** True when both sides' HELLOs list the hash (PROTOCOL.md §9.2). */
    boolean hashAgreed(int hashId) {
        return stream.peer().hashAgreed(hashId);
    }

    /** What the source may actually use: zstd only when the peer's HELLO lists it (PROTOCOL.md §9.4). */
    Compression usable(Compression wanted) {
        return wanted.enabled() && stream.peer().decodes(Constants.CODEC_ZSTD)
                ? wanted : Compression.NONE;
    }

    /** True when the peer's HELLO lists zero chunks (codec 2, PROTOCOL.md §4.9): a source may send them. */
    boolean decodesZeroChunks() {
        return stream.peer().decodes(Constants.CODEC_ZERO);
    }

    /** True when the peer's HELLO lists runs (codec 3, PROTOCOL.md §4.9): a source may send consecutive chunks as one. */
    boolean decodesRuns() {
        return stream.peer().decodes(Constants.CODEC_RUN);
    }

    /** True when the peer's HELLO lists patches (codec 4): it answers REFINE, a source may refine (PROTOCOL.md §9.9). */
    boolean decodesPatches() {
        return stream.peer().decodes(Constants.CODEC_PATCH);
    }

    /** True when our own HELLO lists the codec: a CHUNK in any other is UNSUPPORTED_PARAMETER (PROTOCOL.md §9.4). */
    boolean advertised(int codecId) {
        return stream.peer().weDecode(codecId);
    }

    void send(Frame frame) throws SyncException, InterruptedException {
        int length = FrameCodec.encodedLength(frame);
        rateLimit.acquire(length);
        try {
            stream.send(frame);
        } catch (StreamClosedException e) {
            throw ended(e);
        }
        stats.sent(length);
    }

    Frame receive() throws SyncException, InterruptedException {
        return receive(null);
    }

    /** The next frame, or null once {@code timeout} passed without one (null: no timeout). */
    Frame receive(Duration timeout) throws SyncException, InterruptedException {
        Frame frame;
        try {
            frame = stream.receive(timeout);
        } catch (StreamClosedException e) {
            throw ended(e);
        }
        if (frame != null) {
            int length = FrameCodec.encodedLength(frame);
            stats.received(length);
            rateLimit.acquire(length); // holds back the next credit for the peer
        }
        return frame;
    }

    /** Throws the stream's end, as {@link #send} would, once it has ended for any reason; else returns. */
    void throwIfEnded() throws SyncException {
        try {
            stream.throwIfClosed();
        } catch (StreamClosedException e) {
            throw ended(e);
        }
    }

    /** Receives a frame of {@code type}; anything else breaks the sync rules and resets the stream. */
    <T extends Frame> T expect(Class<T> type, String when) throws SyncException, InterruptedException {
        Frame frame = receive();
        if (!type.isInstance(frame)) {
            throw violation(ErrorCode.PROTOCOL_ERROR, "expected %s %s, got %s", type.getSimpleName(), when, frame);
        }
        return type.cast(frame);
    }

    /** Resets the stream with {@code code} and returns the exception for the caller to throw. */
    SyncException violation(ErrorCode code, String format, Object... args) {
        String message = String.format(format, args);
        ending();
        stream.reset(code, message);
        return new SyncException(code, message);
    }

    SyncException violation(ProtocolException e) {
        return violation(e.code(), "%s", e.getMessage());
    }

    /** Done with the stream, however it ended: see {@link MuxStream#release()}. */
    @Override
    public void close() {
        stream.release();
    }

    /** Ends the stream normally (RESET NO_ERROR). */
    void finish(String reason) {
        ending();
        stream.reset(ErrorCode.NO_ERROR, reason);
    }

    /**
     * Runs {@code action} once, if and when this side ends the stream: just before its RESET leaves, so
     * the peer cannot act on the RESET first. Actions run in the reverse order of their registration, like
     * resources closed by {@code try}: what was set up last (a pass over the file) ends before what it uses (the
     * file's lock).
     */
    void whenEnding(Runnable action) {
        Runnable earlier = whenEnding;
        whenEnding = () -> {
            action.run();
            earlier.run();
        };
    }

    private void ending() {
        Runnable action = whenEnding;
        whenEnding = () -> { };
        action.run();
    }

    private static SyncException ended(StreamClosedException e) {
        String who = e.byPeer() ? "peer ended the stream" : "stream ended";
        return new SyncException(e.errorCode(), who + ": " + e.errorCode() + (e.getMessage() == null ? ""
                : " (" + e.getMessage() + ")"), e);
    }

    /** True for the end of a stream that means "done", not "failed". */
    static boolean isNormalEnd(SyncException e) {
        return e.code() == ErrorCode.NO_ERROR;
    }
}
