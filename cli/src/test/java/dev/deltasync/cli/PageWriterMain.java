package dev.deltasync.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A writer process for the end-to-end tests: {@code PageWriterMain FILE SECONDS PAGES_PER_SECOND SEED}.
 * Maps FILE read-write and rewrites random 4 KiB pages with random bytes at the given rate for the given
 * time, as another program sharing the file would; then prints {@code wrote N pages} and exits 0.
 */
public final class PageWriterMain {
    private PageWriterMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: PageWriterMain FILE SECONDS PAGES_PER_SECOND SEED");
            System.exit(2);
        }
        Duration duration = Duration.ofNanos((long) (Double.parseDouble(args[1]) * 1e9));
        PageWriter writer = new PageWriter(new SplittableRandom(Long.parseLong(args[3])));
        long written = writer.run(Path.of(args[0]), duration, Integer.parseInt(args[2]));
        System.out.println("wrote " + written + " pages");
    }
}
