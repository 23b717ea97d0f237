package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.region.FileIdentity;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.region.RegionResizedException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.Optional;

/**
 * A replica served onwards (README, "Relays"; PROTOCOL.md §9.8): the pull that keeps this machine's file a replica
 * of an upstream region reports each epoch it applies ({@link AppliedEpochs}), and this relay is the source its
 * downstream pullers share. It never hashes the region: after each VERIFIED upstream epoch the replica's digest
 * table equals the upstream's acknowledged table, and the chunks that epoch wrote are copied into the relay's own
 * table, which downstream streams diff against ({@link RegionScans} in relay mode). Only verified epochs are
 * published: from an epoch's first write until it verifies, the file's bytes are nobody's snapshot, and a
 * downstream stream that wants to copy a chunk then waits ({@link #copy}); the replica's apply, in turn, waits only
 * for the chunk copies in flight (one memcpy each), so a slow downstream never holds the upstream back. A
 * downstream epoch may thus span several upstream epochs; every chunk it sends was copied from some verified
 * epoch at or after the one it diffed against, whose source time it carries.
 *
 * <p>The file is trusted only while a replica stream watches it: whenever the upstream stream ends, or it finds
 * the file changed by someone else, the relay stops serving until the next verified epoch. And before copying
 * chunks downstream the relay itself looks at the file's stamp (at most every {@link #STAMP_CHECK_EVERY}): moved
 * since the last verified epoch, nothing is served until the next. What remains is the moment between a foreign
 * write into the file and its detection (PROTOCOL.md §9.8). Thread-safe.
 */
public final class Relay implements AppliedEpochs, AutoCloseable {
    private final String name;
    private final Path replica;
    /** How often, at most, a copy looks at the file's stamp: one {@code lstat}. */
    static final Duration STAMP_CHECK_EVERY = Duration.ofSeconds(1);
    /** How often a downstream stream waiting for a verified epoch looks whether its puller is still there. */
    static final Duration WAITER_LOOKS_EVERY = Duration.ofMillis(200);

    private final SyncListener listener;
    /** The upstream's geometry and file as last verified; null before the first verified epoch. */
    private Generation current;
    /** The file holds exactly the bytes {@code current.table} describes. */
    private boolean consistent;
    /** The file's stamp as the last verified epoch left it, and when a copy last compared it (nanoTime). */
    private FileStamp verifiedStamp;
    private long stampCheckedAt;
    private int copying;
    private boolean closed;
    /** When the epoch being applied began here: the source time a v1 upstream, which states none, gets. */
    private Instant changingSince = Instant.now();

    /**
     * One geometry of the upstream region in one file: the file mapped for reading, its table, and the scans
     * streams share. A replica file replaced by another (a new lineage, §9.6) is a new generation.
     */
    private static final class Generation {
        final MappedRegion mapping;
        final FileIdentity file;
        final RegionScans scans;
        final DigestTable table;
        long epoch;
        Instant sourceTime;

        Generation(MappedRegion mapping, FileIdentity file, RegionScans scans, DigestTable table) {
            this.mapping = mapping;
            this.file = file;
            this.scans = scans;
            this.table = table;
        }
    }

    /**
     * @param name    the name the relay serves the region under, for messages
     * @param replica the replica file that the pull writes and the relay reads
     */
    public Relay(String name, Path replica, SyncListener listener) {
        this.name = name;
        this.replica = replica;
        this.listener = listener;
    }

    public String name() {
        return name;
    }

    /** The upstream source time of the last verified epoch; empty before the first. */
    public synchronized Optional<Instant> sourceTime() {
        return current == null ? Optional.empty() : Optional.of(current.sourceTime);
    }

    /** The upstream epoch last verified and published, 0 before the first. */
    public synchronized long verifiedEpoch() {
        return current == null ? 0 : current.epoch;
    }

    @Override
    public synchronized void changing() {
        consistent = false;
        changingSince = Instant.now();
        awaitNoCopies();
    }

    @Override
    public synchronized void verified(long epoch, DigestTable table, BitSet written, Optional<Instant> sourceTime,
                                      FileStamp stamp) {
        if (closed) {
            return;
        }
        StreamParameters parameters = new StreamParameters(table.algorithm(), table.chunkSize(), table.regionSize());
        if (current == null || !current.scans.parameters().equals(parameters) || !current.file.equals(stamp.file())) {
            consistent = false;
            awaitNoCopies();
            try {
                remap(parameters, table, stamp.file());
            } catch (IOException e) {
                listener.info(name + ": cannot map " + replica + " to serve it: " + e.getMessage() + "; downstream"
                        + " pullers " + (current == null ? "are refused" : "wait") + " until the next verified epoch");
                return;
            }
        } else if (written == null) {
            current.table.copyFrom(table);
        } else {
            for (int index = written.nextSetBit(0); index >= 0; index = written.nextSetBit(index + 1)) {
                current.table.copyDigest(index, table);
            }
        }
        current.epoch = epoch;
        current.sourceTime = sourceTime.orElse(changingSince);
        verifiedStamp = stamp;
        stampCheckedAt = System.nanoTime();
        consistent = true;
        notifyAll();
    }

