package dev.deltasync.sync;

import dev.deltasync.sync.codec.Compression;
import java.time.Duration;

/**
 * How a server behaves as a source for pullers (its scan interval and compression), how its
 * connections are secured, the rate all its streams share, how often a region pushed into it is
 * re-hashed in the background ({@link SyncOptions#reverifyEvery()}), and what all its streams may hold together.
 */
public record ServerOptions(Duration interval, Compression compression, int scanThreads, Security security,
                            RateLimit rateLimit, Duration reverifyEvery, StreamLimits limits) {
    public ServerOptions {
        if (reverifyEvery.isNegative()) {
            throw new IllegalArgumentException("reverifyEvery must not be negative: " + reverifyEvery);
        }
    }

    /** Options with the default re-verification period. */
    public ServerOptions(Duration interval, Compression compression, int scanThreads, Security security,
                         RateLimit rateLimit) {
        this(interval, compression, scanThreads, security, rateLimit, SyncOptions.DEFAULT_REVERIFY_EVERY,
                StreamLimits.defaults());
    }

    /** Options without a rate cap. */
    public ServerOptions(Duration interval, Compression compression, int scanThreads, Security security) {
        this(interval, compression, scanThreads, security, RateLimit.UNLIMITED);
    }

    public static ServerOptions defaults() {
        return new ServerOptions(Duration.ofSeconds(1), Compression.ZSTD_DEFAULT,
                Runtime.getRuntime().availableProcessors(), Security.insecure());
    }

    public ServerOptions withReverifyEvery(Duration reverifyEvery) {
        return new ServerOptions(interval, compression, scanThreads, security, rateLimit, reverifyEvery, limits);
    }

    public ServerOptions withLimits(StreamLimits limits) {
        return new ServerOptions(interval, compression, scanThreads, security, rateLimit, reverifyEvery, limits);
    }
}
