package dev.deltasync.cli;

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
