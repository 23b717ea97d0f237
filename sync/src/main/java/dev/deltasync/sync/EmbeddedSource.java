package dev.deltasync.sync;

import dev.deltasync.sync.region.MappedRegion;

/**
 * A source region that an application in this process owns and writes (the embedded API): the memory is
 * {@linkplain MappedRegion#borrow borrowed}, never unmapped by the engine, and every stream that replicates it
 * finds candidates through {@code tracking} and answers {@code pacer}'s requests.
 */
public record EmbeddedSource(MappedRegion region, SourceTracking tracking, EpochPacer pacer) { }
