package dev.deltasync.mux;

import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Hello;
import java.time.Duration;

/**
 * What this side of a connection advertises and enforces. Defaults suit a LAN; the windows bound how
 * much memory a peer can make us hold (per stream and per connection).
 *
 * @param maxFramePayload    largest frame payload we accept (PROTOCOL.md, HELLO)
 * @param maxStreams         concurrent streams a client may open to us
 * @param streamWindow       receive credit per stream
 * @param connectionWindow   receive credit for the whole connection
 * @param hashIds            hash algorithm ids we support
 * @param codecIds           codec ids we support besides "none"
 * @param pingInterval       a PING is sent after this long without writing
 * @param idleTimeout        a peer silent this long is gone
 * @param handshakeTimeout   a peer must complete the TLS handshake and HELLO within this long (slow-loris guard)
 * @param maxQueuedFrames    control frames a stream may have waiting for the engine before it is reset
 * @param tls                TLS 1.3 with this identity and trust, or null for plaintext (PROTOCOL.md §12)
 * @param maxVersion         the newest protocol version we offer in HELLO (PROTOCOL.md §3.3); lower only to test
 *                           how a peer of that version is served
 */
public record MuxConfig(int maxFramePayload, int maxStreams, int streamWindow, int connectionWindow,
                        byte[] hashIds, byte[] codecIds, Duration pingInterval, Duration idleTimeout,
                        Duration handshakeTimeout, int maxQueuedFrames, TlsSettings tls, int maxVersion) {

    public MuxConfig {
        if (maxVersion < Constants.MIN_VERSION || maxVersion > Constants.MAX_VERSION) {
            throw new IllegalArgumentException("protocol version " + maxVersion + " not in " + Constants.MIN_VERSION
                    + ".." + Constants.MAX_VERSION);
        }
    }

    /** Plaintext: for in-process use and tests; the command line uses it only with {@code --insecure}. */
    public MuxConfig(int maxFramePayload, int maxStreams, int streamWindow, int connectionWindow,
                     byte[] hashIds, byte[] codecIds, Duration pingInterval, Duration idleTimeout,
                     Duration handshakeTimeout, int maxQueuedFrames) {
        this(maxFramePayload, maxStreams, streamWindow, connectionWindow, hashIds, codecIds, pingInterval,
                idleTimeout, handshakeTimeout, maxQueuedFrames, null, Constants.MAX_VERSION);
    }

    /**
     * Every hash and codec of protocol v1, the default windows, a PING every 5 s, silence for 30 s ends it,
     * 10 s for the handshake; <b>plaintext</b> until {@link #withTls} is applied.
     */
    public static MuxConfig defaults() {
        Hello protocol = Hello.defaults(); // the one list of v1's hashes and codecs
        return new MuxConfig(protocol.maxFramePayload(), protocol.maxStreams(), protocol.streamWindow(),
                protocol.connectionWindow(), protocol.hashIds(), protocol.codecIds(),
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10), 64, null, Constants.MAX_VERSION);
    }

    /** True when connections carry frames in the clear, with no peer authentication. */
    public boolean plaintext() {
        return tls == null;
    }

    public MuxConfig withTls(TlsSettings tls) {
        return new MuxConfig(maxFramePayload, maxStreams, streamWindow, connectionWindow, hashIds, codecIds,
                pingInterval, idleTimeout, handshakeTimeout, maxQueuedFrames, tls, maxVersion);
    }

    public MuxConfig withWindows(int streamWindow, int connectionWindow) {
        return new MuxConfig(maxFramePayload, maxStreams, streamWindow, connectionWindow, hashIds, codecIds,
                pingInterval, idleTimeout, handshakeTimeout, maxQueuedFrames, tls, maxVersion);
    }

    public MuxConfig withMaxStreams(int maxStreams) {
        return new MuxConfig(maxFramePayload, maxStreams, streamWindow, connectionWindow, hashIds, codecIds,
                pingInterval, idleTimeout, handshakeTimeout, maxQueuedFrames, tls, maxVersion);
    }

    public MuxConfig withKeepalive(Duration pingInterval, Duration idleTimeout) {
        return new MuxConfig(maxFramePayload, maxStreams, streamWindow, connectionWindow, hashIds, codecIds,
                pingInterval, idleTimeout, handshakeTimeout, maxQueuedFrames, tls, maxVersion);
    }

    public MuxConfig withHandshakeTimeout(Duration handshakeTimeout) {
        return new MuxConfig(maxFramePayload, maxStreams, streamWindow, connectionWindow, hashIds, codecIds,
                pingInterval, idleTimeout, handshakeTimeout, maxQueuedFrames, tls, maxVersion);
    }

    /** Offers protocol versions up to {@code maxVersion} only, as a peer of that version would. */
    public MuxConfig withMaxVersion(int maxVersion) {
        return new MuxConfig(maxFramePayload, maxStreams, streamWindow, connectionWindow, hashIds, codecIds,
                pingInterval, idleTimeout, handshakeTimeout, maxQueuedFrames, tls, maxVersion);
    }
}
