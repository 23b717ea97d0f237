package dev.deltasync.sync;

import dev.deltasync.hashing.ChunkHasher;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.KnownZeros;
import dev.deltasync.hashing.ZeroCursor;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.sync.codec.ChunkDecoder;
import dev.deltasync.sync.codec.ChunkEncoder;
import dev.deltasync.sync.codec.ChunkRun;
import dev.deltasync.sync.codec.Compression;
import dev.deltasync.sync.region.RegionResizedException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * The source end of one stream (PROTOCOL.md, sync algorithm): receive the replica's table, then per
 * epoch scan, diff against what the replica acknowledged, send the changed chunks and EPOCH_END, and
 * wait for the EPOCH_ACK. Each chunk is copied out of the mapping, the copy hashed and the copy sent,
 * so a writer racing the scan can never leave the replica believing it holds bytes it does not. Epochs continue
 * the stream's lineage; in v2 each EPOCH_END carries the start of the scan it was built on (PROTOCOL.md §9.6).
 */
final class SourceSide {
    /** Root mismatches in a row after which {@code --once} gives up. */
    private static final int MAX_UNVERIFIED_EPOCHS = 3;
    /**
     * The longest a continuous source goes without an epoch, changes or not: an idle epoch costs two small frames,
     * and it is how a replica that found its file written by someone else gets repaired (its ACK root differs).
     */
    static final Duration IDLE_EPOCH_EVERY = Duration.ofSeconds(10);

    private final String name;
    private final StreamChannel channel;
    private final RegionScans scans;
    private final Compression compression;
    private final Duration interval;
    private final boolean once;
    private final SyncStats stats;
    private final SyncListener listener;
    private final ChunkHasher hasher;
    /** An embedded application's requests for epochs; null for the CLI's sources, which never make any. */
    private final EpochPacer pacer;
    private final boolean zeroChunks;
    /** Where consecutive raw chunks gather into one frame; null when the replica does not decode runs. */
    private final ChunkRun run;
    private final StreamLineage lineage;
    /** The replica's table when OPEN_OK said TABLE_KNOWN (PROTOCOL.md §9.7): no DIGESTS come. */
    private DigestTable known;
    /** The table the replica last acknowledged: after a verified epoch, the replica's table. */
    private DigestTable acknowledged;

    SourceSide(String name, StreamChannel channel, RegionScans scans, Compression compression, Duration interval,
               boolean once, StreamLineage lineage, SyncStats stats, SyncListener listener) {
        this(name, channel, scans, compression, interval, once, lineage, stats, listener, null);
    }

    SourceSide(String name, StreamChannel channel, RegionScans scans, Compression compression, Duration interval,
               boolean once, StreamLineage lineage, SyncStats stats, SyncListener listener, EpochPacer pacer) {
        this.name = name;
        this.channel = channel;
        this.scans = scans;
        this.compression = channel.usable(compression);
        this.interval = interval;
        this.once = once;
        this.stats = stats;
        this.listener = listener;
        this.hasher = scans.parameters().hash().newHasher();
        this.pacer = pacer;
        this.zeroChunks = channel.decodesZeroChunks();
        this.run = channel.decodesRuns()
                ? new ChunkRun(channel.peerMaxFramePayload(), scans.parameters().chunkSize()) : null;
        this.lineage = lineage;
    }

    /** Starts from {@code table} as the acknowledged table instead of receiving DIGESTS (OPEN_OK's TABLE_KNOWN). */
    SourceSide knowing(DigestTable table) {
        this.known = table;
        return this;
    }

    /** The table the replica last acknowledged, as the last epoch left it (its table, when that epoch verified). */
    DigestTable acknowledged() {
        return acknowledged;
    }

