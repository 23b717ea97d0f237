package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's systemd units are what systemd accepts: {@code systemd-analyze verify}, where it is installed. */
class ServiceUnitsTest {
    private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @TempDir
    Path dir;

    @Test
    void theReadmesUnitsPassSystemdAnalyzeVerify() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher unit = Pattern.compile("```ini\\n# /etc/systemd/system/(\\S+\\.service)\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        Path launcher = Path.of("..", "bin", "deltasync").toAbsolutePath().normalize();
        int units = 0;
        while (unit.find()) {
            units++;
            String text = unit.group(2);
            assertTrue(text.contains("\nType=exec\n") && text.contains("\nRestart=on-failure\n"), text);
            assertTrue(text.contains("ExecStart=/usr/local/bin/deltasync "), text);
            assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE), "systemd-analyze is not installed here");
            // verify checks that ExecStart's binary exists: the launcher in this tree stands in for the installed one.
            Path file = Files.writeString(dir.resolve(unit.group(1)),
                    text.replace("/usr/local/bin/deltasync", launcher.toString()));
            Process verify = new ProcessBuilder(SYSTEMD_ANALYZE.toString(), "verify", file.toString())
                    .redirectErrorStream(true).start();
            assertTrue(verify.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify did not finish");
            String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // It exits 0 even for values it ignores ("Failed to parse service type, ignoring"): silence is the pass.
            assertEquals(0, verify.exitValue(), said);
            assertEquals("", said.strip(), unit.group(1));
        }
        assertEquals(2, units, "README's systemd section has a unit for serve and one for a follower");
    }
}
