package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.mux.MuxConfig;
import dev.deltasync.protocol.Constants;
import dev.deltasync.sync.SyncJob.Direction;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Refinement (PROTOCOL.md §9.9) end to end over real files and sockets: scattered page-sized writes into big chunks
 * cost about their pages on the wire, in both directions, and a replica that does not list codec 4 still gets whole
 * chunks and is verified.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RefinementTest extends LoopbackFixture {
    private static final int PAGE = Constants.PAGE_SIZE;
    private static final int WRITES = 40;

    /** Overwrites {@code count} pages spread over the file, each in a different chunk of {@code chunkSize}. */
    private static void writePages(Path file, int count, int chunkSize, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long chunks = f.length() / chunkSize;
            for (int i = 0; i < count; i++) {
                long chunk = i * chunks / count;
                long page = random.nextInt(chunkSize / PAGE);
                byte[] bytes = new byte[PAGE];
                random.nextBytes(bytes);
                f.getChannel().write(ByteBuffer.wrap(bytes), chunk * chunkSize + page * PAGE);
            }
        }
    }

    private SyncOutcome once(Direction direction, Path local, String name, int chunkSize) throws Exception {
        SyncOutcome outcome = client.run(new SyncJob(direction, local, name),
                SyncOptions.defaults().withChunkSize(chunkSize).once(true), SyncListener.SILENT);
        assertTrue(outcome.verified(), "verified");
        return outcome;
    }

    @ParameterizedTest
    @CsvSource({"PUSH,65536", "PULL,65536", "PUSH,1048576", "PULL,16384"})
    void scatteredPageWritesCostTheirPagesNotTheirChunks(Direction direction, int chunkSize) throws Exception {
        long size = 64L * chunkSize;
        Path source = randomFile("source.bin", size, 1);
        Path replica = dir.resolve("replica.bin");
        Files.copy(source, replica);
        Path local = direction == Direction.PUSH ? source : replica;
        serve(new ExposedRegion("r", direction == Direction.PUSH ? replica : source, direction == Direction.PULL));
        writePages(source, WRITES, chunkSize, 2);
        SyncOutcome outcome = once(direction, local, "r", chunkSize);
        assertEquals(-1, Files.mismatch(source, replica));
        assertEquals(WRITES, outcome.stats().chunksChanged());
        long chunkBytes = outcome.stats().chunkPayloadBytes();
        assertTrue(chunkBytes <= WRITES * (PAGE + 64L),
                "one page per write, not a chunk (" + WRITES * (long) chunkSize + " whole): " + chunkBytes);
        long wire = direction == Direction.PUSH ? outcome.stats().wireBytesSent() : outcome.stats().wireBytesReceived();
        long table = 64L * 16; // the replica's digests (push: received, pull: sent), asked or not
        assertTrue(wire <= WRITES * (PAGE + 200L) + table + 4096,
                "the source sent about a page per write: " + wire);
    }

    /**
     * A real region above 4 GiB: 16 GiB sparse, chunk size left to the source (16 KiB, §9.5). Pages rewritten inside its
     * data and in its holes cost about a page each, not the 16 KiB chunk around them.
     */
    @Test
    void aSixteenGibRegionWithTheSourcesChunkSizeSendsPagesNotChunks() throws Exception {
        long size = 16L << 30;
        int pieces = 64;
        Path source = dir.resolve("source.bin");
        SplittableRandom random = new SplittableRandom(6);
        try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
            f.setLength(size);
            byte[] piece = new byte[256 << 10];
            for (int i = 0; i < pieces; i++) {
                random.nextBytes(piece);
                f.getChannel().write(ByteBuffer.wrap(piece), i * (size / pieces));
            }
        }
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("big", source, true));
        once(Direction.PULL, replica, "big", Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE);
        assertEquals(16384, ReplicaState.read(replica).orElseThrow().chunkSize(), "the source chose 16 KiB");
        List<Long> written = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
            byte[] page = new byte[PAGE];
            for (int i = 0; i < WRITES; i++) { // half inside the data (asked about), half in holes (refined over zeros)
                random.nextBytes(page);
                long at = i % 2 == 0 ? (i % pieces) * (size / pieces) + 5 * PAGE
                        : (i + 1) * (size / WRITES) / PAGE * PAGE - 3 * PAGE;
                f.getChannel().write(ByteBuffer.wrap(page), at);
                written.add(at);
            }
        }
        SyncOutcome outcome = once(Direction.PULL, replica, "big", Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE);
        // The roots say the whole region is equal; the bytes are compared where data is (reading 2 x 16 GiB of holes
        // would take minutes on a loaded machine).
        for (int i = 0; i < pieces; i++) {
            assertEqualAt(source, replica, i * (size / pieces), 256 << 10);
        }
        for (long at : written) {
            assertEqualAt(source, replica, at, PAGE);
        }
        assertEquals(WRITES, outcome.stats().chunksChanged());
        assertTrue(outcome.stats().chunkPayloadBytes() <= WRITES * (PAGE + 64L),
                "a page per write, not 16 KiB: " + outcome.stats().chunkPayloadBytes());
    }

    private static void assertEqualAt(Path a, Path b, long offset, int length) throws Exception {
        try (RandomAccessFile x = new RandomAccessFile(a.toFile(), "r");
             RandomAccessFile y = new RandomAccessFile(b.toFile(), "r")) {
            ByteBuffer left = ByteBuffer.allocate(length);
            ByteBuffer right = ByteBuffer.allocate(length);
            x.getChannel().read(left, offset);
            y.getChannel().read(right, offset);
            assertEquals(left.flip(), right.flip(), "bytes at " + offset);
        }
    }

    @Test
    void aReplicaThatDoesNotListPatchesGetsWholeChunksAndVerifies() throws Exception {
        int chunkSize = 65536;
        Path source = randomFile("source.bin", 64L * chunkSize, 3);
        Path replica = dir.resolve("replica.bin");
        Files.copy(source, replica);
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("r", source, true)),
                ServerOptions.defaults(), SyncListener.SILENT);
        MuxConfig d = MuxConfig.defaults();
        MuxConfig beforePatches = new MuxConfig(d.maxFramePayload(), d.maxStreams(), d.streamWindow(),
                d.connectionWindow(), d.hashIds(), new byte[] {Constants.CODEC_ZSTD, Constants.CODEC_ZERO,
                        Constants.CODEC_RUN}, d.pingInterval(), d.idleTimeout(), d.handshakeTimeout(),
                d.maxQueuedFrames()); // a peer from before codec 4: it would skip a REFINE and never answer
        client = SyncClient.connect("127.0.0.1", server.port(), Security.tuned(beforePatches));
        writePages(source, WRITES, chunkSize, 4);
        SyncOutcome outcome = once(Direction.PULL, replica, "r", chunkSize);
        assertEquals(-1, Files.mismatch(source, replica));
        assertEquals(WRITES * (long) chunkSize, outcome.stats().chunkPayloadBytes(), "whole raw chunks");
    }

    @Test
    void chunksOverZerosAreRefinedWithoutAskingAndOnlyTheirDataPagesTravel() throws Exception {
        int chunkSize = 1048576;
        long size = 16L * chunkSize;
        Path source = dir.resolve("source.bin");
        try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
            f.setLength(size); // all holes but one page in each of 16 chunks
        }
        writePages(source, 16, chunkSize, 5);
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("r", source, true));
        SyncOutcome outcome = once(Direction.PULL, replica, "r", chunkSize);
        assertEquals(-1, Files.mismatch(source, replica));
        assertTrue(outcome.stats().chunkPayloadBytes() <= 16 * (PAGE + 64L),
                "one page of each chunk over the new replica's zeros: " + outcome.stats().chunkPayloadBytes());
    }
}
