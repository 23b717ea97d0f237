package dev.deltasync.mux.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * A server's {@link SslHandler} that answers a first record which is not TLS with a fatal {@code unexpected_message}
 * alert (RFC 8446 §6.2) before the connection closes, so a plaintext client sees TLS bytes and can say that the
 * server speaks TLS (PROTOCOL.md §12). The JDK engine sends such a record on its own; BoringSSL, asked to close
 * before any handshake, sends nothing.
 */
final class AlertingSslHandler extends SslHandler {
    /** Content type 21 (alert), legacy version 3.3, length 2, level fatal, description 10 (unexpected_message). */
    private static final byte[] UNEXPECTED_MESSAGE = {21, 3, 3, 0, 2, 2, 10};
    private static final int RECORD_HEADER = 5;

    private boolean firstRecordSeen;

    AlertingSslHandler(SSLEngine engine) {
        super(engine);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws SSLException {
        if (!firstRecordSeen && in.readableBytes() >= RECORD_HEADER) {
            firstRecordSeen = true;
            if (!isEncrypted(in, false)) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(UNEXPECTED_MESSAGE));
            }
        }
        super.decode(ctx, in, out);
    }
}
