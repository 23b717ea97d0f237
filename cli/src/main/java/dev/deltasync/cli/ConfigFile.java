package dev.deltasync.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * {@code --config FILE}: a command's options from a TOML file, for services. One generic mapping, so every option
 * has a key without code of its own: a key is an option's long name; a flag takes {@code true} or {@code false}, an
 * option with a value a string (or an integer), a repeatable option a list of them; {@link Command#argumentsKey()}
 * holds the arguments. What the command line gives wins over the file, key by key. Unknown keys and values of the
 * wrong type are refused with the file, line and key.
 */
final class ConfigFile {
    static final Option OPTION = Option.builder().longOpt("config").hasArg().argName("FILE")
            .desc("read options from this TOML file: a key per option, named like it (interval = \"2s\", once = true,"
                    + " region = [\"vm=/srv/vm.img\"]); options on the command line win (README: Config file)").get();
    /** Options a file may not set: they are about this invocation, not the service. */
    private static final List<String> NOT_IN_FILES = List.of(OPTION.getLongOpt(), Command.HELP.getLongOpt());

    private ConfigFile() {}

    /**
     * {@code line} with the options of its {@code --config} file added where the command line has none of its own;
     * {@code line} itself when it names no file.
     *
     * @param typed the command line's arguments after the command's name, from which {@code line} was parsed
     */
    static CommandLine applyTo(Command command, CommandLine line, String[] typed) throws ParseException {
        if (!line.hasOption(OPTION)) {
            return line;
        }
        Path file = Path.of(line.getOptionValue(OPTION));
        Reader reader = new Reader(command, file, read(file));
        List<String> arguments = reader.options(line);
        List<String> positional = reader.positional();
        arguments.addAll(List.of(typed));
        if (line.getArgList().isEmpty() && !positional.isEmpty()) {
            arguments.add("--"); // what follows are arguments, even where one begins with '-'
            arguments.addAll(positional);
        }
        return new DefaultParser().parse(command.options(), arguments.toArray(String[]::new));
    }

    private static TomlParseResult read(Path file) {
        TomlParseResult toml;
        try {
            toml = Toml.parse(file);
        } catch (IOException e) {
            throw FileOptionErrors.unreadable("--config", file, e);
        }
        if (toml.hasErrors()) {
            TomlParseError first = toml.errors().getFirst();
            throw CliException.usage(file + ":" + first.position().line() + ": not valid TOML: " + first.getMessage());
        }
        return toml;
    }

    /** Turns one parsed file into command-line arguments, refusing what no option takes. */
    private record Reader(Command command, Path file, TomlTable toml) {
        /** The command's arguments the file holds ({@link Command#argumentsKey()}), none if it holds none. */
        List<String> positional() {
            String key = command.argumentsKey();
            Object value = key == null ? null : toml.get(List.of(key));
            return value == null ? List.of() : strings(key, value, true);
        }

        /** The file's options as command-line arguments, but for those that {@code line} gives. */
        List<String> options(CommandLine line) {
            Options options = command.options();
            List<String> arguments = new ArrayList<>();
            for (Map.Entry<String, Object> entry : toml.entrySet()) {
                String key = entry.getKey();
                Object value = entry.getValue();
                if (key.equals(command.argumentsKey())) {
                    continue;
                }
                Option option = options.getOption(key);
                if (option == null || !key.equals(option.getLongOpt())) {
                    throw error(key, "unknown key '" + key + "': " + command.name() + " has no option --" + key
                            + (command.argumentsKey() == null ? "" : " (its arguments go in '" + command.argumentsKey()
                            + "')") + "; see deltasync " + command.name() + " --help");
                }
                if (NOT_IN_FILES.contains(key)) {
                    throw error(key, "'" + key + "' cannot be set in a config file");
                }
                List<String> given = given(key, value, option);
                if (!line.hasOption(option)) { // else the command line wins
                    arguments.addAll(given);
                }
            }
            return arguments;
        }

        /** The arguments that say what {@code value} says for {@code option}. */
        private List<String> given(String key, Object value, Option option) {
            if (!option.hasArg()) {
                if (!(value instanceof Boolean on)) {
                    throw error(key, "'" + key + "' is a flag: it takes true or false, not " + kind(value));
                }
                return on ? List.of("--" + key) : List.of();
            }
            return strings(key, value, Command.isRepeatable(option)).stream().map(text -> "--" + key + "=" + text)
                    .toList();
        }

        /** A string or integer, or when {@code list} a list of them (nested lists flattened, for pairs). */
        private List<String> strings(String key, Object value, boolean list) {
            if (value instanceof String || value instanceof Long) {
                return List.of(value.toString());
            }
            if (!(value instanceof TomlArray array)) {
                throw error(key, "'" + key + "' takes " + (list ? "a string or a list of strings" : "a string")
                        + ", not " + kind(value));
            }
            if (!list) {
                throw error(key, "'" + key + "' takes one value, not a list (only repeatable options take lists)");
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                Object element = array.get(i);
                if (element instanceof TomlArray) {
                    values.addAll(strings(key, element, true));
                } else if (element instanceof String || element instanceof Long) {
                    values.add(element.toString());
                } else {
                    throw error(key, "'" + key + "' takes a list of strings, but item "
                            + (i + 1) + " is " + kind(element));
                }
            }
            return values;
        }

        /** One line naming the file and the line of {@code key}. */
        private CliException error(String key, String message) {
            TomlPosition position = toml.inputPositionOf(List.of(key));
            return CliException.usage(file + (position == null ? "" : ":" + position.line()) + ": " + message);
        }
    }

    /** How a TOML value's type reads in an error. */
    private static String kind(Object value) {
        return switch (value) {
            case Boolean b -> "a boolean";
            case String s -> "a string";
            case Long l -> "an integer";
            case Double d -> "a float";
            case TomlArray a -> "a list";
            case TomlTable t -> "a table";
            default -> "a date or time";
        };
    }
}
