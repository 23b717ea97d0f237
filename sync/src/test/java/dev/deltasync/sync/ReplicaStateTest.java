package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.region.RegionFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file beside a replica is written safely: nothing at a name someone could predict is written through. */
class ReplicaStateTest {
    private static final StreamParameters PARAMETERS = new StreamParameters(HashAlgorithm.XXH3_128, 4096, 8192);

    @TempDir
    Path dir;

    private static ReplicaState verified(long epoch) {
        return ReplicaState.of(ReplicaState.Phase.VERIFIED, epoch, PARAMETERS, new byte[16]);
    }

    private Path victim() throws IOException {
        byte[] bytes = new byte[4 << 20];
        new Random(1).nextBytes(bytes);
        return Files.write(dir.resolve("victim"), bytes);
    }

    /** The old fixed temporary name, {@code F.deltasync-state.tmp}, planted as a symlink to a victim. */
    @Test
    void aSymlinkAtTheOldTemporaryNameIsNeitherFollowedNorTouched() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        Path victim = victim();
        byte[] before = Files.readAllBytes(victim);
        Path planted = Files.createSymbolicLink(dir.resolve("F.deltasync-state.tmp"), victim);

        verified(3).write(region);

        assertArrayEquals(before, Files.readAllBytes(victim), "the victim was written through the planted link");
        assertTrue(Files.isSymbolicLink(planted) && Files.readSymbolicLink(planted).equals(victim));
        assertEquals(3, ReplicaState.read(region).orElseThrow().epoch());
    }

    @Test
    void aRegularFileAtTheOldTemporaryNameIsLeftAsItIs() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        Path planted = Files.writeString(dir.resolve("F.deltasync-state.tmp"), "someone else's file");

        verified(4).write(region);
        verified(5).write(region);

        assertEquals("someone else's file", Files.readString(planted));
        assertEquals(5, ReplicaState.read(region).orElseThrow().epoch());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(3, files.count(), "F, its state and the planted file; no temporary left behind");
        }
    }

    /** Re-hashing a replica (status --verify) looks at the file itself, never at what a symlink there names. */
    @Test
    void theRootOfAReplicaIsNeverTakenThroughASymlink() throws IOException {
        Path victim = victim();
        Path region = Files.createSymbolicLink(dir.resolve("F"), victim);
        RegionFileException e = assertThrows(RegionFileException.class, () -> verified(1).rootOfFile(region, 1));
        assertEquals(RegionFileException.Problem.SYMLINK, e.problem());
    }

    /** A symlink in the state file's own place is replaced by the rename, its target never written. */
    @Test
    void aSymlinkAtTheStateFileIsReplacedNotWrittenThroughAndNotReadThrough() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        Path victim = victim();
        byte[] before = Files.readAllBytes(victim);
        Path state = Files.createSymbolicLink(dir.resolve("F.deltasync-state"), victim);

        IOException e = assertThrows(IOException.class, () -> ReplicaState.read(region));
        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());

        verified(6).write(region);
        assertFalse(Files.isSymbolicLink(state));
        assertArrayEquals(before, Files.readAllBytes(victim));
        assertEquals(6, ReplicaState.read(region).orElseThrow().epoch());
    }
}
