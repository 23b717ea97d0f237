package dev.deltasync.sync;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.Constants;
import dev.deltasync.sync.codec.Compression;
import java.time.Duration;

/**
 * How a client syncs its regions (the CLI's push/pull options).
 *
 * @param chunkSize    bytes per chunk, or {@link Constants#CHUNK_SIZE_CHOSEN_BY_SOURCE} to let the source choose
 * @param interval     time between scans in continuous mode; a pull asks the server for at least this much
 *                     between epochs ({@link Duration#ZERO}: as often as the server's own interval)
 * @param once         converge, verify, stop
 * @param allowResize  let the replica's file take the source's size
 * @param scanThreads  hashing threads
 * @param rateLimit    the cap all streams of the client share (one instance per invocation, kept across reconnects)
 * @param reverifyEvery how often a continuous pull's replica re-hashes its whole file in the background, to find
 *                     writes by someone else that left the file's times unchanged ({@link Duration#ZERO}: never)
 * @param verify       hash both sides in full for the first epoch: neither a table a source or replica trusts
 *                     nor one remembered of the replica stands in for reading the bytes (PROTOCOL.md §9.7, REHASH)
 */
public record SyncOptions(int chunkSize, HashAlgorithm hash, Compression compression, Duration interval, boolean once,
                          boolean allowResize, int scanThreads, RateLimit rateLimit, Duration reverifyEvery,
                          boolean verify) {
    /** A full re-hash of a 64 GiB replica every 10 minutes costs about 3 % of one core. */
    public static final Duration DEFAULT_REVERIFY_EVERY = Duration.ofMinutes(10);

    public SyncOptions {
        if (reverifyEvery.isNegative()) {
            throw new IllegalArgumentException("reverifyEvery must not be negative: " + reverifyEvery);
        }
    }

    /** Options that trust what may be trusted. */
    public SyncOptions(int chunkSize, HashAlgorithm hash, Compression compression, Duration interval, boolean once,
                       boolean allowResize, int scanThreads, RateLimit rateLimit, Duration reverifyEvery) {
        this(chunkSize, hash, compression, interval, once, allowResize, scanThreads, rateLimit, reverifyEvery, false);
    }

    /** Options with the default re-verification period. */
    public SyncOptions(int chunkSize, HashAlgorithm hash, Compression compression, Duration interval, boolean once,
                       boolean allowResize, int scanThreads, RateLimit rateLimit) {
        this(chunkSize, hash, compression, interval, once, allowResize, scanThreads, rateLimit, DEFAULT_REVERIFY_EVERY);
    }

    /** Options without a rate cap. */
    public SyncOptions(int chunkSize, HashAlgorithm hash, Compression compression, Duration interval, boolean once,
                       boolean allowResize, int scanThreads) {
        this(chunkSize, hash, compression, interval, once, allowResize, scanThreads, RateLimit.UNLIMITED);
    }

    /**
     * Chunk size chosen by the source (4 KiB up to a 4 GiB region, PROTOCOL.md §9.5), XXH3-128, zstd level 1,
     * a scan a second, continuous, no resizing, all cores.
     */
    public static SyncOptions defaults() {
        return new SyncOptions(Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE, HashAlgorithm.XXH3_128, Compression.ZSTD_DEFAULT, Duration.ofSeconds(1),
                false, false, Runtime.getRuntime().availableProcessors());
    }

    public SyncOptions withChunkSize(int chunkSize) {
        return new SyncOptions(chunkSize, hash, compression, interval, once, allowResize, scanThreads, rateLimit,
                reverifyEvery, verify);
    }

    public SyncOptions once(boolean once) {
        return new SyncOptions(chunkSize, hash, compression, interval, once, allowResize, scanThreads, rateLimit,
                reverifyEvery, verify);
    }

    /** With {@code verify}, the first epoch hashes both sides in full whatever either trusts. */
    public SyncOptions verifying(boolean verify) {
        return new SyncOptions(chunkSize, hash, compression, interval, once, allowResize, scanThreads, rateLimit,
                reverifyEvery, verify);
    }

    public SyncOptions withReverifyEvery(Duration reverifyEvery) {
        return new SyncOptions(chunkSize, hash, compression, interval, once, allowResize, scanThreads, rateLimit,
                reverifyEvery, verify);
    }
}
