package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.SyncJob.Direction;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, "don't hash what you already know": a replica unchanged since its verified epoch sends the table it
 * recorded then instead of hashing its file; every way the file can have changed falls back to a full re-hash, so
 * the replica never ends up VERIFIED with other bytes than the source's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrustedTableTest extends LoopbackFixture {
    private static final int SIZE = 64 * 4096 + 123;
    private static final SyncOptions ONCE = SyncOptions.defaults().once(true);
    private final List<String> serverLines = new CopyOnWriteArrayList<>();

    private Path source;
    private Path replica;

    private SyncOutcome pull(SyncOptions options) throws Exception {
        return client.run(new SyncJob(Direction.PULL, replica, "src"), options, SyncListener.SILENT);
    }

    private void servePullable() throws Exception {
        source = randomFile("source.bin", SIZE, 1);
        replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("src", source, true));
        assertTrue(pull(ONCE).verified());
        assertTrue(Files.exists(TrustedTable.fileFor(replica)), "a verified --once replica records its table");
    }

    private void assertPulledAndHashed(boolean hashed) throws Exception {
        assertPulledAndHashed(hashed, ONCE);
    }

    @Test
    void anUnchangedReplicaIsNotHashedAgain() throws Exception {
        servePullable();
        assertPulledAndHashed(false);
        assertPulledAndHashed(false);
    }

    @Test
    void verifyForcesTheFullHash() throws Exception {
        servePullable();
        assertPulledAndHashed(true, ONCE.withRehash(true));
    }

    /** The replica is hashed again exactly when bytesScanned says the whole file, and ends holding the source. */
    private void assertPulledAndHashed(boolean hashed, SyncOptions options) throws Exception {
        SyncOutcome outcome = pull(options);
        assertTrue(outcome.verified());
        assertEquals(hashed ? SIZE : 0, outcome.stats().bytesScanned(), hashed ? "must re-hash" : "must not hash");
        assertEquals(-1, Files.mismatch(source, replica), "the replica must hold the source's bytes");
        assertEquals(ReplicaState.Phase.VERIFIED, ReplicaState.read(replica).orElseThrow().phase());
    }

    @Test
    void aForeignWriteIsFoundAndRepaired() throws Exception {
        servePullable();
        try (FileChannel channel = FileChannel.open(replica, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {42}), 5000);
        }
        assertPulledAndHashed(true);
    }

    /** The times put back with utimensat: the change time still moves, which no unprivileged writer can undo. */
    @Test
    void aForeignWriteThatRestoresTheModificationTimeIsFoundAndRepaired() throws Exception {
        servePullable();
        FileTime modified = Files.getLastModifiedTime(replica);
        try (RandomAccessFile file = new RandomAccessFile(replica.toFile(), "rw")) {
            file.seek(7 * 4096);
            file.write(~file.read());
        }
        Files.setLastModifiedTime(replica, modified);
        assertPulledAndHashed(true);
    }

    @Test
    void aFileReplacedByACopyOfItselfIsHashed() throws Exception {
        servePullable();
        Path copy = dir.resolve("copy.bin");
        Files.copy(replica, copy);
        Files.move(copy, replica, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertPulledAndHashed(true);
    }

    @Test
    void aDamagedRecordedTableIsNotTrusted() throws Exception {
        servePullable();
        Path table = TrustedTable.fileFor(replica);
        byte[] bytes = Files.readAllBytes(table);
        bytes[bytes.length - 3] ^= 1; // a digest: the table's root no longer equals the state's
        Files.write(table, bytes);
        assertPulledAndHashed(true);
    }

    @Test
    void aReplicaThatIsNotVerifiedIsHashed() throws Exception {
        servePullable();
        ReplicaState verified = ReplicaState.read(replica).orElseThrow();
        ReplicaState.of(ReplicaState.Phase.APPLYING, verified.epoch() + 1,
                new StreamParameters(verified.hash(), verified.chunkSize(), verified.regionSize()), new byte[0],
                verified.lineage(), verified.verifiedEpoch(), verified.sourceTime()).write(replica);
        assertPulledAndHashed(true);
    }

    @Test
    void aPushIntoAnUnchangedServerReplicaIsNotHashedThereUnlessVerifyIsAsked() throws Exception {
        source = randomFile("source.bin", SIZE, 2);
        replica = dir.resolve("pushed.bin");
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("dst", replica, false)),
                ServerOptions.defaults(), new SyncListener() {
                    @Override
                    public void info(String message) {
                        serverLines.add(message);
                    }
                });
        client = SyncClient.connect("127.0.0.1", server.port(), dev.deltasync.mux.MuxConfig.defaults());
        SyncJob push = new SyncJob(Direction.PUSH, source, "dst");
        assertTrue(client.run(push, ONCE, SyncListener.SILENT).verified());
        SyncEngineTest.waitUntil(() -> Files.exists(TrustedTable.fileFor(replica)));
        assertFalse(serverLines.stream().anyMatch(l -> l.contains("is not hashed")), serverLines.toString());

        assertTrue(client.run(push, ONCE, SyncListener.SILENT).verified());
        SyncEngineTest.waitUntil(() -> serverLines.stream().anyMatch(l -> l.contains("is not hashed")));
        serverLines.clear();
        assertTrue(client.run(push, ONCE.withRehash(true), SyncListener.SILENT).verified());
        assertFalse(serverLines.stream().anyMatch(l -> l.contains("is not hashed")), serverLines.toString());
        assertEquals(-1, Files.mismatch(source, replica));
    }
}
