package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --config FILE}: the generic TOML-to-options mapping, what wins, and the one-line refusals. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private Path file(String toml) throws IOException {
        Path file = dir.resolve("deltasync.toml");
        Files.writeString(file, toml);
        return file;
    }

    private static CommandLine parse(Command command, String... typed) throws Exception {
        return ConfigFile.applyTo(command, new DefaultParser().parse(command.options(), typed), typed);
    }

    @Test
    void aServeFileGivesValuesFlagsAndListsForRepeatableOptions() throws Exception {
        Path file = file("""
                # a service
                listen = "0.0.0.0:7070"
                region = ["vm=/srv/vm.img:ro", "backup=/srv/backup.img:rw"]
                interval = "2s"
                threads = 4
                insecure = true
                """);
        CommandLine line = parse(new ServeCommand(), "--config", file.toString());
        assertEquals("0.0.0.0:7070", line.getOptionValue("listen"));
        assertArrayEquals(new String[] {"vm=/srv/vm.img:ro", "backup=/srv/backup.img:rw"}, line.getOptionValues("region"));
        assertEquals("2s", line.getOptionValue("interval"));
        assertEquals("4", line.getOptionValue("threads"));
        assertTrue(line.hasOption("insecure"));
    }

    @Test
    void theCommandLineWinsKeyByKeyAndAFalseFlagIsAbsent() throws Exception {
        Path file = file("""
                interval = "2s"
                region = ["vm=/srv/vm.img"]
                compress = "none"
                insecure = false
                """);
        CommandLine line = parse(new ServeCommand(), "--config", file.toString(), "--interval", "5s",
                "--region", "other=/srv/other.img");
        assertEquals("5s", line.getOptionValue("interval"));
        assertArrayEquals(new String[] {"other=/srv/other.img"}, line.getOptionValues("region"));
        assertEquals("none", line.getOptionValue("compress"));
        assertFalse(line.hasOption("insecure"));
    }

    @Test
    void aFollowersPairsComeFromTheFileUnlessTheCommandLineHasSome() throws Exception {
        Path file = file("""
                pairs = [["10.0.0.1:7070/vm", "/srv/vm.img"], ["10.0.0.1:7070/-dash", "-leading-dash.img"]]
                reverify = "1m"
                """);
        CommandLine fromFile = parse(new PullCommand(), "--config", file.toString(), "--once");
        assertEquals(List.of("10.0.0.1:7070/vm", "/srv/vm.img", "10.0.0.1:7070/-dash", "-leading-dash.img"),
                fromFile.getArgList());
        assertTrue(fromFile.hasOption("once"));
        assertEquals("1m", fromFile.getOptionValue("reverify"));
        CommandLine typed = parse(new PullCommand(), "--config", file.toString(), "h:1/x", "x.img");
        assertEquals(List.of("h:1/x", "x.img"), typed.getArgList());
    }

    /** Every option of serve, push and pull has its key, named like the option, with no code of its own. */
    @ParameterizedTest
    @ValueSource(strings = {"serve", "push", "pull"})
    void everyOptionHasAKey(String name) throws Exception {
        Command command = switch (name) {
            case "serve" -> new ServeCommand();
            case "push" -> new PushCommand();
            default -> new PullCommand();
        };
        StringBuilder toml = new StringBuilder();
        List<String> keys = new ArrayList<>();
        for (Option option : command.options().getOptions()) {
            String key = option.getLongOpt();
            if (key.equals("config") || key.equals("help")) {
                continue;
            }
            keys.add(key);
            toml.append(key).append(" = ").append(!option.hasArg() ? "true"
                    : Command.isRepeatable(option) ? "[\"a\", \"b\"]" : "\"a\"").append('\n');
        }
        CommandLine line = parse(command, "--config", file(toml.toString()).toString());
        for (String key : keys) {
            assertTrue(line.hasOption(key), key);
        }
        assertTrue(keys.size() >= 14, keys.toString());
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("interval = '1s'\nlisen = 'x'",
                        ":2: unknown key 'lisen': serve has no option --lisen; see deltasync serve --help"),
                Arguments.of("insecure = 'yes'", ":1: 'insecure' is a flag: it takes true or false, not a string"),
                Arguments.of("\ninterval = ['1s', '2s']",
                        ":2: 'interval' takes one value, not a list (only repeatable options take lists)"),
                Arguments.of("listen = 7.5", ":1: 'listen' takes a string, not a float"),
                Arguments.of("region = ['a=/x',\n  true]", ":1: 'region' takes a list of strings, but item 2 is a boolean"),
                Arguments.of("[region]\nvm = '/x'", ":1: 'region' takes a string or a list of strings, not a table"),
                Arguments.of("config = 'other.toml'", ":1: 'config' cannot be set in a config file"),
                Arguments.of("\nlisten = \"unclosed", ":2: not valid TOML: "));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void aBadKeyOrValueIsOneLineNamingTheFileTheLineAndTheKey(String toml, String expected) throws Exception {
        Path file = file(toml);
        MainTest.Run r = MainTest.run("serve", "--config", file.toString(), "--insecure");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("deltasync serve: " + file + expected), r.err());
    }

    @Test
    void aPullFileThatPutsItsPairsUnderAnOptionNameIsToldWhereTheyGo() throws Exception {
        Path file = file("remote = '10.0.0.1:7070/vm'\n");
        CliException e = assertThrows(CliException.class, () -> parse(new PullCommand(), "--config", file.toString()));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("unknown key 'remote': pull has no option --remote (its arguments go in"
                + " 'pairs')"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamedWithItsOption() {
        MainTest.Run r = MainTest.run("pull", "--config", dir.resolve("nope.toml").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("deltasync pull: --config " + dir.resolve("nope.toml") + ": does not exist", r.err().strip());
    }

    /** The README's examples are files these commands take as they are. */
    @Test
    void theReadmesExampleFilesAreAccepted() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher block = Pattern.compile("```toml\n# \\S+: deltasync (\\w+) --config \\S+\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        int examples = 0;
        while (block.find()) {
            Command command = block.group(1).equals("serve") ? new ServeCommand() : new PullCommand();
            CommandLine line = parse(command, "--config", file(block.group(2)).toString());
            assertTrue(line.getOptions().length >= 4, block.group());
            examples++;
        }
        assertEquals(2, examples, "README's Config file section has a serve and a pull example");
    }
}
