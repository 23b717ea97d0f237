package dev.deltasync.sync;

import dev.deltasync.hashing.ChunkHasher;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Refine;
import dev.deltasync.sync.codec.ChunkDecoder;
import dev.deltasync.sync.refine.Pages;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustPass;
import dev.deltasync.sync.trust.TrustStamp;
import dev.deltasync.sync.trust.TrustedTable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The replica end of one stream (PROTOCOL.md, sync algorithm): send our table, then apply each epoch's
 * chunks to the mapping, hash what was written, and acknowledge EPOCH_END with our root. Every CHUNK is
 * checked (epoch, index, declared and decompressed length) before a byte of the region is touched.
 *
 * <p>The table is what makes a VERIFIED claim true, so it must follow writes into the file by anyone else:
 * while waiting for an epoch the replica looks at its file's {@link FileStamp} every second and on each
 * epoch's first frame, and re-hashes at once when it moved since its own last msync; a {@link Reverifier} pass
 * every {@code reverifyEvery} catches what left no trace in the times. A difference makes the state UNVERIFIED;
 * the corrected table then gives the next EPOCH_ACK a different root, which repairs through the mismatch path
 * of PROTOCOL.md §9.4 (the source runs an epoch at least every {@link SourceSide#IDLE_EPOCH_EVERY}).
 */
final class ReplicaSide {
    /** How often a replica waiting for the next epoch looks at its file's stamp (one lstat). */
    static final Duration IDENTITY_CHECK_EVERY = Duration.ofSeconds(1);

    private final String name;
    private final StreamChannel channel;
    private final MappedRegion region;
    private final StreamParameters parameters;
    private final int scanThreads;
    private final boolean once;
    private final Duration reverifyEvery;
    private final SyncStats stats;
    private final SyncListener listener;
    private final ChunkHasher hasher;
    /** Where a compressed chunk is decompressed: exactly one chunk, so a bomb cannot grow it. */
    private final byte[] buffer;
    private final byte[] digest;
    /** Guards the table, the region's bytes as the table describes them, and the state file. */
    private final ReentrantLock tableLock = new ReentrantLock();
    private final DigestTable table;
    /** Answers a source's REFINE with page digests (PROTOCOL.md §9.9). */
    private final PageAnswers pageAnswers;
    /** The file as our own writes left it: taken after our msync, or before a full scan. */
    private FileStamp ownWritesDone;
    /** The bytes this epoch wrote lie in [writtenFrom, writtenTo): what its msync covers (under the table lock). */
    private long writtenFrom = Long.MAX_VALUE;
    private long writtenTo;
    private ReplicaState.Phase recordedPhase;
    /** The state file this stream writes: replaced once, then overwritten in place. */
    private final ReplicaStateFile stateFile;
    private long recordedEpoch;
    private final StreamLineage lineage;
    /** The lineage's last verified epoch and its source time, carried into every state written. */
    private long verifiedEpoch;
    private Optional<Instant> verifiedSourceTime;
    /** Who serves this replica onwards (a {@link Relay}), told of each epoch; nobody unless {@link #reportingTo}. */
    private AppliedEpochs applied = AppliedEpochs.NONE;
    /** The chunks written since the last verified epoch; null once a re-hash may have changed any digest. */
    private BitSet writtenSinceVerified;
    /** A table a trust pass established before this stream (PROTOCOL.md §9.7), sent instead of a hash if it holds. */
    private Optional<TrustedTable> trusted = Optional.empty();
    /** Hash the initial table in full whatever is trusted (REHASH). */
    private boolean verify;
    /** OPEN_OK said TABLE_KNOWN: the source has our table already, no DIGESTS are sent. */
    private boolean tableKnown;
    /** The stamp the table is trusted for since the stream's start; empty once anything was written or differed. */
    private Optional<TrustStamp> trustedAtStart = Optional.empty();
    /** The trusted table came from the record beside the file, which therefore need not be written again. */
    private boolean trustRecorded;
    /** The record beside the file as it was when this stream's trust pass began: only that one is replaced. */
    private TrustFile.Version recordAtPass = new TrustFile.Version("");

    /**
     * @param once          end the stream (RESET NO_ERROR) at the first verified epoch: {@code pull --once}
     * @param reverifyEvery how often a continuous replica re-hashes its whole region in the background (ZERO: never)
     * @param lineage       the lineage the stream's epochs continue
     * @param previous      the state the replica recorded before this stream, if any: a lineage it continues keeps
     *                      its last verified epoch and source time until this stream verifies one
     */
    ReplicaSide(String name, StreamChannel channel, MappedRegion region, StreamParameters parameters, int scanThreads,
                boolean once, Duration reverifyEvery, StreamLineage lineage, Optional<ReplicaState> previous,
                SyncStats stats, SyncListener listener) {
        this.name = name;
        this.channel = channel;
        this.region = region;
        this.parameters = parameters;
        this.scanThreads = scanThreads;
        this.once = once;
        this.reverifyEvery = reverifyEvery;
        this.stats = stats;
        this.listener = listener;
        this.hasher = parameters.hash().newHasher();
        this.buffer = new byte[parameters.chunkSize()];
        this.digest = new byte[parameters.hash().digestLength()];
        this.table = parameters.newTable();
        this.pageAnswers = new PageAnswers(channel, region.segment(), table, tableLock);
        this.stateFile = new ReplicaStateFile(region.path());
        this.lineage = lineage;
        Optional<ReplicaState> continued = previous.filter(s -> lineage.v2() && s.lineage().equals(lineage.lineage()));
        this.verifiedEpoch = continued.map(ReplicaState::verifiedEpoch).orElse(0L);
        this.verifiedSourceTime = continued.flatMap(ReplicaState::sourceTime);
    }

    /** Tells {@code applied} (a relay serving the file onwards) of each epoch this replica applies. */
    ReplicaSide reportingTo(AppliedEpochs applied) {
        this.applied = applied;
        return this;
    }

    /**
     * Starts from {@code table} instead of hashing when its stamp still holds when the stream starts; with
     * {@code known} (OPEN_OK carried TABLE_KNOWN) no DIGESTS are sent at all.
     */
    ReplicaSide trusting(Optional<TrustedTable> table, boolean known) {
        this.trusted = table;
        this.tableKnown = known;
        return this;
    }

    /**
     * With {@code verify} (REHASH, {@code --verify}) the initial table is a full hash whatever is trusted, and a
     * trusted table that still holds but differs from it is discarded: the bytes prove it wrong.
     */
    ReplicaSide verifying(boolean verify) {
        this.verify = verify;
        return this;
    }

    SyncOutcome run() throws SyncException, InterruptedException {
        long verifiedOnStream = 0;
        try (ChunkDecoder decoder = new ChunkDecoder();
             Reverifier reverifier = new Reverifier(region, table, tableLock, this::foundDifferences)) {
            // A server releases a pushed replica's lock as it ends the stream: no pass may run on after that.
            channel.whenEnding(reverifier::close);
            sendInitialTable();
            if (!once) {
                reverifier.start(reverifyEvery);
            }
            for (long epoch = lineage.firstEpoch(); ; epoch++) {
                boolean verified = receiveEpoch(epoch, decoder);
                stats.epochDone(epoch, verified);
                if (verified) {
                    verifiedOnStream = epoch;
                }
                listener.epochCompleted(new EpochReport(name, SyncListener.Side.REPLICA, epoch, verified,
                        lineage.lineage(), verifiedEpoch, verifiedSourceTime, stats.snapshot()));
                if (verified && once) {
                    channel.finish("verified at epoch " + epoch);
                    keepTrust();
                    return new SyncOutcome(name, verifiedOnStream, stats.snapshot());
                }
            }
        } catch (SyncException e) {
            if (StreamChannel.isNormalEnd(e)) {
                keepTrust();
                return new SyncOutcome(name, verifiedOnStream, stats.snapshot());
            }
            throw e;
        } catch (InternalError e) {
            throw channel.violation(ErrorCode.IO_ERROR, "%s", RegionFault.describe(name, region, e));
        } finally {
            applied.changing(); // nobody watches the file now: a relay stops serving it until a stream verifies again
            stateFile.close();
        }
    }

    /** Applies one epoch's chunks until its EPOCH_END; true when the roots then match. */
    private boolean receiveEpoch(long epoch, ChunkDecoder decoder) throws SyncException, InterruptedException {
        long received = 0;
        long receivedBytes = 0;
        Frame frame = awaitEpoch();
        long applyStart = System.nanoTime();
        while (true) {
            if (frame instanceof EpochEnd end) {
                boolean verified = endEpoch(end, epoch, received);
                stats.applied(System.nanoTime() - applyStart);
                return verified;
            }
            if (frame instanceof Refine refine) { // asks, changes nothing: not a CHUNK of the epoch
                pageAnswers.answer(refine, epoch);
                frame = channel.receive();
                continue;
            }
            if (!(frame instanceof Chunk chunk)) {
                throw channel.violation(ErrorCode.PROTOCOL_ERROR, "unexpected %s in epoch %d", frame, epoch);
            }
            // Before the first byte, the state stops claiming VERIFIED and records the epoch's number, so a crash
            // mid-epoch never lets a later stream reuse it (§9.6); a state that already has both is left alone.
            if (received == 0) {
                applied.changing();
            }
            if (received == 0 && (recordedPhase == ReplicaState.Phase.VERIFIED || epoch > recordedEpoch)) {
                record(ReplicaState.Phase.APPLYING, epoch, new byte[0]);
            }
            apply(chunk, epoch, decoder);
            received++;
            receivedBytes += chunk.rawLength();
            listener.received(name, epoch, receivedBytes,
                    table.chunkOffset(chunk.index()) + chunk.rawLength(), region.size());
            frame = channel.receive();
        }
    }

    /**
     * The first frame of the next epoch. Meanwhile, and once more before that frame is acted on, the file is
     * checked for writes that were not ours.
     */
    private Frame awaitEpoch() throws SyncException, InterruptedException {
        while (true) {
            Frame frame = channel.receive(IDENTITY_CHECK_EVERY);
            checkForeignWrites();
            if (frame != null) {
                return frame;
            }
        }
    }

    private void apply(Chunk chunk, long epoch, ChunkDecoder decoder) throws SyncException {
        if (chunk.epoch() != epoch) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "CHUNK for epoch %d during epoch %d", chunk.epoch(), epoch);
        }
        int index = chunk.index();
        if (index < 0 || index >= table.chunkCount()) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "chunk index %d out of range 0..%d",
                    Integer.toUnsignedLong(index), table.chunkCount() - 1);
        }
        if (chunk.codec() == Constants.CODEC_RUN) {
            applyRun(chunk);
            return;
        }
        int length = table.chunkLength(index);
        if (chunk.rawLength() != length) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "chunk %d declares %d bytes, it has %d",
                    index, Integer.toUnsignedLong(chunk.rawLength()), length);
        }
        checkAdvertised(chunk);
        if (ChunkDecoder.isZeros(chunk)) {
            applyZeros(index, length);
        } else if (chunk.codec() == Constants.CODEC_PATCH) {
            applyPatch(index, chunk);
        } else {
            byte[] bytes;
            try {
                bytes = decoder.decode(chunk, buffer);
            } catch (ProtocolException e) {
                throw channel.violation(e);
            }
            MemorySegment data = MemorySegment.ofArray(bytes).asSlice(0, length);
            tableLock.lock();
            try {
                write(table.chunkOffset(index), data);
                wrote(table.chunkOffset(index), length);
                hasher.hash(data, digest, 0);
                table.set(index, digest, 0);
            } finally {
                tableLock.unlock();
            }
        }
        stats.chunk(length, chunk.data().length);
    }

    /** A patch (codec 4, PROTOCOL.md §9.9): its pages written over ours, then the whole chunk hashed as it now is. */
    private void applyPatch(int index, Chunk patch) {
        MemorySegment chunk = region.segment().asSlice(table.chunkOffset(index), table.chunkLength(index));
        tableLock.lock();
        try {
            Pages.apply(patch, chunk);
            wrote(table.chunkOffset(index), table.chunkLength(index));
            hasher.hash(chunk, digest, 0);
            table.set(index, digest, 0);
        } finally {
            tableLock.unlock();
        }
    }

    /** Writes chunk bytes into the region (through the file where it can, see {@link MappedRegion#write}). */
    private void write(long offset, MemorySegment data) throws SyncException {
        try {
            region.write(offset, data);
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "%s", RegionFault.describe(name, region, e.getMessage()));
        }
    }

    private void checkAdvertised(Chunk chunk) throws SyncException {
        if (!channel.advertised(chunk.codec())) {
            throw channel.violation(ErrorCode.UNSUPPORTED_PARAMETER,
                    "chunk %d uses codec %d, which our HELLO does not list", chunk.index(), chunk.codec());
        }
    }

    /**
     * A run (codec 3, PROTOCOL.md §4.9): whole consecutive chunks from the frame's index on, written in one copy and
     * hashed chunk by chunk straight from the frame's bytes. It must end on a chunk boundary inside the region.
     */
    private void applyRun(Chunk chunk) throws SyncException {
        checkAdvertised(chunk);
        int first = chunk.index();
        long offset = table.chunkOffset(first);
        long end = offset + Integer.toUnsignedLong(chunk.rawLength());
        if (end > region.size() || end != region.size() && end % parameters.chunkSize() != 0) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR,
                    "run of %d bytes from chunk %d does not end on a chunk boundary inside the region",
                    Integer.toUnsignedLong(chunk.rawLength()), first);
        }
        int length = chunk.rawLength();
        MemorySegment data = MemorySegment.ofArray(chunk.data());
        int chunks = 0;
        tableLock.lock();
        try {
            write(offset, data);
            wrote(offset, length);
            for (long at = 0; at < length; chunks++) {
                int chunkLength = table.chunkLength(first + chunks);
                hasher.hash(data.asSlice(at, chunkLength), digest, 0);
                table.set(first + chunks, digest, 0);
                at += chunkLength;
            }
        } finally {
            tableLock.unlock();
        }
        stats.chunks(chunks, length, length);
    }

    /**
     * A zero chunk: a hole stays a hole (nothing written, nothing allocated); where the file has data, zeros are
     * written over it through the mapping rather than a hole punched, so the blocks stay allocated (a later write
     * there needs no allocation, no fragmentation) and the same msync of the epoch's written ranges makes it
     * durable (a punched hole is a metadata change msync does not cover: it would take an fdatasync per epoch).
     * Left unwritten only when both the table and the file say zeros: lseek alone can miss pages not yet
     * written back (our own raw chunk for the same index earlier this epoch, a foreign write), and a chunk
     * holding data must never get the zero digest. Asked of the file each time, not a cache.
     */
    private void applyZeros(int index, int length) {
        long offset = table.chunkOffset(index);
        tableLock.lock();
        try {
            boolean knownHole = table.isZeros(index) && region.knownZeros().nextData(offset) >= offset + length;
            if (!knownHole) {
                region.segment().asSlice(offset, length).fill((byte) 0);
                wrote(offset, length);
            }
            table.setZeros(index);
        } finally {
            tableLock.unlock();
        }
    }

    /** Checks the epoch's end, makes it durable and acknowledges it; true when the roots match. */
    private boolean endEpoch(EpochEnd end, long epoch, long received) throws SyncException, InterruptedException {
        if (end.epoch() != epoch || Integer.toUnsignedLong(end.chunkCount()) != received) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "EPOCH_END %d with %d chunks, but epoch %d had %d",
                    end.epoch(), Integer.toUnsignedLong(end.chunkCount()), epoch, received);
        }
        if (!lineage.matches(end.sourceTimeMicros().isPresent())) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "EPOCH_END %s a source time on a protocol v%d stream",
                    lineage.v2() ? "without" : "with", lineage.v2() ? 2 : 1);
        }
        byte[] root;
        boolean verified;
        tableLock.lock();
        try {
            try {
                region.checkIntact();
                flushWritten();
            } catch (IOException e) {
                throw channel.violation(ErrorCode.IO_ERROR, "cannot flush %s: %s", name, e.getMessage());
            }
            // Our writes set the file's times when they faulted; from here on, a change is someone else's.
            ownWritesDone = stamp();
            root = table.rootDigest();
            verified = Arrays.equals(root, end.root());
            if (verified) {
                verifiedEpoch = epoch;
                verifiedSourceTime = StreamLineage.instant(end.sourceTimeMicros());
            }
            record(verified ? ReplicaState.Phase.VERIFIED : ReplicaState.Phase.UNVERIFIED, epoch,
                    verified ? root : new byte[0]);
            if (verified) {
                applied.verified(epoch, table, writtenSinceVerified, verifiedSourceTime, ownWritesDone);
                writtenSinceVerified = new BitSet();
            }
        } finally {
            tableLock.unlock();
        }
        channel.send(new EpochAck(channel.id(), epoch, root));
        if (verified) {
            return true;
        }
        listener.info(name + ": epoch " + epoch + " not verified, sending a fresh digest table");
        distrust();
        rescanAndSend();
        return false;
    }

    /**
     * Re-hashes the region when its file changed since our own last write: someone else wrote into it. A file
     * replaced or resized under us ends the stream; either way the state stops claiming VERIFIED first.
     */
    private void checkForeignWrites() throws SyncException {
        FileStamp now = stamp();
        if (now.equals(ownWritesDone)) {
            return;
        }
        tableLock.lock();
        try {
            distrust();
            if (now.isOtherFileThan(ownWritesDone)) {
                throw replaced();
            }
            byte[] before = table.rootDigest();
            try {
                writeBackForeignPages();
                rescan();
            } catch (SyncException e) {
                unverify();
                throw e;
            }
            if (!Arrays.equals(before, table.rootDigest())) {
                changedBySomeoneElse("was written by another program");
            }
        } finally {
            tableLock.unlock();
        }
    }

    /**
     * msyncs the whole mapping before a re-hash that asks lseek for holes: a foreign write into a hole may sit
     * in dirty pages lseek does not see on every file system; a clean mapping costs little.
     */
    private void writeBackForeignPages() throws SyncException {
        try {
            region.sync();
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "cannot flush %s: %s", name, e.getMessage());
        }
    }

    /** The {@link Reverifier}'s report, under the table lock: the table already holds the corrected digests. */
    private void foundDifferences(int chunks) {
        distrust();
        changedBySomeoneElse("has " + chunks + (chunks == 1 ? " chunk" : " chunks") + " that differ from its table");
    }

    /** Stops claiming VERIFIED (once per change of state, with one line saying why); call under the table lock. */
    private void changedBySomeoneElse(String what) {
        applied.changing();
        writtenSinceVerified = null;
        if (recordedPhase == ReplicaState.Phase.VERIFIED) {
            listener.info(name + ": " + region.path() + " " + what + " since epoch " + recordedEpoch
                    + "; not verified until the source repairs it");
        }
        unverify();
    }

    /** Records UNVERIFIED unless the state already says so; a failure is only reported (the caller goes on). */
    private void unverify() {
        if (recordedPhase == ReplicaState.Phase.VERIFIED) {
            try {
                writeState(ReplicaState.Phase.UNVERIFIED, recordedEpoch, new byte[0]);
            } catch (IOException e) {
                listener.info(name + ": cannot write the state file of " + region.path() + ": " + e.getMessage());
            }
        }
    }

    /** Writes the state file; a replica that cannot record its state must not go on (it could mislead). */
    private void record(ReplicaState.Phase phase, long epoch, byte[] root) throws SyncException {
        tableLock.lock();
        try {
            writeState(phase, epoch, root);
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "cannot write the state file of %s: %s", name, e.getMessage());
        } finally {
            tableLock.unlock();
        }
    }

    /** Notes that {@code [offset, offset + length)} was written this epoch; call under the table lock. */
    private void wrote(long offset, int length) {
        if (writtenSinceVerified != null) {
            int chunkSize = parameters.chunkSize(); // a run covers several chunks
            writtenSinceVerified.set((int) (offset / chunkSize), (int) ((offset + length - 1) / chunkSize) + 1);
        }
        // our own write moves the file's times, which the recorded table's stamp no longer matches: nothing to
        // remove on the way to the EPOCH_ACK, only nothing to record at the end
        trustedAtStart = Optional.empty();
        trustRecorded = false;
        writtenFrom = Math.min(writtenFrom, offset);
        writtenTo = Math.max(writtenTo, offset + length);
    }

    /**
     * msyncs the span this epoch wrote, nothing when it wrote nothing: durability costs what the epoch wrote, not
     * the mapping's size. One call over the span rather than one per chunk: each msync is an fsync of its range
     * (with a disk cache flush), while the kernel walks only the dirty pages inside a span. Under the table lock.
     */
    private void flushWritten() throws IOException {
        if (writtenTo > writtenFrom) {
            long start = System.nanoTime();
            region.sync(writtenFrom, writtenTo - writtenFrom);
            stats.flushed(System.nanoTime() - start);
        }
        writtenFrom = Long.MAX_VALUE;
        writtenTo = 0;
    }

    private void writeState(ReplicaState.Phase phase, long epoch, byte[] root) throws IOException {
        long start = System.nanoTime();
        stateFile.write(ReplicaState.of(phase, epoch, parameters, root, lineage.lineage(), verifiedEpoch,
                verifiedSourceTime, Optional.ofNullable(ownWritesDone)));
        stats.stateWritten(System.nanoTime() - start);
        recordedPhase = phase;
        recordedEpoch = epoch;
    }

    /**
     * The table the source diffs its first epoch against (PROTOCOL.md §9.3, §9.7): a trusted table whose stamp
     * still holds, as it is; else a full hash, made as a trust pass so that a stream that then writes nothing can
     * leave a trusted table for the next one. The stamp for foreign-write checks is taken before the trust check,
     * so a write between the two shows either as a stamp that no longer holds or at the next check.
     */
    private void sendInitialTable() throws SyncException, InterruptedException {
        DigestTable sent;
        tableLock.lock();
        try {
            ownWritesDone = stamp();
            writtenSinceVerified = null; // as after any re-hash: a relay takes every chunk as possibly changed
            boolean holds = trusted.isPresent() && trusted.get().fits(table) && trusted.get().holdsFor(region.path());
            if (holds && !verify) {
                table.copyFrom(trusted.get().table());
                trustedAtStart = Optional.of(trusted.get().stamp());
                trustRecorded = true;
            } else {
                trustPass(); // a record beside the file that does not hold is useless, not harmful: left as it is
                if (holds && !Arrays.equals(trusted.get().table().rootDigest(), table.rootDigest())) {
                    distrust();
                }
            }
            sent = tableKnown ? null : table.copy();
        } finally {
            tableLock.unlock();
        }
        if (sent != null) {
            DigestExchange.send(channel, sent);
        }
    }

    /** A full hash of the region into the table that also tells whether the table may be trusted; under the lock. */
    private void trustPass() throws SyncException {
        long start = System.nanoTime();
        recordAtPass = TrustFile.version(region.path());
        try (ParallelScanner scanner = new ParallelScanner(parameters.hash(), scanThreads)) {
            TrustPass.Outcome outcome = TrustPass.hash(region, table,  scanner,
                    done -> listener.hashing(name, SyncListener.Side.REPLICA, done, region.size()));
            stats.scanned(outcome.hashedBytes(), System.nanoTime() - start);
            trustedAtStart = outcome.stamp();
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "cannot hash %s: %s", name, e.getMessage());
        }
    }

    /**
     * At a normal end: a table this stream trusted at its start, and nothing changed since (not a byte written,
     * no difference found, the stamp exactly the same), is left beside the file for the next stream. After the
     * stream, never on the way to an EPOCH_ACK; a failure to record it only costs the next stream a hash. Not if
     * the record changed since the pass began ({@code status --verify} discarded it: the bytes may differ from it).
     */
    private void keepTrust() {
        tableLock.lock();
        try {
            if (!trustRecorded && trustedAtStart.isPresent()
                    && new TrustedTable(table, trustedAtStart.get()).holdsFor(region.path())) {
                TrustFile.writeIfUnchanged(region.path(), recordAtPass,
                        new TrustedTable(table.copy(), trustedAtStart.get()));
            }
        } catch (IOException e) {
            // not recorded: the next stream hashes
        } finally {
            tableLock.unlock();
        }
    }

    /**
     * The bytes may differ from the table: nothing this stream knows is to be trusted any longer, nor the table
     * recorded beside the file, whose stamp may still hold (a write that moved no time).
     */
    private void distrust() {
        trustedAtStart = Optional.empty();
        trustRecorded = false;
        try {
            TrustFile.discard(region.path());
        } catch (IOException e) {
            listener.info(name + ": cannot discard the trusted table beside the file: " + e.getMessage());
        }
    }

    private void rescanAndSend() throws SyncException, InterruptedException {
        DigestTable sent;
        tableLock.lock();
        try {
            byte[] before = table.rootDigest();
            rescan();
            if (!Arrays.equals(before, table.rootDigest())) {
                applied.changing(); // the file holds bytes its table did not: not the last verified epoch's
            }
            sent = table.copy(); // sent outside the lock: flow control may hold the send for a long time
        } finally {
            tableLock.unlock();
        }
        DigestExchange.send(channel, sent);
    }

    /** Hashes the whole region into the table; call under the table lock. */
    private void rescan() throws SyncException {
        ownWritesDone = stamp(); // taken before: a write during the scan shows at the next check
        writtenSinceVerified = null;
        long start = System.nanoTime();
        try (ParallelScanner scanner = new ParallelScanner(parameters.hash(), scanThreads)) {
            region.checkIntact();
            // A new replica, or one that is all holes, reads nothing here: its chunks are known zeros.
            stats.scanned(scanner.scan(region.segment(), table, region.knownZeros(),
                    done -> listener.hashing(name, SyncListener.Side.REPLICA, done, region.size())),
                    System.nanoTime() - start);
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "cannot hash %s: %s", name, e.getMessage());
        }
    }

    /**
     * The stamp of the file at the region's path, which must still be the file we mapped: a file renamed over
     * it (between our open and the first scan, or during an epoch) would otherwise be taken for ours, and its
     * state file would say VERIFIED for bytes only the old mapping holds.
     */
    private FileStamp stamp() throws SyncException {
        FileStamp now;
        try {
            now = FileStamp.of(region.path());
        } catch (NoSuchFileException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "%s was removed while it was a replica of '%s'",
                    region.path(), name);
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "cannot check %s: %s", region.path(), e.getMessage());
        }
        if (region.identity().isPresent() && !region.identity().get().equals(now.file())) {
            throw replaced();
        }
        return now;
    }

    /** The state stops claiming VERIFIED, then the stream ends: the path no longer names the mapped file. */
    private SyncException replaced() {
        unverify();
        return channel.violation(ErrorCode.IO_ERROR, "%s was replaced by another file while it was a replica of '%s'",
                region.path(), name);
    }
}
