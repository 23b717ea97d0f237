package dev.deltasync.sync;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.codec.Compression;
import java.time.Duration;

/**
 * How a client syncs its regions (the CLI's push/pull options).
 *
 * @param interval     time between scans in continuous mode
 * @param once         converge, verify, stop
 * @param allowResize  let the replica's file take the source's size
 * @param scanThreads  hashing threads
 */
public record SyncOptions(int chunkSize, HashAlgorithm hash, Compression compression, Duration interval, boolean once,
                          boolean allowResize, int scanThreads) {

    /** 64 KiB chunks, XXH3-128, zstd level 1, a scan a second, continuous, no resizing, all cores. */
    public static SyncOptions defaults() {
        return new SyncOptions(64 * 1024, HashAlgorithm.XXH3_128, Compression.ZSTD_DEFAULT, Duration.ofSeconds(1),
                false, false, Runtime.getRuntime().availableProcessors());
    }

    public SyncOptions once(boolean once) {
        return new SyncOptions(chunkSize, hash, compression, interval, once, allowResize, scanThreads);
    }
}
