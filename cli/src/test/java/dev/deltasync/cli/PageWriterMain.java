package dev.deltasync.cli;

import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionAccess;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A writer process for the end-to-end tests: {@code PageWriterMain FILE SECONDS PAGES_PER_SECOND SEED}.
 * Maps FILE read-write and rewrites random 4 KiB pages with random bytes at the given rate for the given
 * time, as another program sharing the file would; then prints {@code wrote N pages} and exits 0.
 */
public final class PageWriterMain {
    static final int PAGE = 4096;

    private PageWriterMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: PageWriterMain FILE SECONDS PAGES_PER_SECOND SEED");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]);
        int rate = Integer.parseInt(args[2]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
        long written = 0;
        try (MappedRegion region = MappedRegion.open(file, RegionAccess.READ_WRITE)) {
            MemorySegment segment = region.segment();
            long pages = region.size() / PAGE;
            if (pages == 0) {
                throw new IllegalArgumentException(file + " is smaller than one page");
            }
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now;
            while ((now = System.nanoTime()) < end) {
                long due = (long) ((now - start) / 1e9 * rate);
                for (; written < due; written++) {
                    long page = random.nextLong(pages);
                    RandomFill.fill(segment.asSlice(page * PAGE, PAGE), random.nextLong());
                }
                Thread.sleep(5);
            }
        }
        System.out.println("wrote " + written + " pages");
    }
}
