package dev.deltasync.mux;

import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameCodec;
import dev.deltasync.protocol.FrameReader;
import dev.deltasync.protocol.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** A hand-driven peer over a plain socket, for feeding the mux frames a well-behaved peer never sends. */
final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final FrameReader reader = new FrameReader(Constants.MAX_FRAME_PAYLOAD);
    private final ByteBuf buffer = Unpooled.buffer();

    RawPeer(int port, int readTimeoutMillis) throws IOException {
        this("127.0.0.1", port, readTimeoutMillis);
    }

    /** Connects to 127.0.0.1 from {@code localAddress} (any 127.x.y.z works on Linux), so one test can be many hosts. */
    RawPeer(String localAddress, int port, int readTimeoutMillis) throws IOException {
        socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(localAddress), 0);
        socket.setSoTimeout(readTimeoutMillis);
    }

    void send(Frame... frames) throws IOException {
        for (Frame frame : frames) {
            socket.getOutputStream().write(FrameCodec.toBytes(frame));
        }
        socket.getOutputStream().flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    void sendHello() throws IOException {
        send(Hello.defaults());
    }

    /** The next frame, or null at end of stream. */
    Frame read() throws Exception {
        InputStream in = socket.getInputStream();
        byte[] chunk = new byte[65536];
        while (true) {
            Frame frame = reader.read(buffer);
            if (frame != null) {
                return frame;
            }
            int n = in.read(chunk);
            if (n < 0) {
                return null;
            }
            buffer.writeBytes(chunk, 0, n);
        }
    }

    /** Reads until a frame of {@code type} arrives; fails at end of stream. */
    <T extends Frame> T readUntil(Class<T> type) throws Exception {
        while (true) {
            Frame frame = read();
            if (frame == null) {
                throw new AssertionError("connection closed before a " + type.getSimpleName() + " arrived");
            }
            if (type.isInstance(frame)) {
                return type.cast(frame);
            }
        }
    }

    /** True when the server closed the connection (reads reach end of stream) within the read timeout. */
    boolean closedByServer() throws Exception {
        try {
            while (read() != null) {
                // drain whatever the server still sent
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset: the server closed while our unread frames were still in its buffer
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        buffer.release();
    }
}