    /**
     * Maps the file the replica just verified (identity {@code file}) in place of the previous generation's, whose
     * streams end at their next read (no copy is in flight). A file replaced again meanwhile is not mapped.
     */
    private void remap(StreamParameters parameters, DigestTable table, FileIdentity file) throws IOException {
        MappedRegion mapping = RegionFile.forInspection(replica).map();
        if (!mapping.identity().equals(Optional.of(file))) {
            mapping.close();
            throw new IOException("it was replaced by another file since the replica verified it");
        }
        if (current != null) {
            current.mapping.close();
        }
        current = new Generation(mapping, file, new RegionScans(this, mapping, parameters), table.copy());
    }

    /**
     * The scans a downstream stream of {@code hash} and {@code chunkSize} (0: the upstream's) shares: refused
     * (REFUSED_STREAM, which a following pull retries) before the first verified epoch, and with another hash or
     * chunk size than the upstream's, which the relay would have to hash for.
     */
    synchronized RegionScans scansFor(HashAlgorithm hash, int chunkSize, StreamChannel channel) throws SyncException {
        if (current == null) {
            throw channel.violation(ErrorCode.REFUSED_STREAM, "region '%s' is relayed and has no verified epoch from"
                    + " its upstream yet; try again later", name);
        }
        StreamParameters relayed = current.scans.parameters();
        if (hash != relayed.hash()
                || chunkSize != Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE && chunkSize != relayed.chunkSize()) {
            throw channel.violation(ErrorCode.UNSUPPORTED_PARAMETER, "region '%s' is relayed with %s and %d-byte"
                            + " chunks, as its upstream sends it; pull it with that hash and chunk size (or auto)", name,
                    relayed.hash().cliName(), relayed.chunkSize());
        }
        return current.scans;
    }

    /** The last verified epoch's table, as {@code scans} asks for it. */
    synchronized RegionScans.Scan latest(RegionScans scans) throws IOException {
        requireCurrent(scans);
        return new RegionScans.Scan(current.table, current.sourceTime, this);
    }

    /** Compares under the lock the table is updated under. */
    synchronized int[] diff(DigestTable table, DigestTable acknowledged) {
        return table.diff(acknowledged);
    }

    /**
     * Copies {@code into.length} bytes at {@code offset} of the file as the last verified epoch left them: waits
     * while an upstream epoch is being applied (or failed to verify, or the file is not watched), and keeps the
     * next one from writing until the copy is done. A wait ends as soon as {@code reader}, the downstream stream
     * that wants the bytes, has ended (its puller left, the server is closing).
     */
    void copy(RegionScans scans, long offset, byte[] into, StreamChannel reader)
            throws IOException, SyncException, InterruptedException {
        synchronized (this) {
            while (!trusted() && !closed && current.scans == scans) {
                reader.throwIfEnded();
                wait(WAITER_LOOKS_EVERY.toMillis());
            }
            requireCurrent(scans);
            copying++;
        }
        try {
            MemorySegment.copy(scans.region().segment(), offset, MemorySegment.ofArray(into), 0, into.length);
        } finally {
            synchronized (this) {
                if (--copying == 0) {
                    notifyAll();
                }
            }
        }
    }

    /**
     * True while the file holds the last verified epoch's bytes as far as the relay knows: consistent, and its
     * stamp (looked at once per {@link #STAMP_CHECK_EVERY}) still the one that epoch left. Under the lock.
     */
    private boolean trusted() {
        if (!consistent || System.nanoTime() - stampCheckedAt < STAMP_CHECK_EVERY.toNanos()) {
            return consistent;
        }
        stampCheckedAt = System.nanoTime();
        try {
            consistent = FileStamp.of(replica).equals(verifiedStamp);
        } catch (IOException e) {
            consistent = false;
        }
        if (!consistent) {
            listener.info(name + ": " + replica + " changed since upstream epoch " + current.epoch + " verified;"
                    + " downstream pullers wait for the next verified epoch");
        }
        return consistent;
    }

    private void requireCurrent(RegionScans scans) throws IOException {
        if (closed) {
            throw new IOException("the relay is closing");
        }
        if (current.scans != scans) {
            throw new RegionResizedException("the upstream region is now " + current.scans.parameters().regionSize()
                    + " bytes in " + current.scans.parameters().chunkSize() + "-byte chunks"
                    + (current.file.equals(scans.region().identity().orElse(null)) ? "" : ", in another file"));
        }
    }

    /**
     * Waits until no copy is in flight; under the lock. Uninterruptibly: each copy is one memcpy, and an epoch
     * must not write under one (an interrupt is kept for the caller).
     */
    private void awaitNoCopies() {
        boolean interrupted = false;
        while (copying > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends every downstream read, once the copies in flight are done, and unmaps the file. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        notifyAll();
        awaitNoCopies();
        if (current != null) {
            current.mapping.close();
        }
    }
}
