package dev.deltasync.cli;

import dev.deltasync.sync.RateLimit;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/**
 * {@code --max-rate}: a byte size per second, as {@code 10MiB}, {@code 10MiB/s} or {@code 100MB/s}, from 1KiB/s
 * to 1TiB/s; 0 or absent: no cap. Below a KiB/s a sync would crawl (a typed {@code 10} is 10 bytes per second).
 */
final class Rates {
    static final long SLOWEST = 1L << 10;
    static final long FASTEST = 1L << 40;

    private Rates() {}

    /** The option, saying which streams share the cap. */
    static Option option(String sharedBy) {
        return Option.builder().longOpt("max-rate").hasArg().argName("RATE")
                .desc("cap the bytes per second on the network, both directions, shared by " + sharedBy
                        + ": e.g. 10MiB or 100MB/s, from 1KiB/s to 1TiB/s (default: no cap)").get();
    }

    /** The cap the command line asks for; a fresh bucket, to be shared by all of the invocation's streams. */
    static RateLimit parse(CommandLine line, Option option) {
        String text = line.getOptionValue(option);
        if (text == null) {
            return RateLimit.UNLIMITED;
        }
        String size = text.strip().replaceFirst("(?i)/s$", "");
        long bytesPerSecond;
        try {
            bytesPerSecond = Sizes.parse(size);
        } catch (CliException e) {
            throw CliException.usage("not a rate: '" + text + "' (examples: 10MiB, 10MiB/s, 100MB/s; 0 for no cap)");
        }
        if (bytesPerSecond != 0 && (bytesPerSecond < SLOWEST || bytesPerSecond > FASTEST)) {
            throw CliException.usage("--max-rate must be 0 (no cap) or from 1KiB/s to 1TiB/s: '" + text + "' is "
                    + Sizes.format(bytesPerSecond) + "/s");
        }
        return RateLimit.of(bytesPerSecond);
    }
}
