package dev.deltasync.cli;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** One subcommand: its options, its help text, and what it does. Shared options live here. */
abstract class Command {
    static final Option HELP = Option.builder("h").longOpt("help").desc("show this help and exit").get();
    static final Option DEBUG = Option.builder().longOpt("debug")
            .desc("print stack traces for errors").get();
    /** Long names of the options that may be given several times; see {@link #repeatable}. */
    private static final Set<String> REPEATABLE = ConcurrentHashMap.newKeySet();

    /** The word typed after {@code deltasync}. */
    abstract String name();

    /** One line for the command list. */
    abstract String summary();

    /** The synopsis after the command name, e.g. {@code LOCAL_PATH HOST:PORT/NAME [options]}. */
    abstract String synopsis();

    /** What the command does and examples that work as typed. */
    abstract String description();

    /** The command's own options; {@link #HELP} and {@link #DEBUG} are added for every command. */
    abstract Options ownOptions();

    abstract ExitCode run(CommandLine line, Io io) throws Exception;

    /** The {@link ConfigFile} key that holds the command's arguments; null: a file holds options only. */
    String argumentsKey() {
        return null;
    }

    /** Marks {@code option} as one that may be given several times (a config file gives it a list). */
    static Option repeatable(Option option) {
        REPEATABLE.add(option.getLongOpt());
        return option;
    }

    static boolean isRepeatable(Option option) {
        return REPEATABLE.contains(option.getLongOpt());
    }

    /** Runs a parser that rejects bad input with IllegalArgumentException, as a usage error (exit 2). */
    static <T> T orUsageError(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** The option's value through {@code parse}, or the engine's default when the option is absent. */
    static <T> T valueOr(CommandLine line, Option option, Function<String, T> parse, T absent) {
        return line.hasOption(option) ? parse.apply(line.getOptionValue(option)) : absent;
    }

    final Options options() {
        Options options = ownOptions();
        options.addOption(HELP);
        options.addOption(DEBUG);
        return options;
    }
}
