package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustPass;
import dev.deltasync.sync.trust.TrustStamp;
import dev.deltasync.sync.trust.TrustedTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replicas that trust a table (PROTOCOL.md §9.7) over real files and loopback: a serve replica's background pass
 * spares the next push its hash, and nothing that wrote the file since, during or after, is ever taken for trusted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TrustedReplicaTest extends LoopbackFixture {
    private static final int CHUNK = 4096;
    private static final int SIZE = 256 * CHUNK;
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Counts the replica's hashing and lets a test write into the replica while an epoch is applied. */
    private static final class Watch implements SyncListener {
        final AtomicLong replicaHashing = new AtomicLong();
        volatile Runnable onReceived = () -> { };

        @Override
        public void hashing(String region, Side side, long done, long total) {
            if (side == Side.REPLICA) {
                replicaHashing.incrementAndGet();
            }
        }

        @Override
        public void received(String region, long epoch, long received, long through, long regionSize) {
            onReceived.run();
        }
    }

    private final Watch watch = new Watch();

    private void serveWatched(ExposedRegion region) throws Exception {
        server = SyncServer.start("127.0.0.1", 0, List.of(region), ServerOptions.defaults(), watch);
        client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure());
    }

    private SyncOutcome push(Path source) throws Exception {
        return client.run(new SyncJob(Direction.PUSH, source, "vm"), options(), SyncListener.SILENT);
    }

    private static SyncOptions options() {
        return SyncOptions.defaults().withChunkSize(CHUNK).once(true);
    }

    @Test
    void aPushIntoASettledReplicaDoesNotHashItAndAForeignWriteAfterTrustIsRepaired() throws Exception {
        Path source = randomFile("source.bin", SIZE, 1);
        Path replica = randomFile("replica.bin", SIZE, 2);
        serveWatched(new ExposedRegion("vm", replica, false));
        assertTrue(push(source).verified());
        awaitTrusted(replica);

        watch.replicaHashing.set(0);
        assertTrue(push(source).verified());
        assertEquals(0, watch.replicaHashing.get(), "the replica hashed although it trusted its table");
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));

        foreignWrite(replica, 17L * CHUNK + 5);
        assertTrue(push(source).verified());
        assertTrue(watch.replicaHashing.get() > 0, "a replica written by someone else must be hashed");
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
    }

    /**
     * The reverted design's failure: a foreign write while an epoch is applied was taken for the replica's own.
     * Here the table trusted afterwards must describe the bytes including that write, and the next push repairs it.
     */
    @Test
    void aForeignWriteDuringAnEpochsApplyNeverEndsInATrustedTableThatMissesIt() throws Exception {
        Path source = randomFile("source.bin", SIZE, 3);
        Path replica = dir.resolve("replica.bin");
        Files.copy(source, replica);
        byte[] changed = Files.readAllBytes(source);
        for (int i = 0; i < 8; i++) {
            changed[i * 16 * CHUNK + 1] ^= 1;
        }
        Files.write(source, changed);
        serveWatched(new ExposedRegion("vm", replica, false));
        AtomicBoolean wroteDuringApply = new AtomicBoolean();
        watch.onReceived = () -> {
            if (wroteDuringApply.compareAndSet(false, true)) {
                foreignWrite(replica, (long) SIZE - CHUNK + 9); // a chunk this epoch does not send
            }
        };
        assertTrue(push(source).verified());
        assertTrue(wroteDuringApply.get());
        watch.onReceived = () -> { };

        TrustedTable trusted = awaitTrusted(replica);
        assertArrayEquals(rootOf(replica), trusted.table().rootDigest(), "a trusted table that misses a write");
        assertTrue(push(source).verified());
        assertArrayEquals(changed, Files.readAllBytes(replica));
    }

    @Test
    void anUnchangedPullOnceLeavesATrustedTableAndTheNextOneDoesNotHash() throws Exception {
        Path source = randomFile("source.bin", SIZE, 4);
        Path local = dir.resolve("local.bin");
        serve(new ExposedRegion("vm", source, true));
        Watch local1 = new Watch();
        assertTrue(client.run(new SyncJob(Direction.PULL, local, "vm"), options(), local1).verified());
        assertFalse(Files.exists(local.resolveSibling("local.bin.deltasync-trust")), "a pull that wrote left trust");

        awaitSettled(local);
        assertTrue(client.run(new SyncJob(Direction.PULL, local, "vm"), options(), local1).verified());
        assertTrue(TrustFile.read(local, HashAlgorithm.XXH3_128, CHUNK, SIZE).map(t -> t.holdsFor(local))
                .orElse(false), "an unchanged pull whose hash was a trust pass keeps its table");

        Watch local3 = new Watch();
        assertTrue(client.run(new SyncJob(Direction.PULL, local, "vm"), options(), local3).verified());
        assertEquals(0, local3.replicaHashing.get());

        foreignWrite(local, 3L * CHUNK);
        Watch local4 = new Watch();
        assertTrue(client.run(new SyncJob(Direction.PULL, local, "vm"), options(), local4).verified());
        assertTrue(local4.replicaHashing.get() > 0);
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(local));
    }

    /**
     * A push that remembers what the replica acknowledged offers that table's root; a replica that trusts exactly
     * that table answers TABLE_KNOWN and sends none. A foreign write since makes it refuse, and the push repairs it.
     */
    @Test
    void aRememberedTableThatTheReplicaTrustsDoesNotCrossTheWire() throws Exception {
        Path source = randomFile("source.bin", SIZE, 5);
        Path replica = randomFile("replica.bin", SIZE, 6);
        serveWatched(new ExposedRegion("vm", replica, false));
        client.rememberingTablesIn(dir.resolve("memory"));
        int table = (SIZE / CHUNK) * HashAlgorithm.XXH3_128.digestLength();
        SyncOutcome first = push(source);
        assertTrue(first.verified());
        assertTrue(first.stats().wireBytesReceived() > table, "the first push receives the replica's table");
        awaitTrusted(replica);

        SyncOutcome second = push(source);
        assertTrue(second.verified());
        assertTrue(second.stats().wireBytesReceived() < table / 4,
                "TABLE_KNOWN: received " + second.stats().wireBytesReceived() + " bytes");
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));

        awaitTrusted(replica);
        foreignWrite(replica, 100L * CHUNK);
        SyncOutcome third = push(source);
        assertTrue(third.verified());
        assertTrue(third.stats().wireBytesReceived() > table, "a replica written since must send a fresh table");
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
    }

    /** Waits until the replica's record is there and holds for its file as it is now. */
    static TrustedTable awaitTrusted(Path replica) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (true) {
            Optional<TrustedTable> record = TrustFile.read(replica, HashAlgorithm.XXH3_128, CHUNK, SIZE);
            if (record.isPresent() && record.get().holdsFor(replica)) {
                return record.get();
            }
            assertTrue(System.nanoTime() < deadline, "no trusted table recorded for " + replica);
            Thread.sleep(50);
        }
    }

    static void awaitSettled(Path file) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (TrustStamp.of(file).racyAt(TrustPass.nowNanos())) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

    private static void foreignWrite(Path file, long offset) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0x11, 0x22, 0x33}), offset);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] rootOf(Path file) throws IOException {
        DigestTable table = DigestTable.create(HashAlgorithm.XXH3_128, SIZE, CHUNK);
        try (MappedRegion region = RegionFile.forInspection(file).map();
             ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 1)) {
            scanner.scan(region.segment(), table);
        }
        return table.rootDigest();
    }
}
