package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.mux.MuxConfig;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.SyncJob.Direction;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Holes and zero chunks end to end, over real sparse files on the file system under @TempDir: a hole is neither
 * read nor sent nor written, a zero chunk crosses as a header, and a peer without the zero codec still syncs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SparseSyncTest extends LoopbackFixture {
    private static final long MIB = 1 << 20;
    private static final int CHUNK = 65536;

    private static SyncOptions once() {
        return SyncOptions.defaults().withChunkSize(CHUNK).once(true);
    }

    /** A sparse file of {@code size} with random bytes at each {offset, length}. */
    private Path sparse(String name, long size, long[][] data) throws IOException {
        Path file = dir.resolve(name);
        SplittableRandom random = new SplittableRandom(size ^ data.length);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
            for (long[] run : data) {
                byte[] bytes = new byte[(int) run[1]];
                random.nextBytes(bytes);
                f.getChannel().write(ByteBuffer.wrap(bytes), run[0]);
            }
        }
        return file;
    }

    /** Bytes the file system allocated to {@code file}: what a hole does not cost. */
    private static long allocated(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] out = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        assertEquals(0, stat.waitFor());
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    @Test
    void aSparsePullIntoANewReplicaReadsAndSendsOnlyTheData() throws Exception {
        long size = 256 * MIB;
        // one chunk at the start, 100 bytes inside chunk 2048 (the rest of that chunk is hole), the last 10 bytes
        Path source = sparse("source.bin", size, new long[][] {{0, CHUNK}, {128 * MIB + 100, 100}, {size - 10, 10}});
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("vm", source, true));
        SyncOutcome outcome = client.run(new SyncJob(Direction.PULL, replica, "vm"), once(), SyncListener.SILENT);
        assertTrue(outcome.verified());
        assertEquals(-1, Files.mismatch(source, replica));
        assertEquals(3, outcome.stats().chunksChanged());
        assertTrue(outcome.stats().bytesScanned() <= CHUNK, "a new replica is holes, not hashed: read "
                + outcome.stats().bytesScanned());
        assertTrue(outcome.stats().wireBytesReceived() < 4 * MIB + 3 * CHUNK,
                "digest table and three chunks, got " + outcome.stats().wireBytesReceived());
        assertTrue(allocated(replica) < 4 * CHUNK, "the replica's holes stay holes: " + allocated(replica));
    }

    @Test
    void zeroChunksOverDataAreFlagsAndWriteZerosWhileHolesStayHoles() throws Exception {
        long size = 64 * MIB;
        Path replica = sparse("replica.bin", size, new long[][] {{0, MIB}}); // 16 chunks of data, the rest holes
        Path source = sparse("source.bin", size, new long[][] {{32 * MIB, CHUNK}}); // one other chunk
        serve(new ExposedRegion("vm", replica, false));
        SyncOutcome outcome = client.run(new SyncJob(Direction.PUSH, source, "vm"), once(), SyncListener.SILENT);
        assertTrue(outcome.verified());
        assertEquals(-1, Files.mismatch(source, replica));
        assertEquals(17, outcome.stats().chunksChanged());
        assertEquals(CHUNK, outcome.stats().chunkPayloadBytes(), "16 zero chunks carry no bytes, the random one its own");
        assertTrue(outcome.stats().bytesScanned() <= CHUNK, "the source's holes are not read: read "
                + outcome.stats().bytesScanned());
        assertTrue(allocated(replica) < 2 * MIB, "nothing but the chunks that had data: " + allocated(replica));
    }

    @Test
    void aReplicaWithoutTheZeroCodecGetsTheZerosAsBytes() throws Exception {
        long size = 8 * MIB;
        Path replica = sparse("replica.bin", size, new long[][] {{0, MIB}});
        Path source = sparse("source.bin", size, new long[0][]);
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("vm", source, true)),
                ServerOptions.defaults(), SyncListener.SILENT);
        MuxConfig d = MuxConfig.defaults();
        MuxConfig zstdOnly = new MuxConfig(d.maxFramePayload(), d.maxStreams(), d.streamWindow(), d.connectionWindow(),
                d.hashIds(), new byte[] {Constants.CODEC_ZSTD}, d.pingInterval(), d.idleTimeout(), d.handshakeTimeout(),
                d.maxQueuedFrames()); // a v1 peer from before codec 2
        client = SyncClient.connect("127.0.0.1", server.port(), Security.tuned(zstdOnly));
        SyncOutcome outcome = client.run(new SyncJob(Direction.PULL, replica, "vm"), once(), SyncListener.SILENT);
        assertTrue(outcome.verified());
        assertEquals(-1, Files.mismatch(source, replica));
        assertEquals(16, outcome.stats().chunksChanged());
        assertTrue(outcome.stats().chunkPayloadBytes() > 0, "zeros travelled as zstd, not as codec 2");
    }

    @Test
    void aSourceTruncatedWhileItsHolesAreSentIsASizeMismatchNotAVerifiedEpoch() throws Exception {
        long size = 8 * MIB;
        Path replica = sparse("replica.bin", size, new long[][] {{0, (int) size}}); // data everywhere
        Path source = sparse("source.bin", size, new long[][] {{0, CHUNK}}); // one chunk of data, then a hole
        serve(new ExposedRegion("vm", replica, false));
        SyncListener truncateAfterTheFirstChunk = new SyncListener() {
            @Override
            public void progress(String region, long epoch, long done, long total) {
                if (done == CHUNK) { // past the new end only the hole was to be sent: lseek says ENXIO, read as zeros
                    try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
                        f.setLength(2 * CHUNK);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
        SyncException e = assertThrows(SyncException.class, () -> client.run(
                new SyncJob(Direction.PUSH, source, "vm"), once(), truncateAfterTheFirstChunk));
        assertEquals(ErrorCode.SIZE_MISMATCH, e.code(), e.getMessage());
    }
}