    /**
     * Runs until the replica is verified ({@code once}) or the stream ends. A normal end (RESET NO_ERROR
     * from the peer) returns; anything else throws.
     */
    SyncOutcome run() throws SyncException, InterruptedException {
        long verifiedEpoch = 0;
        Instant verifiedSourceTime = null;
        LagWatch lag = new LagWatch(name, interval, listener);
        try (ChunkEncoder encoder = new ChunkEncoder(compression, zeroChunks)) {
            // Scan while the replica hashes its side: the two passes overlap instead of adding up.
            long requests = scanStarting();
            long cycleStart = System.nanoTime();
            RegionScans.Scan current = scan(true);
            acknowledged = scans.parameters().newTable();
            if (known != null) {
                acknowledged.copyFrom(known);
            } else {
                DigestExchange.receive(channel, acknowledged);
            }
            long epoch = lineage.lastEpoch();
            int unverifiedInARow = 0;
            long lastEpochNanos = System.nanoTime();
            while (true) {
                int[] changed = current.diff(acknowledged);
                // The first epoch verifies even with nothing changed; later ones carry changes, or check the replica.
                if (changed.length > 0 || epoch == lineage.lastEpoch() || unverifiedInARow > 0
                        || pacer != null && pacer.owed(requests)
                        || System.nanoTime() - lastEpochNanos >= IDLE_EPOCH_EVERY.toNanos()) {
                    epoch++;
                    lastEpochNanos = System.nanoTime();
                    long changedBefore = stats.snapshot().changedBytes();
                    byte[] expectedRoot = sendEpoch(epoch, changed, acknowledged, current.startedAt(), encoder,
                            unverifiedInARow == 0);
                    boolean verified = awaitAck(epoch, expectedRoot);
                    if (!once && epoch > lineage.firstEpoch()) { // the first epoch is the initial copy: it may take as long as it takes
                        lag.epochSent(epoch, System.nanoTime() - lastEpochNanos,
                                stats.snapshot().changedBytes() - changedBefore);
                    }
                    if (verified) {
                        verifiedEpoch = epoch;
                        verifiedSourceTime = current.startedAt();
                        unverifiedInARow = 0;
                    } else {
                        // The replica follows a mismatching ACK with its re-hashed table (PROTOCOL.md), which
                        // replaces every digest sendEpoch recorded.
                        DigestExchange.receive(channel, acknowledged);
                        unverifiedInARow++;
                    }
                    stats.epochDone(epoch, verified);
                    listener.epochCompleted(new EpochReport(name, SyncListener.Side.SOURCE, epoch, verified,
                            lineage.lineage(), verifiedEpoch, Optional.ofNullable(verifiedSourceTime),
                            stats.snapshot()));
                    if (verified && pacer != null) { // after the listener heard of it, so the waiter sees it too
                        pacer.verified(requests);
                    }
                } else {
                    lag.nothingToSend();
                }
                if (once && verifiedEpoch > 0) {
                    channel.finish("verified at epoch " + verifiedEpoch);
                    return new SyncOutcome(name, verifiedEpoch, stats.snapshot());
                }
                if (once && unverifiedInARow >= MAX_UNVERIFIED_EPOCHS) {
                    throw channel.violation(ErrorCode.VERIFY_FAILED,
                            "replica of %s still differs after %d epochs", name, unverifiedInARow);
                }
                if (!once) {
                    awaitInterval(requests, cycleStart + interval.toNanos());
                }
                requests = scanStarting();
                cycleStart = System.nanoTime();
                current = scan(unverifiedInARow > 0);
            }
        } catch (SyncException e) {
            if (StreamChannel.isNormalEnd(e)) {
                return new SyncOutcome(name, verifiedEpoch, stats.snapshot());
            }
            throw e;
        } catch (InternalError e) {
            throw channel.violation(ErrorCode.IO_ERROR, "%s", RegionFault.describe(name, scans.region(), e));
        }
    }

