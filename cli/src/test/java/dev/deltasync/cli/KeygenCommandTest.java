package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.MainTest.Run;
import dev.deltasync.peer.Identity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deltasync keygen} and the security options that fail before anything connects. */
class KeygenCommandTest {
    private static final String FINGERPRINT = "SHA256:[0-9a-f]{64}";

    @TempDir
    Path dir;

    @Test
    void keygenPrintsOnlyTheFingerprintOnStdoutAndWritesAPrivateKey() throws Exception {
        Path identity = dir.resolve("id");
        Run r = MainTest.run("keygen", identity.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().strip().matches(FINGERPRINT), r.out());
        assertEquals(1, r.out().lines().count(), r.out());
        assertTrue(r.err().contains("key.pem (private, mode 0600)"), r.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(identity.resolve("key.pem"))));
        assertEquals(Identity.load(identity).fingerprint().toString(), r.out().strip());

        Run show = MainTest.run("keygen", identity.toString(), "--show");
        assertEquals(0, show.code(), show.err());
        assertEquals(r.out(), show.out());
    }

    @Test
    void keygenKeepsAnExistingIdentityUnlessForced() {
        Path identity = dir.resolve("id");
        String first = MainTest.run("keygen", identity.toString()).out().strip();
        Run again = MainTest.run("keygen", identity.toString());
        assertEquals(ExitCode.REFUSED.code(), again.code());
        assertEquals(1, again.err().lines().count(), again.err());
        assertTrue(again.err().contains("already exists (identity " + first + "); pass --force"), again.err());
        assertEquals("", again.out());
        Run forced = MainTest.run("keygen", identity.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertNotEquals(first, forced.out().strip());
    }

    @Test
    void theDefaultIdentityDirectoryFollowsTheEnvironment() {
        assertEquals(Path.of("/x/id"), SecurityOptions.defaultIdentityDir(Map.of("DELTASYNC_IDENTITY", "/x/id",
                "HOME", "/home/u")));
        assertEquals(Path.of("/cfg/deltasync/identity"), SecurityOptions.defaultIdentityDir(Map.of(
                "XDG_CONFIG_HOME", "/cfg", "HOME", "/home/u")));
        assertEquals(Path.of("/home/u/.config/deltasync/identity"),
                SecurityOptions.defaultIdentityDir(Map.of("HOME", "/home/u")));
    }

    @Test
    void withoutAnIdentityOrInsecureTheCommandsExplainKeygen() {
        Path missing = dir.resolve("none");
        for (String[] args : new String[][] {
                {"push", "a.bin", "127.0.0.1:1/vm", "--once", "--identity", missing.toString()},
                {"serve", "--region", "vm=" + dir.resolve("r.bin") + ":rw", "--identity", missing.toString(),
                        "--peer-fingerprint", "SHA256:" + "0".repeat(64)}}) {
            if (args[0].equals("push")) {
                args[1] = writeFile("a.bin");
            }
            Run r = MainTest.run(args);
            assertEquals(ExitCode.USAGE.code(), r.code(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("deltasync keygen"), r.err());
        }
    }

    @Test
    void securityOptionsThatCannotWorkAreUsageErrors() throws Exception {
        Path id = dir.resolve("id");
        Identity.generate(id, false);
        String region = "vm=" + dir.resolve("r.bin") + ":rw";
        String fp = "SHA256:" + "ab".repeat(32);
        String[][] cases = {
                {"serve", "--region", region, "--insecure", "--allow", "vm=pull:" + fp},
                {"serve", "--region", region, "--insecure", "--peer-fingerprint", fp},
                {"serve", "--region", region, "--identity", id.toString()},
                {"serve", "--region", region, "--identity", id.toString(), "--allow", "other=pull:" + fp},
                {"serve", "--region", region, "--identity", id.toString(), "--allow", "vm=write:" + fp},
                {"serve", "--region", region, "--identity", id.toString(), "--peer-fingerprint", "SHA256:abc"},
                {"serve", "--region", region, "--identity", id.toString(), "--peer-fingerprint", fp,
                        "--require-blake3", "other"},
                {"push", writeFile("p.bin"), "127.0.0.1:1/vm", "--identity", id.toString()},
        };
        String[] expected = {"--allow cannot be combined with --insecure", "--insecure cannot be combined with"
                + " --peer-fingerprint", "no client could connect", "names region 'other', which is not served",
                "--allow takes NAME=pull:FP or NAME=push:FP", "SHA256: and 64 hex digits",
                "--require-blake3 names region 'other'", "cannot authenticate the server"};
        for (int i = 0; i < cases.length; i++) {
            Run r = MainTest.run(cases[i]);
            assertEquals(ExitCode.USAGE.code(), r.code(), String.join(" ", cases[i]) + "\n" + r.err());
            assertTrue(r.err().contains(expected[i]), expected[i] + " in " + r.err());
        }
    }

    private String writeFile(String name) {
        try {
            return Files.write(dir.resolve(name), new byte[4096]).toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
