package dev.deltasync.sync;

import dev.deltasync.hashing.ChunkHasher;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.sync.codec.ChunkDecoder;
import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The replica end of one stream (PROTOCOL.md, sync algorithm): send our table, then apply each epoch's
 * chunks to the mapping, hash what was written, and acknowledge EPOCH_END with our root. Every CHUNK is
 * checked (epoch, index, declared and decompressed length) before a byte of the region is touched.
 */
final class ReplicaSide {
    private final String name;
    private final StreamChannel channel;
    private final MappedRegion region;
    private final StreamParameters parameters;
    private final int scanThreads;
    private final boolean once;
    private final SyncStats stats;
    private final SyncListener listener;
    private final ChunkHasher hasher;
    /** Where a compressed chunk is decompressed: exactly one chunk, so a bomb cannot grow it. */
    private final byte[] buffer;
    private final byte[] digest;

    /**
     * @param once end the stream (RESET NO_ERROR) at the first verified epoch: {@code pull --once}
     */
    ReplicaSide(String name, StreamChannel channel, MappedRegion region, StreamParameters parameters, int scanThreads,
                boolean once, SyncStats stats, SyncListener listener) {
        this.name = name;
        this.channel = channel;
        this.region = region;
        this.parameters = parameters;
        this.scanThreads = scanThreads;
        this.once = once;
        this.stats = stats;
        this.listener = listener;
        this.hasher = parameters.hash().newHasher();
        this.buffer = new byte[parameters.chunkSize()];
        this.digest = new byte[parameters.hash().digestLength()];
    }

    SyncOutcome run() throws SyncException, InterruptedException {
        long verifiedEpoch = 0;
        try (ChunkDecoder decoder = new ChunkDecoder()) {
            DigestTable table = parameters.newTable();
            rescanAndSend(table);
            for (long epoch = 1; ; epoch++) {
                boolean verified = receiveEpoch(epoch, table, decoder);
                stats.epochDone(epoch, verified);
                listener.epochCompleted(name, epoch, verified, stats.snapshot());
                if (verified) {
                    verifiedEpoch = epoch;
                    if (once) {
                        channel.finish("verified at epoch " + epoch);
                        return new SyncOutcome(name, verifiedEpoch, stats.snapshot());
                    }
                }
            }
        } catch (SyncException e) {
            if (StreamChannel.isNormalEnd(e)) {
                return new SyncOutcome(name, verifiedEpoch, stats.snapshot());
            }
            throw e;
        } catch (InternalError e) {
            throw channel.violation(ErrorCode.IO_ERROR, "%s", RegionFault.describe(name, region, e));
        }
    }

    /** Applies one epoch's chunks until its EPOCH_END; true when the roots then match. */
    private boolean receiveEpoch(long epoch, DigestTable table, ChunkDecoder decoder)
            throws SyncException, InterruptedException {
        long received = 0;
        long receivedBytes = 0;
        while (true) {
            Frame frame = channel.receive();
            if (frame instanceof EpochEnd end) {
                return endEpoch(end, epoch, received, table);
            }
            if (!(frame instanceof Chunk chunk)) {
                throw channel.violation(ErrorCode.PROTOCOL_ERROR, "unexpected %s in epoch %d", frame, epoch);
            }
            if (received == 0) {
                record(ReplicaState.Phase.APPLYING, epoch, new byte[0]);
            }
            apply(chunk, epoch, table, decoder);
            received++;
            receivedBytes += chunk.rawLength();
            listener.progress(name, epoch, receivedBytes, -1);
        }
    }

    private void apply(Chunk chunk, long epoch, DigestTable table, ChunkDecoder decoder) throws SyncException {
        if (chunk.epoch() != epoch) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "CHUNK for epoch %d during epoch %d", chunk.epoch(), epoch);
        }
        int index = chunk.index();
        if (index < 0 || index >= table.chunkCount()) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "chunk index %d out of range 0..%d",
                    Integer.toUnsignedLong(index), table.chunkCount() - 1);
        }
        int length = table.chunkLength(index);
        if (chunk.rawLength() != length) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "chunk %d declares %d bytes, it has %d",
                    index, Integer.toUnsignedLong(chunk.rawLength()), length);
        }
        byte[] bytes;
        try {
            bytes = decoder.decode(chunk, buffer);
        } catch (ProtocolException e) {
            throw channel.violation(e);
        }
        MemorySegment data = MemorySegment.ofArray(bytes).asSlice(0, length);
        MemorySegment.copy(data, 0, region.segment(), table.chunkOffset(index), length);
        hasher.hash(data, digest, 0);
        table.set(index, digest, 0);
        stats.chunk(length, chunk.data().length);
    }

    /** Checks the epoch's end, makes it durable and acknowledges it; true when the roots match. */
    private boolean endEpoch(EpochEnd end, long epoch, long received, DigestTable table)
            throws SyncException, InterruptedException {
        if (end.epoch() != epoch || Integer.toUnsignedLong(end.chunkCount()) != received) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "EPOCH_END %d with %d chunks, but epoch %d had %d",
                    end.epoch(), Integer.toUnsignedLong(end.chunkCount()), epoch, received);
        }
        try {
            region.checkIntact();
            region.sync();
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "cannot flush %s: %s", name, e.getMessage());
        }
        byte[] root = table.rootDigest();
        boolean verified = Arrays.equals(root, end.root());
        record(verified ? ReplicaState.Phase.VERIFIED : ReplicaState.Phase.UNVERIFIED, epoch,
                verified ? root : new byte[0]);
        channel.send(new EpochAck(channel.id(), epoch, root));
        if (verified) {
            return true;
        }
        listener.info(name + ": epoch " + epoch + " not verified, sending a fresh digest table");
        rescanAndSend(table);
        return false;
    }

    /** Writes the state file; a replica that cannot record its state must not go on (it could mislead). */
    private void record(ReplicaState.Phase phase, long epoch, byte[] root) throws SyncException {
        try {
            ReplicaState.of(phase, epoch, parameters, root).write(region.path());
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "cannot write the state file of %s: %s", name, e.getMessage());
        }
    }

    private void rescanAndSend(DigestTable table) throws SyncException, InterruptedException {
        try (ParallelScanner scanner = new ParallelScanner(parameters.hash(), scanThreads)) {
            region.checkIntact();
            scanner.scan(region.segment(), table);
        } catch (IOException e) {
            throw channel.violation(ErrorCode.IO_ERROR, "cannot hash %s: %s", name, e.getMessage());
        }
        stats.scanned(region.size());
        DigestExchange.send(channel, table);
    }
}
