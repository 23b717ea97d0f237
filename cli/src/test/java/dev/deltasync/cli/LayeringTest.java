package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command line talks to the engine ({@code sync}) and to the modules below it that hold plain facts (peer,
 * protocol, hashing), never to the connection layer: dependencies point down, {@code cli -> sync -> mux}. Sources
 * are read for imports and qualified names; compiled classes for what javac wrote into their constant pools, which
 * also holds every type reached through a method's signature without being named (a {@code sync} method that
 * returned a mux type, called from here).
 */
class LayeringTest {
    /** Built at run time, so that neither this file nor its class file holds the name it looks for. */
    private static final String MUX = String.join(".", "dev", "deltasync", "mux");
    private static final Pattern IN_SOURCE = Pattern.compile(Pattern.quote(MUX) + "\\b");
    private static final String IN_CLASS_FILE = MUX.replace('.', '/') + "/";

    @Test
    void noCliSourceNamesTheMuxModule() throws IOException {
        List<String> offenders = new ArrayList<>();
        int read = 0;
        for (Path root : List.of(Path.of("src/main/java"), Path.of("src/test/java"))) {
            for (Path file : files(root, ".java")) {
                read++;
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (IN_SOURCE.matcher(lines.get(i)).find()) {
                        offenders.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertTrue(read > 50, "read only " + read + " sources: is the working directory cli/?");
        assertEquals(List.of(), offenders, "cli must reach " + MUX + " only through sync");
    }

    @Test
    void noCliClassReferencesTheMuxModule() throws IOException, URISyntaxException {
        List<String> offenders = new ArrayList<>();
        int read = 0;
        for (Class<?> anchor : List.of(Main.class, LayeringTest.class)) { // target/classes, target/test-classes
            Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path file : files(root, ".class")) {
                read++;
                if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(IN_CLASS_FILE)) {
                    offenders.add(root.relativize(file).toString());
                }
            }
        }
        assertTrue(read > 50, "read only " + read + " class files");
        assertEquals(List.of(), offenders, "these cli classes refer to " + MUX + "; reach it only through sync");
    }

    private static List<Path> files(Path root, String suffix) throws IOException {
        assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " is not a directory");
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
