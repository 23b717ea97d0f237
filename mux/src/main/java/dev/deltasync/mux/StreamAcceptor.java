package dev.deltasync.mux;

/**
 * Serves a stream a client opened. Called on a fresh virtual thread per stream; the stream's first
 * frame ({@code receive()}) is the client's OPEN, which the acceptor answers with OPEN_OK or a RESET.
 * Returning (or throwing) without ending the stream resets it.
 */
@FunctionalInterface
public interface StreamAcceptor {
    void accept(MuxStream stream) throws Exception;
}