    /** The replica's EPOCH_ACK for {@code epoch}; true when its root is the one the replica should have. */
    private boolean awaitAck(long epoch, byte[] expectedRoot) throws SyncException, InterruptedException {
        EpochAck ack = channel.expect(EpochAck.class, "after EPOCH_END " + epoch);
        if (ack.epoch() != epoch) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "EPOCH_ACK for epoch %d, expected %d", ack.epoch(), epoch);
        }
        return Arrays.equals(ack.root(), expectedRoot);
    }

    /** @param fresh scan now, not reuse another stream's recent scan: at the start and after a mismatch */
    private RegionScans.Scan scan(boolean fresh) throws SyncException, InterruptedException {
        try {
            LongConsumer hashed = done -> listener.hashing(name, SyncListener.Side.SOURCE, done, scans.region().size());
            return fresh ? scans.fresh(stats, hashed) : scans.recent(stats, hashed);
        } catch (IOException e) {
            throw regionFault("scan", e);
        }
    }

    /** A region that vanished or changed size (SIZE_MISMATCH) or could not be read (IO_ERROR) ends the stream. */
    private SyncException regionFault(String doing, IOException e) {
        return channel.violation(e instanceof RegionResizedException ? ErrorCode.SIZE_MISMATCH : ErrorCode.IO_ERROR,
                "cannot %s %s: %s", doing, name, e.getMessage());
    }

    /**
     * Sends the changed chunks and EPOCH_END, recording each sent copy's digest in {@code table} in place,
     * so that it becomes the table the replica should now have; returns that table's root, as sent. A chunk in a
     * hole of the file goes as a zero chunk without being read (when the replica decodes those), a copy that turns
     * out all zeros too; either way the digest recorded is the zero digest, which is what was sent. Consecutive
     * chunks that go raw travel as runs when the replica decodes those.
     *
     * @param refine whether chunks may go as patches: not in the epoch after a mismatch (PROTOCOL.md §9.9), where a
     *               page whose digest matched yet whose bytes differ would otherwise never be sent
     */
    private byte[] sendEpoch(long epoch, int[] changed, DigestTable table, Instant scanned, ChunkEncoder encoder,
                             boolean refine) throws SyncException, InterruptedException {
        ZeroCursor holes = new ZeroCursor(zeroChunks ? scans.knownZeros() : KnownZeros.NONE);
        long total = 0;
        for (int index : changed) {
            total += table.chunkLength(index);
        }
        long done = 0;
        int frames = 0;
        byte[] digest = new byte[table.digestLength()];
        // With runs, a raw chunk's copy is copied on into the run, and a compressed one into its own array: one copy
        // buffer serves every chunk of the region's chunk size (all but the last), instead of an array per chunk.
        byte[] reused = run != null ? new byte[scans.parameters().chunkSize()] : null;
        ChunkRefiner refiner = refine && ChunkRefiner.applies(channel, table)
                ? new ChunkRefiner(channel, table, epoch, changed) : null;
        for (int position = 0; position < changed.length; position++) {
            int index = changed[position];
            if (refiner != null) {
                refiner.before(position);
            }
            int length = table.chunkLength(index);
            Chunk chunk;
            if (holes.allZeros(table.chunkOffset(index), length)) {
                chunk = Chunk.zeros(channel.id(), epoch, index, length);
            } else {
                byte[] copy = reused != null && reused.length == length ? reused : new byte[length];
                try {
                    scans.copy(table.chunkOffset(index), copy, channel);
                } catch (IOException e) {
                    throw regionFault("read", e);
                }
                chunk = encoder.encode(channel.id(), epoch, index, copy);
                if (refiner != null) {
                    chunk = refiner.choose(index, copy, chunk); // only the pages that differ (PROTOCOL.md §9.9)
                }
                if (!ChunkDecoder.isZeros(chunk)) {
                    hasher.hash(MemorySegment.ofArray(copy), digest, 0);
                    table.set(index, digest, 0);
                }
            }
            if (ChunkDecoder.isZeros(chunk)) {
                table.setZeros(index);
            }
            done += length;
            if (run != null && chunk.codec() == Constants.CODEC_NONE) {
                if (!run.accepts(index, length)) {
                    frames += sendRun(epoch);
                }
                run.add(index, chunk.data());
                stats.chunk(length, length);
            } else {
                frames += sendRun(epoch);
                channel.send(chunk);
                frames++;
                stats.chunk(length, chunk.data().length);
            }
            listener.progress(name, epoch, done, total);
        }
        frames += sendRun(epoch);
        // A file truncated since the scan looked intact has no data past its new end as lseek sees it (ENXIO):
        // those chunks went out as zeros unread, and the epoch must not verify a region whose size changed.
        try {
            scans.region().checkIntact();
        } catch (IOException e) {
            throw regionFault("send", e);
        }
        byte[] root = table.rootDigest();
        OptionalLong sourceTime = lineage.v2() ? OptionalLong.of(StreamLineage.micros(scanned)) : OptionalLong.empty();
        channel.send(new EpochEnd(channel.id(), epoch, frames, sourceTime, root));
        return root;
    }

    /** Sends the gathered run, if any, as one frame; the number of frames sent (0 or 1). */
    private int sendRun(long epoch) throws SyncException, InterruptedException {
        if (run == null || run.isEmpty()) {
            return 0;
        }
        channel.send(run.take(channel.id(), epoch));
        return 1;
    }

    /** The requests for an epoch that a scan starting now answers (none without a pacer). */
    private long scanStarting() {
        return pacer == null ? 0 : pacer.scanStarting();
    }

    /**
     * Waits until {@code deadline} (one interval after the previous scan began, so a replica slow to acknowledge
     * delays its epochs only when it takes longer than the interval), or less when the application asks for an
     * epoch after {@code requests}, listening: a replica ends the stream (RESET NO_ERROR) to stop us.
     */
    private void awaitInterval(long requests, long deadline) throws SyncException, InterruptedException {
        if (pacer == null) {
            expectNothingFor(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            return;
        }
        // Waits on the pacer, which a request wakes at once, looking at the stream now and then: polling the stream
        // often enough for a prompt syncNow would cost more CPU than a tracked epoch.
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            boolean requested = pacer.awaitRequestAfter(requests,
                    Math.min(left, EpochPacer.LOOK_AT_STREAM_EVERY.toNanos()));
            expectNothingFor(Duration.ZERO);
            if (requested) {
                return;
            }
        }
        expectNothingFor(Duration.ZERO);
    }

    private void expectNothingFor(Duration wait) throws SyncException, InterruptedException {
        Frame frame = channel.receive(wait);
        if (frame != null) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "unexpected %s between epochs", frame);
        }
    }
}
