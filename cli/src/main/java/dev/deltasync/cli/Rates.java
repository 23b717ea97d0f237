package dev.deltasync.cli;

import dev.deltasync.sync.RateLimit;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/** {@code --max-rate}: a byte size per second, as {@code 10MiB}, {@code 10MiB/s} or {@code 100MB/s}; 0 or absent: no cap. */
final class Rates {
    private Rates() {}

    /** The option, saying which streams share the cap. */
    static Option option(String sharedBy) {
        return Option.builder().longOpt("max-rate").hasArg().argName("RATE")
                .desc("cap the bytes per second on the network, both directions, shared by " + sharedBy
                        + ": e.g. 10MiB or 100MB/s (default: no cap)").get();
    }

    /** The cap the command line asks for; a fresh bucket, to be shared by all of the invocation's streams. */
    static RateLimit parse(CommandLine line, Option option) {
        String text = line.getOptionValue(option);
        if (text == null) {
            return RateLimit.UNLIMITED;
        }
        String size = text.strip().replaceFirst("(?i)/s$", "");
        try {
            return RateLimit.of(Sizes.parse(size));
        } catch (CliException e) {
            throw CliException.usage("not a rate: '" + text + "' (examples: 10MiB, 10MiB/s, 100MB/s; 0 for no cap)");
        }
    }
}
