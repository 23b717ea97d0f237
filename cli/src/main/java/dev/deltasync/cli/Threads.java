package dev.deltasync.cli;

import org.apache.commons.cli.Option;

/** Parses {@code --threads}: a whole number from 1 to 1024, all cores when absent. */
final class Threads {
    /** The option, the same for every command that hashes. */
    static final Option OPTION = Option.builder().longOpt("threads").hasArg().argName("N")
            .desc("hashing threads (default: all cores)").get();

    private Threads() {}

    static int parse(String text) {
        return text == null ? Runtime.getRuntime().availableProcessors() : wholeNumber(text, "--threads", 1, 1024);
    }

    /** A whole number from {@code min} to {@code max}, else a usage error naming {@code option}. */
    static int wholeNumber(String text, String option, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // one message below
        }
        throw CliException.usage(option + " must be a whole number from " + min + " to " + max + ": '" + text + "'");
    }
}
