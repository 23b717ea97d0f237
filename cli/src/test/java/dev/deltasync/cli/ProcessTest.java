package dev.deltasync.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every end-to-end test with real processes starts from: a fresh folder, and a {@link ProcessHarness}
 * that logs each process under {@code dir/logs} and kills whatever a test left running, pass or fail.
 */
abstract class ProcessTest {
    @TempDir
    Path dir;
    ProcessHarness harness;

    @BeforeEach
    void startHarness() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        harness = new ProcessHarness(dir.resolve("logs"));
    }

    @AfterEach
    void killProcesses() throws Exception {
        harness.killAll();
    }
}
