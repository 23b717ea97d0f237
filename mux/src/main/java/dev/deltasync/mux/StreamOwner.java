package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;

/** What a stream asks of its connection; all of it runs on the connection's event loop, later. */
interface StreamOwner {
    /** The stream has frames to send. */
    void schedulePump();

    /** The engine consumed {@code bytes} of flow-controlled frames: grant them back (PROTOCOL.md §6.3). */
    void returnCredit(MuxStream stream, int bytes);

    /** This side ends the stream with {@code code}. */
    void resetStream(MuxStream stream, ErrorCode code, String reason);

    /** The engine is done with the stream: credit of frames it will never take goes back to the connection. */
    void releaseCredit(MuxStream stream);
}
