package dev.deltasync.sync;

import dev.deltasync.mux.MuxConfig;
import dev.deltasync.sync.codec.Compression;
import java.time.Duration;

/**
 * How a server behaves as a source for pullers (its scan interval and compression), what its
 * connections advertise, and the rate all its streams share.
 */
public record ServerOptions(Duration interval, Compression compression, int scanThreads, MuxConfig mux,
                            RateLimit rateLimit) {
    /** Options without a rate cap. */
    public ServerOptions(Duration interval, Compression compression, int scanThreads, MuxConfig mux) {
        this(interval, compression, scanThreads, mux, RateLimit.UNLIMITED);
    }

    public static ServerOptions defaults() {
        return new ServerOptions(Duration.ofSeconds(1), Compression.ZSTD_DEFAULT,
                Runtime.getRuntime().availableProcessors(), MuxConfig.defaults());
    }
}
