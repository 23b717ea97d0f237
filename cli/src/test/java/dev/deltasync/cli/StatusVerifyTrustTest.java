package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.ReplicaState;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustStamp;
import dev.deltasync.sync.trust.TrustedTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status --verify} asks for a full check: the trusted table recorded beside the replica is discarded, and
 * bytes found to differ make the state UNVERIFIED.
 */
class StatusVerifyTrustTest {
    private static final int CHUNK = 4096;
    private static final int SIZE = 8 * CHUNK;

    @TempDir
    Path dir;

    @Test
    void statusVerifyDiscardsTheTrustedTableAndPlainStatusKeepsIt() throws Exception {
        Path replica = Files.write(dir.resolve("replica.bin"), new byte[SIZE]);
        DigestTable table = DigestTable.create(HashAlgorithm.XXH3_128, SIZE, CHUNK);
        Files.writeString(dir.resolve("replica.bin.deltasync-state"), "phase=VERIFIED\nepoch=1\nhash=xxh3-128\n"
                + "chunk_size=" + CHUNK + "\nregion_size=" + SIZE + "\nroot="
                + HexFormat.of().formatHex(table.rootDigest()) + "\nupdated=2026-01-01T00:00:00Z\n");
        TrustFile.write(replica, new TrustedTable(table, TrustStamp.of(replica)));
        Path record = dir.resolve("replica.bin.deltasync-trust");

        assertEquals(0, MainTest.run("status", replica.toString()).code());
        assertTrue(Files.exists(record), "a plain status only reads");
        MainTest.Run verify = MainTest.run("status", replica.toString(), "--verify");
        assertEquals(3, verify.code(), verify.out() + verify.err()); // zeros hash to the zero digests, not 0...0
        assertFalse(TrustFile.read(replica, HashAlgorithm.XXH3_128, CHUNK, SIZE).isPresent(),
                "status --verify must discard the trusted table");
        assertTrue(Files.exists(record), "as a tombstone that a pass under way cannot replace");
        assertEquals(ReplicaState.Phase.UNVERIFIED, ReplicaState.read(replica).orElseThrow().phase(),
                "bytes found to differ must not stay VERIFIED: a table of that root would be known again");
    }
}
