package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.SeededXxh3_128;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.PageDigests;
import dev.deltasync.protocol.Refine;
import dev.deltasync.sync.refine.Pages;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The replica's answers to REFINE (PROTOCOL.md §9.9): the page digests of each chunk listed, as the region holds it
 * now, with the REFINE's seed. Every index is checked before the first answer leaves, so a bad REFINE gets a RESET and no answer at all.
 */
final class PageAnswers {
    private final StreamChannel channel;
    private final MemorySegment region;
    private final DigestTable table;
    private final ReentrantLock tableLock;

    PageAnswers(StreamChannel channel, MemorySegment region, DigestTable table, ReentrantLock tableLock) {
        this.channel = channel;
        this.region = region;
        this.table = table;
        this.tableLock = tableLock;
    }

    /** Answers {@code refine}, which must belong to the open {@code epoch}. */
    void answer(Refine refine, long epoch) throws SyncException, InterruptedException {
        if (!channel.advertised(Constants.CODEC_PATCH)) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "REFINE, but our HELLO does not list codec %d",
                    Constants.CODEC_PATCH);
        }
        if (refine.epoch() != epoch) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "REFINE for epoch %d during epoch %d",
                    refine.epoch(), epoch);
        }
        int[] indices = refine.indices();
        if (indices[indices.length - 1] >= table.chunkCount()) { // increasing: the last is the largest
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "REFINE index %d out of range 0..%d",
                    indices[indices.length - 1], table.chunkCount() - 1);
        }
        SeededXxh3_128 hasher = new SeededXxh3_128(refine.seed());
        for (int index : indices) {
            byte[] digests;
            tableLock.lock(); // the bytes as the table describes them: no re-hash or foreign-write check in between
            try {
                digests = Pages.digests(region.asSlice(table.chunkOffset(index), table.chunkLength(index)), hasher);
            } finally {
                tableLock.unlock();
            }
            channel.send(new PageDigests(channel.id(), epoch, index, SeededXxh3_128.DIGEST_LENGTH, digests));
        }
    }
}
