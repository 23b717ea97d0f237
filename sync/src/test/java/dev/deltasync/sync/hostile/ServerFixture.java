package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.Reset;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.SyncClient;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncOptions;
import dev.deltasync.sync.SyncOutcome;
import dev.deltasync.sync.SyncServer;
import dev.deltasync.sync.codec.Compression;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@link SyncServer} on 127.0.0.1:0 over real files: {@code target} (read-write, random content,
 * a short last chunk), {@code ro} (read-only) and {@code ok} (read-write, for the well-behaved client
 * that proves the server is still healthy after each attack).
 */
abstract class ServerFixture {
    static final int CHUNK = 4096;
    static final HashAlgorithm HASH = HashAlgorithm.XXH3_128;
    static final int TARGET_SIZE = 16 * CHUNK + 1000;
    /**
     * Bounds every read, so a server that neither answers nor closes fails a test instead of hanging it. Generous:
     * on a loaded machine a server that scans a region may take seconds to answer.
     */
    static final int READ_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    SyncServer server;
    Path target;
    byte[] targetOriginal;
    Path readOnly;
    byte[] readOnlyOriginal;
    Path ok;
    private final List<RawPeer> peers = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(42);

    @BeforeEach
    void startServer() throws Exception {
        targetOriginal = randomBytes(TARGET_SIZE);
        target = Files.write(dir.resolve("target.bin"), targetOriginal);
        readOnlyOriginal = randomBytes(3 * CHUNK);
        readOnly = Files.write(dir.resolve("ro.bin"), readOnlyOriginal);
        ok = Files.write(dir.resolve("ok.bin"), randomBytes(5 * CHUNK + 7));
        server = SyncServer.start("127.0.0.1", 0, regions(), serverOptions(), SyncListener.SILENT);
    }

    List<ExposedRegion> regions() {
        return List.of(new ExposedRegion("target", target, false), new ExposedRegion("ro", readOnly, true),
                new ExposedRegion("ok", ok, false));
    }

    ServerOptions serverOptions() {
        return new ServerOptions(Duration.ofMillis(100), Compression.ZSTD_DEFAULT, 1, Security.insecure());
    }

    @AfterEach
    void stopServer() throws IOException {
        for (RawPeer peer : peers) {
            peer.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A sparse file of {@code size} bytes with a random chunk at each of {@code pieces} evenly spaced places. */
    Path sparseFile(String name, long size, int pieces) {
        Path file = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            for (int i = 0; i < pieces; i++) {
                raf.seek(i * (size / pieces));
                raf.write(randomBytes(CHUNK));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    RawPeer connect() throws IOException {
        RawPeer peer = new RawPeer(server.port(), READ_TIMEOUT_MS);
        peers.add(peer);
        return peer;
    }

    /** An open PUSH stream into {@code target} on stream 1, past OPEN_OK and the server's whole DIGESTS table. */
    PushStream openPush() throws Exception {
        RawPeer peer = connect();
        peer.handshake();
        return openPush(peer, 1, "target", targetOriginal);
    }

    PushStream openPush(RawPeer peer, int streamId, String name, byte[] content) throws Exception {
        return openPush(peer, streamId, name, content, CHUNK);
    }

    PushStream openPush(RawPeer peer, int streamId, String name, byte[] content, int chunkSize) throws Exception {
        peer.send(new Open(streamId, Constants.ROLE_PUSH, HASH.wireId(), chunkSize, content.length, name, false));
        Frame answer;
        do {
            answer = peer.read();
            if (answer == null) {
                throw new AssertionError("closed instead of OPEN_OK: " + peer.summary());
            }
            if (answer instanceof Reset reset && reset.streamId() == streamId) {
                throw new AssertionError("OPEN refused: " + reset);
            }
        } while (!(answer instanceof OpenOk));
        DigestTable table = DigestTable.create(HASH, content.length, chunkSize);
        int next = 0;
        while (next < table.chunkCount()) {
            Digests digests = peer.readUntil(Digests.class);
            assertEquals(next, digests.firstIndex());
            table.writeRange(next, digests.count(), digests.digests(), 0);
            next += digests.count();
        }
        DigestTable expected = tableOf(content, chunkSize);
        assertEquals(expected, table, "the server's DIGESTS describe the region as it is");
        return new PushStream(peer, streamId, content, expected);
    }

    /** A hand-driven v1 replica pulling "ro" at {@code chunkSize}, {@code codecIds} in its HELLO, holding {@code held}. */
    RawPeer pullReadOnly(byte[] codecIds, byte[] held, int chunkSize) throws Exception {
        RawPeer peer = connect();
        Hello d = Hello.defaults();
        peer.handshake(new Hello(1, 1, d.maxFramePayload(), 0, d.streamWindow(), d.connectionWindow(), d.hashIds(),
                codecIds));
        peer.send(new Open(1, Constants.ROLE_PULL, HASH.wireId(), chunkSize, held.length, "ro", false));
        peer.readUntil(OpenOk.class);
        DigestTable table = tableOf(held, chunkSize);
        byte[] digests = new byte[table.chunkCount() * table.digestLength()];
        table.readRange(0, table.chunkCount(), digests, 0);
        peer.send(new Digests(1, 0, table.digestLength(), digests));
        return peer;
    }

    static DigestTable tableOf(byte[] content) {
        return tableOf(content, CHUNK);
    }

    static DigestTable tableOf(byte[] content, int chunkSize) {
        DigestTable table = DigestTable.create(HASH, content.length, chunkSize);
        var hasher = HASH.newHasher();
        byte[] digest = new byte[table.digestLength()];
        for (int i = 0; i < table.chunkCount(); i++) {
            hasher.hash(MemorySegment.ofArray(content).asSlice(table.chunkOffset(i), table.chunkLength(i)), digest, 0);
            table.set(i, digest, 0);
        }
        return table;
    }

    /** An open push stream and what the server holds. */
    record PushStream(RawPeer peer, int id, byte[] content, DigestTable table) {
        byte[] chunk(int index) {
            int offset = (int) table.chunkOffset(index);
            return Arrays.copyOfRange(content, offset, offset + table.chunkLength(index));
        }
    }

    void assertTargetUntouched() throws IOException {
        assertArrayEquals(targetOriginal, Files.readAllBytes(target), "the target region's bytes must be untouched");
        assertArrayEquals(readOnlyOriginal, Files.readAllBytes(readOnly), "the read-only region must be untouched");
    }

    /** A well-behaved client still gets a push --once verified on a fresh connection. */
    void assertServerHealthy() throws Exception {
        Path source = Files.write(dir.resolve("ok-source-" + System.nanoTime() + ".bin"), randomBytes(5 * CHUNK + 7));
        SyncOptions options = new SyncOptions(CHUNK, HASH, Compression.ZSTD_DEFAULT, Duration.ofMillis(50), true,
                false, 1);
        try (SyncClient client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())) {
            SyncOutcome outcome = client.run(new SyncJob(SyncJob.Direction.PUSH, source, "ok"), options,
                    SyncListener.SILENT);
            assertTrue(outcome.verified(), "a well-behaved push --once is verified");
        }
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(ok));
    }

    /**
     * {@link #assertServerHealthy} once the server had {@code within} to settle: streams of peers that just left
     * are given back when the server has seen their connections close, which a loaded machine can delay.
     */
    void assertServerHealthyWithin(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                assertServerHealthy();
                return;
            } catch (Exception | AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Both checks every case ends with. */
    void assertUntouchedAndHealthy() throws Exception {
        assertTargetUntouched();
        assertServerHealthy();
        assertTargetUntouched();
    }
}
