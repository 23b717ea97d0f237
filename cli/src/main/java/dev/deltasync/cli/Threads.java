package dev.deltasync.cli;

/** Parses {@code --threads}: a whole number from 1 to 1024, all cores when absent. */
final class Threads {
    private Threads() {}

    static int parse(String text) {
        if (text == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int threads = Integer.parseInt(text.trim());
            if (threads >= 1 && threads <= 1024) {
                return threads;
            }
        } catch (NumberFormatException e) {
            // one message below
        }
        throw CliException.usage("--threads must be a whole number from 1 to 1024: '" + text + "'");
    }
}
