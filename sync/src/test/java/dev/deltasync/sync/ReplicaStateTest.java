package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.region.FileIdentity;
import dev.deltasync.sync.region.RegionFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
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

    @Test
    void aStateRecordsItsFilesDeviceAndInodeAndDescribesNoFileThatReplacedIt() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        FileIdentity original = FileIdentity.of(region);
        ReplicaState.of(ReplicaState.Phase.VERIFIED, 9, PARAMETERS, new byte[16], Optional.of(Lineage.random()), 9,
                Optional.empty(), Optional.of(FileStamp.of(region))).write(region);
        ReplicaState state = ReplicaState.read(region).orElseThrow();
        assertEquals(Optional.of(original), state.file());
        assertEquals(Optional.of(state.lineage()), ReplicaState.continuable(region, original).map(ReplicaState::lineage));

        Path copy = Files.copy(region, dir.resolve("F.restored")); // the same bytes, another file
        Files.move(copy, region, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        FileIdentity replacement = FileIdentity.of(region);
        assertNotEquals(original, replacement);
        assertFalse(state.describesFileAt(region));
        assertEquals(Optional.empty(), ReplicaState.continuable(region, replacement), "a new lineage, §9.6");
    }

    @Test
    void aStateThatRecordedNoFileIsContinuedAsBefore() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        verified(4).write(region); // as a state file from before device and inode were recorded
        assertFalse(Files.readString(dir.resolve("F.deltasync-state")).contains("inode="));
        assertTrue(ReplicaState.continuable(region, FileIdentity.of(region)).isPresent());
    }

    /** A restore by rm, a copy and mv may give the new file the old one's inode number: its birth time differs. */
    @Test
    void aFileRemovedAndReplacedByAnotherWithTheSameInodeNumberIsNotDescribed() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        verifiedFor(region);
        Files.delete(region);
        byte[] other = new byte[8192];
        other[0] = 1;
        Path restored = Files.write(dir.resolve("F.restored"), other); // ext4 hands the freed inode number out again
        Files.move(restored, region, StandardCopyOption.ATOMIC_MOVE);
        assertFalse(ReplicaState.read(region).orElseThrow().describesFileAt(region),
                "the state of a deleted file describes its replacement " + FileIdentity.of(region));
        assertTrue(ReplicaState.continuable(region, FileIdentity.of(region)).isEmpty(), "a new lineage, §9.6");
    }

    /** A restore by cp over the replica writes into the same inode: its change time moved since the state. */
    @Test
    void aVerifiedFileOverwrittenInPlaceIsNotDescribed() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        verifiedFor(region);
        assertTrue(ReplicaState.read(region).orElseThrow().describesFileAt(region), "the file as verified");
        byte[] other = new byte[8192];
        other[0] = 1;
        Path backup = Files.write(dir.resolve("backup"), other);
        Files.copy(backup, region, StandardCopyOption.REPLACE_EXISTING);
        assertFalse(ReplicaState.read(region).orElseThrow().describesFileAt(region),
                "a file restored in place is described by the state verified before");
    }

    /** A VERIFIED state of {@code region} as a replica writes it: after its own writes, with their stamp. */
    private static void verifiedFor(Path region) throws IOException {
        ReplicaState.of(ReplicaState.Phase.VERIFIED, 9, PARAMETERS, new byte[16], Optional.of(Lineage.random()), 9,
                Optional.empty(), Optional.of(FileStamp.of(region))).write(region);
    }

    /** A stream replaces its state file once, then overwrites that file in place: same inode, same size. */
    @Test
    void aStreamsLaterStatesOverwriteTheFileItCreatedInPlace() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        Path stateFile = dir.resolve("F.deltasync-state");
        try (ReplicaStateFile states = new ReplicaStateFile(region)) {
            states.write(ReplicaState.of(ReplicaState.Phase.APPLYING, 4, PARAMETERS, new byte[0]));
            Object inode = Files.getAttribute(stateFile, "unix:ino");
            states.write(verified(4));
            assertEquals(inode, Files.getAttribute(stateFile, "unix:ino"), "overwritten, not replaced");
            assertEquals(ReplicaState.RECORD_BYTES, Files.size(stateFile));
            assertEquals(ReplicaState.Phase.VERIFIED, ReplicaState.read(region).orElseThrow().phase());
            states.write(ReplicaState.of(ReplicaState.Phase.APPLYING, 5, PARAMETERS, new byte[0]));
            ReplicaState applying = ReplicaState.read(region).orElseThrow();
            assertEquals(ReplicaState.Phase.APPLYING, applying.phase());
            assertEquals(5, applying.epoch(), "a shorter record leaves nothing of the longer one before it");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary left behind");
        }
    }

    /** A state file someone removed while the stream ran is written again, not overwritten where nobody sees it. */
    @Test
    void aStateFileRemovedUnderAStreamIsWrittenAgain() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        try (ReplicaStateFile states = new ReplicaStateFile(region)) {
            states.write(ReplicaState.of(ReplicaState.Phase.APPLYING, 4, PARAMETERS, new byte[0]));
            Files.delete(dir.resolve("F.deltasync-state"));
            states.write(verified(4));
            assertEquals(ReplicaState.Phase.VERIFIED, ReplicaState.read(region).orElseThrow().phase());
        }
    }

    /**
     * A crash in the middle of an overwrite can leave the new record's first bytes over the old one's rest: its check
     * fails, so it claims nothing, though its first line says VERIFIED, and a stream starts a new lineage.
     */
    @Test
    void aTornOverwriteIsRefusedNotReadAsTheRecordItsFirstBytesBelongTo() throws IOException {
        Path region = Files.write(dir.resolve("F"), new byte[8192]);
        Path stateFile = dir.resolve("F.deltasync-state");
        verifiedFor(region);
        byte[] verifiedRecord = Files.readAllBytes(stateFile);
        ReplicaState.of(ReplicaState.Phase.APPLYING, 10, PARAMETERS, new byte[0], Optional.of(Lineage.random()), 9,
                Optional.empty(), Optional.of(FileStamp.of(region))).write(region);
        byte[] torn = Files.readAllBytes(stateFile);
        int cut = new String(verifiedRecord, java.nio.charset.StandardCharsets.UTF_8).indexOf("\nepoch=") + 1;
        System.arraycopy(verifiedRecord, 0, torn, 0, cut); // "phase=VERIFIED" from the new, the rest the old
        Files.write(stateFile, torn);
        IOException refused = assertThrows(ReplicaState.UnreadableStateException.class, () -> ReplicaState.read(region));
        assertTrue(refused.getMessage().contains("torn"), refused.getMessage());
        assertEquals(Optional.empty(), ReplicaState.continuable(region, FileIdentity.of(region)));
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
