package dev.deltasync.mux;

import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.zip.CRC32C;

/**
 * A test server side: answers OPEN, checksums every CHUNK, and answers EPOCH_END with the checksum, so
 * the client can tell every byte arrived intact. A stream named "slow" waits for {@link #release} first.
 */
final class EchoAcceptor implements StreamAcceptor {
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void accept(MuxStream stream) throws Exception {
        Open open = (Open) stream.receive();
        stream.send(new OpenOk(stream.id(), open.regionSize(), open.chunkSize(), open.hashId()));
        if (open.name().equals("slow")) {
            release.await();
        }
        CRC32C crc = new CRC32C();
        while (true) {
            Frame frame = stream.receive();
            if (frame instanceof Chunk chunk) {
                crc.update(chunk.data());
            } else if (frame instanceof EpochEnd end) {
                stream.send(new EpochAck(stream.id(), end.epoch(), rootOf(crc.getValue())));
                return;
            }
        }
    }

    static byte[] rootOf(long checksum) {
        return ByteBuffer.allocate(8).putLong(checksum).array();
    }
}
