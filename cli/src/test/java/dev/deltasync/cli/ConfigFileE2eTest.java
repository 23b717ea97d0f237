package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.describeMismatch;
import static dev.deltasync.cli.ProcessHarness.identical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A serve and a pull run from {@code --config} files, as services do: real processes over TLS on loopback. */
class ConfigFileE2eTest extends ProcessTest {
    @Test
    @Timeout(120)
    void aServeAndAPullFromConfigFilesSyncAReplica() throws Exception {
        Path source = dir.resolve("served.bin");
        Path replica = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(source, 8 << 20, 7);
        Path serveToml = dir.resolve("serve.toml");
        // listen is overridden by the harness's --listen 127.0.0.1:0, which must win over the file.
        Files.writeString(serveToml, """
                listen = "127.0.0.1:1"
                region = ["s=%s:ro"]
                interval = "200ms"
                """.formatted(source));
        Server server = harness.serve(Duration.ofSeconds(30), "--config", serveToml.toString());
        Path pullToml = dir.resolve("pull.toml");
        Files.writeString(pullToml, """
                pairs = [["%s", "%s"]]
                once = true
                stats = true
                chunk-size = "64KiB"
                """.formatted(server.address("s"), replica));

        Proc pull = harness.run(Duration.ofSeconds(60), "pull", "pull", "--config", pullToml.toString());

        assertEquals(0, pull.process().exitValue(), pull.tails() + server.proc().tails());
        assertTrue(identical(source, replica), describeMismatch(source, replica));
        assertTrue(pull.stdout().contains("s -> " + replica + ": verified identical"), "stats = true prints a summary"
                + pull.tails());
        assertTrue(server.proc().stderr().contains("s = " + source), server.proc().tails());
    }
}
