package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectAccessTest {
    @TempDir
    Path dir;

    /** The kernel reports the attribute (Linux 5.8+): a file in the page cache is not DAX; no file tells nothing. */
    @Test
    void anOrdinaryFileIsNotDaxAndAMissingOneTellsNothing() throws Exception {
        Path file = Files.write(dir.resolve("f.bin"), new byte[10]);
        assertEquals(Optional.of(false), DirectAccess.of(file));
        assertTrue(DirectAccess.of(dir.resolve("missing")).isEmpty());
    }
}
