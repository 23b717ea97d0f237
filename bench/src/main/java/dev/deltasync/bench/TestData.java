package dev.deltasync.bench;

import dev.deltasync.cli.Sizes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Data for the end-to-end benchmark ({@code bench/push-vs-rsync.sh}), reproducible from a seed.
 *
 * <pre>
 * TestData random FILE SIZE SEED             FILE := SIZE random bytes (created or truncated)
 * TestData mutate FILE FRACTION PAGE SEED    rewrites round(FRACTION * pages) distinct PAGE-sized pages with new
 *                                            random bytes, in place; prints how many aligned blocks of common
 *                                            sizes that touched, as one JSON object on stdout
 * </pre>
 *
 * SIZE and PAGE take K/M/G suffixes (binary: 1K = 1024) or KiB/MiB/GiB.
 */
public final class TestData {
    private static final int BUFFER = 1 << 20;
    private static final int[] REPORTED_BLOCKS = {4 << 10, 32 << 10, 64 << 10, 128 << 10, 1 << 20};

    private TestData() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 4 && args[0].equals("random")) {
            Path file = Path.of(args[1]);
            long size = Sizes.parse(args[2]);
            long seed = Long.parseLong(args[3]);
            long start = System.nanoTime();
            random(file, size, seed);
            System.err.printf(Locale.ROOT, "TestData: wrote %d random bytes to %s in %.2f s%n",
                    size, file, (System.nanoTime() - start) / 1e9);
        } else if (args.length == 5 && args[0].equals("mutate")) {
            Path file = Path.of(args[1]);
            double fraction = Double.parseDouble(args[2]);
            int page = Math.toIntExact(Sizes.parse(args[3]));
            long seed = Long.parseLong(args[4]);
            System.out.println(mutate(file, fraction, page, seed));
        } else {
            System.err.println("""
                    usage: TestData random FILE SIZE SEED
                           TestData mutate FILE FRACTION PAGE SEED""");
            System.exit(2);
        }
    }

    static void random(Path file, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long written = 0;
            while (written < size) {
                fill(buf, random, (int) Math.min(BUFFER, size - written));
                while (buf.hasRemaining()) {
                    written += ch.write(buf);
                }
            }
        }
    }

    /** Rewrites distinct random pages in place; returns a JSON summary. The last page may be partial. */
    static String mutate(Path file, double fraction, int page, long seed) throws IOException {
        if (!(fraction >= 0 && fraction <= 1) || page <= 0) {
            throw new IllegalArgumentException("need 0 <= FRACTION <= 1 and PAGE > 0");
        }
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(page);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pages = (size + page - 1) / page;
            long target = Math.round(fraction * pages);
            BitSet chosen = new BitSet(Math.toIntExact(pages));
            long[] touched = new long[REPORTED_BLOCKS.length];
            long[] lastBlock = new long[REPORTED_BLOCKS.length];
            java.util.Arrays.fill(lastBlock, -1);
            for (long n = 0; n < target; ) {
                int p = (int) random.nextLong(pages);
                if (!chosen.get(p)) {
                    chosen.set(p);
                    n++;
                }
            }
            long bytes = 0;
            // Write in file order (kinder to the disk); count touched blocks on the way.
            for (int p = chosen.nextSetBit(0); p >= 0; p = chosen.nextSetBit(p + 1)) {
                long offset = (long) p * page;
                int length = (int) Math.min(page, size - offset);
                fill(buf, random, length);
                while (buf.hasRemaining()) {
                    ch.write(buf, offset + buf.position());
                }
                bytes += length;
                for (int i = 0; i < REPORTED_BLOCKS.length; i++) {
                    long block = offset / REPORTED_BLOCKS[i];
                    if (block != lastBlock[i]) {
                        lastBlock[i] = block;
                        touched[i]++;
                    }
                }
            }
            StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                    "{\"file_bytes\":%d,\"page\":%d,\"pages\":%d,\"pages_rewritten\":%d,\"bytes_rewritten\":%d",
                    size, page, pages, target, bytes));
            for (int i = 0; i < REPORTED_BLOCKS.length; i++) {
                json.append(",\"blocks_touched_").append(REPORTED_BLOCKS[i]).append("\":").append(touched[i]);
            }
            return json.append('}').toString();
        }
    }

    private static void fill(ByteBuffer buf, SplittableRandom random, int length) {
        buf.clear();
        while (buf.position() + Long.BYTES <= length) {
            buf.putLong(random.nextLong());
        }
        long last = random.nextLong();
        while (buf.position() < length) {
            buf.put((byte) last);
            last >>>= 8;
        }
        buf.flip();
    }
}
