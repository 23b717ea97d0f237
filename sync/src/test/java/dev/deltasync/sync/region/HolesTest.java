package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.KnownZeros;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real sparse file's holes as a mapping reports them (SEEK_DATA/SEEK_HOLE on the file system under @TempDir). */
class HolesTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private Path sparseFile() throws IOException {
        Path file = dir.resolve("sparse.bin");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(64 * MIB);
            f.getChannel().write(ByteBuffer.wrap(new byte[4096]).put(0, (byte) 1), MIB);
            f.getChannel().write(ByteBuffer.wrap(new byte[100]).put(0, (byte) 1), 40 * MIB + 10);
        }
        return file;
    }

    @Test
    void holesAndDataRunsOfASparseFile() throws IOException {
        try (MappedRegion region = RegionFile.forReading(sparseFile()).map()) {
            KnownZeros zeros = region.knownZeros();
            assertEquals(MIB, zeros.nextData(0));
            assertEquals(MIB + 4096, zeros.dataEnd(MIB));
            long second = zeros.nextData(MIB + 4096);
            assertTrue(second >= 40 * MIB && second <= 40 * MIB + 10, "second data run at " + second);
            assertTrue(zeros.dataEnd(second) >= 40 * MIB + 110);
            assertEquals(Long.MAX_VALUE, zeros.nextData(41 * MIB), "only a hole after the last data");
        }
    }

    @Test
    void aWriteThroughTheMappingFillsAHoleAtOnce() throws IOException {
        try (MappedRegion region = RegionFile.forWriting(sparseFile()).map()) {
            region.segment().set(ValueLayout.JAVA_BYTE, 50 * MIB + 3, (byte) 7); // not written back yet
            long next = region.knownZeros().nextData(41 * MIB);
            assertTrue(next >= 50 * MIB - 4096 && next <= 50 * MIB + 3, "data at " + next);
        }
    }

    @Test
    void aClosedMappingKnowsNothingAndAnUnlockedOneNeverDid() throws IOException {
        Path file = sparseFile();
        MappedRegion region = RegionFile.forReading(file).map();
        KnownZeros zeros = region.knownZeros();
        region.close();
        assertEquals(41 * MIB, zeros.nextData(41 * MIB), "after close every byte may be data");
        try (MappedRegion unlocked = MappedRegion.open(file, RegionAccess.READ_ONLY)) {
            assertSame(KnownZeros.NONE, unlocked.knownZeros());
        }
    }

    @Test
    void holesAreTrustedOnlyWhereLseekSeesDirtyPages() {
        for (long pageCacheAware : new long[] {0xEF53L, 0x58465342L, 0x9123683EL, 0x01021994L}) {
            assertTrue(Holes.trustsHoles(pageCacheAware), Long.toHexString(pageCacheAware));
        }
        for (long notTrusted : new long[] {0x65735546L, 0x2FC12FC1L, 0x6969L, 0L, -1L}) {
            assertFalse(Holes.trustsHoles(notTrusted), Long.toHexString(notTrusted));
        }
    }
}
