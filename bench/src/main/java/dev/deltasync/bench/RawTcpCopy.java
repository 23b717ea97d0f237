package dev.deltasync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The baseline of {@code bench/full-sync-vs-tcp.sh}: a file copied over one plain TCP connection, as {@code nc}
 * would, through a 1 MiB buffer on each side (read the file, write the socket; read the socket, write the file).
 *
 * <pre>
 * RawTcpCopy receive PORT FILE     listens on 127.0.0.1:PORT (0: any; prints the port), writes one connection to FILE
 * RawTcpCopy send HOST PORT FILE   sends FILE
 * </pre>
 */
public final class RawTcpCopy {
    private static final int BUFFER = 1 << 20;

    private RawTcpCopy() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("receive")) {
            receive(Integer.parseInt(args[1]), Path.of(args[2]));
        } else if (args.length == 4 && args[0].equals("send")) {
            send(args[1], Integer.parseInt(args[2]), Path.of(args[3]));
        } else {
            System.err.println("usage: RawTcpCopy receive PORT FILE | send HOST PORT FILE");
            System.exit(2);
        }
    }

    private static void receive(int port, Path file) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", port))) {
            System.out.println(((InetSocketAddress) server.getLocalAddress()).getPort());
            System.out.flush();
            try (SocketChannel socket = server.accept();
                 FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                pump(socket, out);
            }
        }
    }

    private static void send(String host, int port, Path file) throws IOException {
        try (SocketChannel socket = SocketChannel.open(new InetSocketAddress(host, port));
             FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            pump(in, socket);
        }
    }

    /** Copies everything {@code in} has to {@code out} through one buffer. */
    private static void pump(ReadableByteChannel in, WritableByteChannel out) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        while (in.read(buffer) >= 0) {
            buffer.flip();
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            buffer.clear();
        }
    }
}
