package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dev.deltasync.peer.Identity;
import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Starts real JVMs for the end-to-end tests ({@code deltasync} itself and {@link PageWriterMain}), with
 * stdout and stderr captured to files, and kills every one of them in {@link #killAll()}.
 */
final class ProcessHarness {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(");

    /** A started process and where its output goes. */
    record Proc(String name, Process process, Path out, Path err) {
        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        boolean alive() {
            return process.isAlive();
        }

        /** The last lines of both streams, for assertion messages. */
        String tails() {
            return "\n--- " + name + " (" + (process.isAlive() ? "running" : "exit " + process.exitValue())
                    + ") stdout tail ---\n" + tail(stdout()) + "\n--- " + name + " stderr tail ---\n" + tail(stderr());
        }

        private static String tail(String text) {
            List<String> lines = text.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        }
    }

    /** A running {@code deltasync serve} and the port it bound. */
    record Server(Proc proc, int port) {
        String address(String region) {
            return "127.0.0.1:" + port + "/" + region;
        }
    }

    private final Path logDir;
    private final List<Proc> started = new CopyOnWriteArrayList<>();
    private int counter;

    ProcessHarness(Path logDir) {
        this.logDir = logDir;
    }

    static List<String> javaCommand(String mainClass) {
        String java = ProcessHandle.current().info().command().orElseGet(() ->
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-Xmx384m", "-cp", childClassPath(), mainClass));
    }

    private static String childClassPath;

    /**
     * The test JVM's class path for the child JVMs, with its class directories (target/classes,
     * target/test-classes) copied once into a snapshot: child JVMs load classes lazily, minutes after they
     * start, and a build running meanwhile in the same tree must not pull classes out from under them.
     * Surefire's manifest-only booter jar is expanded to the entries of its Class-Path manifest attribute.
     */
    static synchronized String childClassPath() {
        if (childClassPath != null) {
            return childClassPath;
        }
        try {
            List<Path> entries = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                entries.addAll(expandManifestOnlyJar(Path.of(entry)));
            }
            Path snapshot = Files.createTempDirectory("deltasync-e2e-classes-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(snapshot)));
            List<String> result = new ArrayList<>();
            int n = 0;
            for (Path entry : entries) {
                if (Files.isDirectory(entry)) {
                    Path copy = snapshot.resolve(n++ + "-" + entry.getFileName());
                    copyTree(entry, copy);
                    result.add(copy.toString());
                } else {
                    result.add(entry.toString());
                }
            }
            childClassPath = String.join(java.io.File.pathSeparator, result);
            return childClassPath;
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot build the child class path", e);
        }
    }

    private static List<Path> expandManifestOnlyJar(Path entry) throws IOException, java.net.URISyntaxException {
        if (!Files.isRegularFile(entry) || !entry.toString().endsWith(".jar")) {
            return List.of(entry);
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry.toFile())) {
            java.util.jar.Manifest manifest = jar.getManifest();
            String classPath = manifest == null ? null
                    : manifest.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
            boolean manifestOnly = classPath != null && jar.stream().noneMatch(e -> e.getName().endsWith(".class"));
            if (!manifestOnly) {
                return List.of(entry);
            }
            List<Path> expanded = new ArrayList<>();
            java.net.URI base = entry.toAbsolutePath().getParent().toUri();
            for (String item : classPath.trim().split("\\s+")) {
                expanded.add(Path.of(base.resolve(new java.net.URI(item))));
            }
            expanded.add(entry);
            return expanded;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }

    synchronized Proc start(String name, String mainClass, List<String> args) throws IOException {
        return start(name, mainClass, args, java.util.Map.of());
    }

    /** As {@link #start(String, String, List)}, with {@code environment} added to the child's. */
    synchronized Proc start(String name, String mainClass, List<String> args, java.util.Map<String, String> environment)
            throws IOException {
        List<String> command = javaCommand(mainClass);
        command.addAll(mainClass.equals(Main.class.getName()) ? TestIdentities.secured(args) : args);
        return start(name, command, environment);
    }

    private synchronized Proc start(String name, List<String> command) throws IOException {
        return start(name, command, java.util.Map.of());
    }

    /** A child never inherits JOURNAL_STREAM (a test run under systemd would lose its timestamps) unless given. */
    private synchronized Proc start(String name, List<String> command, java.util.Map<String, String> environment)
            throws IOException {
        String file = String.format("%02d-%s", ++counter, name.replaceAll("[^A-Za-z0-9_.-]", "_"));
        Path out = logDir.resolve(file + ".out");
        Path err = logDir.resolve(file + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().remove("JOURNAL_STREAM");
        builder.environment().putAll(environment);
        Process process = builder.start();
        Proc proc = new Proc(name, process, out, err);
        started.add(proc);
        return proc;
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /**
     * TLS is the default, so serve, push and pull run over TLS 1.3 with two throwaway identities that pin each
     * other, unless the test chose {@code --identity} or {@code --insecure} itself.
     */
    static final class TestIdentities {
        private static final Path DIR;
        private static final String SERVER_FINGERPRINT;
        private static final String CLIENT_FINGERPRINT;

        static {
            try {
                DIR = Files.createTempDirectory("deltasync-e2e-identities-");
                SERVER_FINGERPRINT = Identity.generate(DIR.resolve("server"), false).fingerprint().toString();
                CLIENT_FINGERPRINT = Identity.generate(DIR.resolve("client"), false).fingerprint().toString();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(DIR)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private TestIdentities() {}

        static List<String> secured(List<String> args) {
            if (args.isEmpty() || !List.of("serve", "push", "pull").contains(args.getFirst())
                    || args.contains("--identity") || args.contains("--insecure")) {
                return args;
            }
            boolean serve = args.getFirst().equals("serve");
            List<String> secured = new ArrayList<>(List.of(args.getFirst(),
                    "--identity", DIR.resolve(serve ? "server" : "client").toString(),
                    "--peer-fingerprint", serve ? CLIENT_FINGERPRINT : SERVER_FINGERPRINT));
            secured.addAll(args.subList(1, args.size()));
            return secured;
        }
    }

    /**
     * Starts {@code deltasync ARGS...} on a pseudo-terminal (util-linux {@code script}), as a user at a terminal
     * would: stdout and stderr both go to the terminal, whose output the Proc's stdout records, redraws and all.
     */
    Proc onTerminal(String name, String... args) throws IOException {
        List<String> command = javaCommand(Main.class.getName());
        command.addAll(TestIdentities.secured(List.of(args)));
        String shell = command.stream().map(word -> "'" + word.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        return start(name, List.of("script", "-q", "-e", "-c", shell, "/dev/null"));
    }

    /** Starts {@code deltasync ARGS...} under {@code wrapper}, a command that runs the rest (e.g. strace). */
    Proc wrapped(String name, List<String> wrapper, String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(javaCommand(Main.class.getName()));
        command.addAll(TestIdentities.secured(List.of(args)));
        return start(name, command);
    }

    /** Starts {@code deltasync ARGS...}. */
    Proc deltasync(String name, String... args) throws IOException {
        return start(name, "dev.deltasync.cli.Main", List.of(args));
    }

    /** Runs {@code deltasync ARGS...} to completion. */
    Proc run(Duration timeout, String name, String... args) throws IOException, InterruptedException {
        Proc proc = deltasync(name, args);
        awaitExit(proc, timeout);
        return proc;
    }

    Proc writer(Path file, double seconds, int pagesPerSecond, long seed) throws IOException {
        return start("writer-" + file.getFileName(), PageWriterMain.class.getName(),
                List.of(file.toString(), Double.toString(seconds), Integer.toString(pagesPerSecond),
                        Long.toString(seed)));
    }

    /**
     * Starts {@code deltasync serve --listen 127.0.0.1:0 ...} and waits for its "listening on" line; the
     * pattern includes what follows the port, as stderr may be read while the line is half written.
     */
    Server serve(Duration timeout, String... args) throws IOException, InterruptedException {
        return serveOn(0, timeout, args);
    }

    /** Starts {@code deltasync serve --listen 127.0.0.1:PORT ...} (0 for any free port). */
    Server serveOn(int port, Duration timeout, String... args) throws IOException, InterruptedException {
        return serveOn(port, timeout, java.util.Map.of(), args);
    }

    /** As {@link #serveOn(int, Duration, String...)}, with {@code environment} added to the server's. */
    Server serveOn(int port, Duration timeout, java.util.Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:" + port));
        all.addAll(List.of(args));
        Proc proc = start("serve", "dev.deltasync.cli.Main", all, environment);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(proc.stderr());
            if (m.find()) {
                return new Server(proc, Integer.parseInt(m.group(1)));
            }
            if (!proc.alive()) {
                fail("serve exited before listening" + proc.tails());
            }
            Thread.sleep(50);
        }
        fail("serve did not print 'listening on' within " + timeout + proc.tails());
        return null;
    }

    int awaitExit(Proc proc, Duration timeout) throws InterruptedException {
        if (!proc.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail(proc.name() + " did not exit within " + timeout + proc.tails());
        }
        return proc.process().exitValue();
    }

    /** Polls {@code condition} until it holds; fails with {@code diagnostics} at the deadline. */
    static void await(Duration timeout, Duration poll, BooleanSupplier condition,
                      java.util.function.Supplier<String> diagnostics) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within " + timeout + ": " + diagnostics.get());
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /** True when both files exist and hold the same bytes. */
    static boolean identical(Path a, Path b) {
        try {
            return Files.mismatch(a, b) == -1;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String describeMismatch(Path a, Path b) {
        try {
            return a.getFileName() + " (" + Files.size(a) + " bytes) vs " + b.getFileName() + " ("
                    + (Files.exists(b) ? Files.size(b) + " bytes" : "missing") + "), first mismatch at "
                    + (Files.exists(b) ? Files.mismatch(a, b) : -1);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Creates {@code file} of {@code size} random bytes through a mapping (fast, no heap copy). */
    static void randomFile(Path file, long size, long seed) throws IOException {
        try (MappedRegion region = MappedRegion.openResized(file, size)) {
            RandomFill.fill(region.segment(), seed);
        }
    }

    String allTails() {
        return started.stream().map(Proc::tails).collect(Collectors.joining("\n"));
    }

    /** Kills every process this harness started and waits briefly for each to go. */
    void killAll() throws InterruptedException {
        for (Proc proc : started) {
            proc.process().descendants().forEach(ProcessHandle::destroyForcibly);
            proc.process().destroyForcibly();
        }
        for (Proc proc : started) {
            proc.process().waitFor(10, TimeUnit.SECONDS);
        }
        started.clear();
    }
}
