package dev.deltasync.sync.hostile;

import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.FrameReader;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-driven client over a plain socket that speaks frames through the protocol's own codec, so a
 * test can send what no well-behaved peer sends (after mux's test helper of the same name). Every read
 * is bounded by the socket timeout: a server that neither answers nor closes fails the test, it never
 * hangs it. WINDOW_UPDATEs the server sends on stream 0 are summed in {@link #connectionCreditGranted}.
 */
final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final FrameReader reader = new FrameReader(Constants.MAX_FRAME_PAYLOAD);
    private final ByteBuf buffer = Unpooled.buffer();
    private final byte[] readBuffer = new byte[65536];
    /** Every frame read so far, in order. */
    final List<Frame> received = new ArrayList<>();
    long connectionCreditGranted;
    private boolean eof;

    RawPeer(int port, int readTimeoutMillis) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    void send(Frame... frames) throws IOException {
        for (Frame frame : frames) {
            out.write(FrameCodec.toBytes(frame));
        }
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Sends a HELLO of protocol version 1 with the default limits and reads the server's: unless a test offers
     * more, this peer is an independent v1 implementation, whose OPENs and EPOCH_ENDs carry no v2 fields.
     */
    Hello handshake() throws Exception {
        return handshake(withVersions(Hello.defaults(), 1, 1));
    }

    static Hello withVersions(Hello hello, int min, int max) {
        return new Hello(min, max, hello.maxFramePayload(), hello.maxStreams(), hello.streamWindow(),
                hello.connectionWindow(), hello.hashIds(), hello.codecIds());
    }

    Hello handshake(Hello ours) throws Exception {
        send(ours);
        Frame first = read();
        if (!(first instanceof Hello hello)) {
            throw new AssertionError("expected the server's HELLO first, got " + first);
        }
        return hello;
    }

    /** The next frame, or null at end of stream; a read timeout fails with an AssertionError. */
    Frame read() throws Exception {
        while (true) {
            Frame frame = reader.read(buffer);
            if (frame != null) {
                received.add(frame);
                if (frame instanceof WindowUpdate update && update.streamId() == 0) {
                    connectionCreditGranted += update.increment();
                }
                return frame;
            }
            if (eof) {
                return null;
            }
            int n;
            try {
                n = in.read(readBuffer);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame from the server within " + socket.getSoTimeout() + " ms; so far: "
                        + summary());
            } catch (SocketException e) {
                n = -1; // reset by the server: as good as closed
            }
            if (n < 0) {
                eof = true;
                continue;
            }
            buffer.writeBytes(readBuffer, 0, n);
        }
    }

    /** Reads until a frame of {@code type} arrives; fails at end of stream or on GOAWAY (unless GOAWAY is wanted). */
    <T extends Frame> T readUntil(Class<T> type) throws Exception {
        while (true) {
            Frame frame = read();
            if (frame == null) {
                throw new AssertionError("connection closed before a " + type.getSimpleName() + " arrived; got "
                        + summary());
            }
            if (type.isInstance(frame)) {
                return type.cast(frame);
            }
            if (frame instanceof GoAway) {
                throw new AssertionError("GOAWAY while waiting for " + type.getSimpleName() + ": " + frame);
            }
        }
    }

    /** Reads until RESET on {@code streamId}; other frames (DIGESTS, WINDOW_UPDATE, PING) are skipped. */
    Reset expectReset(int streamId) throws Exception {
        while (true) {
            Reset reset = readUntil(Reset.class);
            if (reset.streamId() == streamId) {
                return reset;
            }
        }
    }

    Reset expectReset(int streamId, ErrorCode code) throws Exception {
        Reset reset = expectReset(streamId);
        if (reset.errorCode() != code) {
            throw new AssertionError("expected RESET " + code + " on stream " + streamId + ", got " + reset);
        }
        return reset;
    }

    /** Reads until GOAWAY with {@code code}, then until the server closes the connection. */
    GoAway expectGoAway(ErrorCode code) throws Exception {
        GoAway goAway = readUntil(GoAway.class);
        if (goAway.errorCode() != code) {
            throw new AssertionError("expected GOAWAY " + code + ", got " + goAway);
        }
        expectClosed();
        return goAway;
    }

    /** The server closes the connection within the read timeout (frames still in flight are drained). */
    void expectClosed() throws Exception {
        while (read() != null) {
            // drain
        }
    }

    /**
     * The connection is alive and has processed everything sent before: PING answered by PONG, and no
     * GOAWAY or RESET on {@code watchedStream} (0: none) on the way.
     */
    void expectAlive(long opaque, int noResetOn) throws Exception {
        send(new Ping(opaque));
        while (true) {
            Frame frame = read();
            if (frame == null) {
                throw new AssertionError("connection closed, expected PONG; got " + summary());
            }
            if (frame instanceof GoAway) {
                throw new AssertionError("GOAWAY, expected PONG: " + frame);
            }
            if (noResetOn != 0 && frame instanceof Reset r && r.streamId() == noResetOn) {
                throw new AssertionError("unexpected " + r);
            }
            if (frame instanceof Pong pong && pong.opaque() == opaque) {
                return;
            }
        }
    }

    String summary() {
        StringBuilder s = new StringBuilder();
        int from = Math.max(0, received.size() - 8);
        if (from > 0) {
            s.append("... ");
        }
        for (Frame f : received.subList(from, received.size())) {
            s.append(f.getClass().getSimpleName());
            if (f instanceof Reset || f instanceof GoAway) {
                s.append(f);
            }
            s.append(' ');
        }
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        if (buffer.refCnt() > 0) { // a test may close a peer early; the fixture closes it again
            buffer.release();
        }
    }
}
