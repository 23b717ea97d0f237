package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the distribution as a user would (tar xzf into an empty folder, a symlink to its launcher in a
 * folder on PATH) and runs it from another directory, with no JAVA_HOME and the machine's default java first
 * on PATH: the launcher has to find a Java 25 by itself.
 */
class DistributionIT {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(");

    @TempDir
    static Path temp;
    static Path installed;
    static Path onPath;
    static Path work;

    @BeforeAll
    static void install() throws Exception {
        Path tarball = Path.of(System.getProperty("deltasync.distribution"));
        assertTrue(Files.isRegularFile(tarball), "no distribution at " + tarball + " (run after package)");
        Path unpackInto = Files.createDirectories(temp.resolve("opt"));
        Result untar = exec(new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", unpackInto.toString()));
        assertEquals(0, untar.code(), untar.err());
        try (var entries = Files.list(unpackInto)) {
            installed = entries.collect(java.util.stream.Collectors.toList()).getFirst();
        }
        onPath = Files.createDirectories(temp.resolve("bin"));
        Files.createSymbolicLink(onPath.resolve("deltasync"), installed.resolve("bin/deltasync"));
        work = Files.createDirectories(temp.resolve("work"));
    }

    @Test
    void versionRunsThroughASymlinkOnPathAndKeepsAnAheadOfTimeCache() throws Exception {
        Result r = deltasync("--version");
        assertEquals(0, r.code(), r.err());
        String version = System.getProperty("deltasync.version");
        assertTrue(r.out().startsWith("deltasync " + version + "\n"), r.out());
        assertTrue(r.out().matches("(?s).*\ncommit    [0-9a-f]{7,}\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\njava      (2[5-9]|[3-9][0-9])[.+].*"), r.out());
        assertTrue(r.out().matches("(?s).*\ntransport (epoll|nio)\ntls       (openssl|jdk) \\(.*\\)\n"), r.out());
        assertTrue(aotFiles().stream().anyMatch(f -> f.matches("aot-version-tls\\.\\d+\\.conf")),
                "the first run records the command's classes beside the jar: " + aotFiles());

        Result again = deltasync("-V"); // assembles the cache from the record, in the background
        assertEquals(0, again.code(), again.err());
        assertEquals(r.out(), again.out());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!aotFiles().contains("aot-version-tls.aot") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(aotFiles().contains("aot-version-tls.aot"), "the second run assembles the cache: " + aotFiles());

        Result cached = deltasync("version");
        assertEquals(0, cached.code(), cached.err());
        assertEquals(r.out(), cached.out());
        assertEquals("", cached.err());
    }

    private static List<String> aotFiles() throws IOException {
        try (var files = Files.list(installed)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("aot-")).toList();
        }
    }

    @Test
    void javaDashJarRunsTheInstalledJar() throws Exception {
        Path jar;
        try (var files = Files.list(installed)) {
            jar = files.filter(f -> f.getFileName().toString().matches("deltasync-cli-.*\\.jar")).findFirst()
                    .orElseThrow();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Result r = exec(new ProcessBuilder(java, "-jar", jar.toString(), "version").directory(work.toFile()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("deltasync "), r.out());
        assertEquals("", r.err(), "no native-access warning: the manifest enables it");
    }

    @Test
    void aShortPullFromAnInstalledServerVerifies() throws Exception {
        Path source = work.resolve("source.img");
        ProcessHarness.randomFile(source, 4L << 20, 12);
        Process server = shell(List.of("serve", "--listen", "127.0.0.1:0", "--region", "r=source.img:ro",
                "--insecure")).redirectOutput(work.resolve("serve.out").toFile())
                .redirectError(work.resolve("serve.err").toFile()).start();
        try {
            int port = awaitListening(server, work.resolve("serve.err"));
            Result pull = deltasync("pull", "127.0.0.1:" + port + "/r", "replica.img", "--once", "--insecure");
            assertEquals(0, pull.code(), pull.err());
            assertTrue(ProcessHarness.identical(source, work.resolve("replica.img")));
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int awaitListening(Process server, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(err));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!server.isAlive()) {
                fail("serve exited: " + Files.readString(err));
            }
            Thread.sleep(50);
        }
        fail("serve did not listen: " + Files.readString(err));
        return -1;
    }

    record Result(int code, String out, String err) { }

    /** {@code deltasync ARGS} as a shell in {@link #work} finds it on PATH. */
    private static Result deltasync(String... args) throws Exception {
        return exec(shell(List.of(args)));
    }

    private static ProcessBuilder shell(List<String> args) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec deltasync \"$@\"", "deltasync"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().remove("JAVA_HOME");
        // The machine's default java first; the JDK running this test last, for machines whose JDK 25 is
        // nowhere the launcher looks.
        builder.environment().put("PATH", onPath + ":/usr/bin:/bin:" + Path.of(System.getProperty("java.home"), "bin"));
        return builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }

    private static Result exec(ProcessBuilder builder) throws IOException, InterruptedException {
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("did not exit within 120 s: " + builder.command() + "\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
