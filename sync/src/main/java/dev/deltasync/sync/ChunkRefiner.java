package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.SeededXxh3_128;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.ChunkPatch;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.PageDigests;
import dev.deltasync.protocol.Refine;
import dev.deltasync.sync.refine.Pages;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * The source's refinement of one epoch (PROTOCOL.md §9.9): before the changed chunks are copied, it asks the replica
 * for their page digests a batch at a time (one REFINE, its answers read before anything else is sent), and then
 * sends a chunk as a patch of the pages that differ when that is smaller than the chunk as it would go otherwise.
 * A chunk whose acknowledged digest is the zero digest is refined against zeros without asking. Memory: one batch
 * of page digests, at most {@link #MAX_PAGES_PER_REFINE}; no chunk is copied before its turn. Each REFINE carries a
 * fresh random seed for the page digests, so the replica's peer cannot craft pages whose digests collide.
 */
final class ChunkRefiner {
    /** Pages one REFINE asks for at most: 1 MiB of xxh3-128 digests held at a time. */
    static final int MAX_PAGES_PER_REFINE = 65536;
    private static final SecureRandom SEEDS = new SecureRandom();
    /**
     * How long the source waits for each answer to a REFINE (PROTOCOL.md §9.9): a peer that lists codec 4 but skips
     * REFINE as a frame it does not know would otherwise leave both sides waiting for ever, PINGs keeping the
     * connection alive. Generous: an answer is a chunk's hash away, behind at most a window of others.
     */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private final StreamChannel channel;
    private final DigestTable acknowledged;
    private final long epoch;
    private final int[] changed;
    private final int batchLimit;
    /** The changed chunks from this position on are not in a batch yet. */
    private int nextPosition;
    /** This batch's chunks, in increasing order, and what the replica answered for each (null: refined against zeros). */
    private int[] batch = new int[0];
    private byte[][] pages = new byte[0][];
    /** Hashes this batch's pages with the seed its REFINE carried. */
    private SeededXxh3_128 pageHasher = new SeededXxh3_128(0);
    private int cursor;
    /** Bytes this batch's chunks would have cost whole, and cost as sent. */
    private long wholeBytes;
    private long sentBytes;
    private boolean paying = true;

    /**
     * @param acknowledged the table the replica acknowledged, as it still is for every chunk not yet sent
     * @param changed      the epoch's changed chunks, in increasing order
     */
    ChunkRefiner(StreamChannel channel, DigestTable acknowledged, long epoch, int[] changed) {
        this.channel = channel;
        this.acknowledged = acknowledged;
        this.epoch = epoch;
        this.changed = changed;
        int pagesPerChunk = ChunkPatch.pageCount(acknowledged.chunkSize());
        this.batchLimit = Math.max(1, Math.min(Constants.MAX_REFINE_INDICES, MAX_PAGES_PER_REFINE / pagesPerChunk));
    }

    /** True when refinement can pay on this stream: the replica answers REFINE and chunks are larger than a page. */
    static boolean applies(StreamChannel channel, DigestTable table) {
        return channel.decodesPatches() && table.chunkSize() > Constants.PAGE_SIZE;
    }

    /**
     * Called before {@code changed[position]} is copied: at the end of a batch, asks for the next one. Once a batch
     * saved less than an eighth of its chunks' bytes (most of their pages changed), the epoch's other chunks go whole.
     */
    void before(int position) throws SyncException, InterruptedException {
        if (!paying || position < nextPosition) {
            return;
        }
        if (wholeBytes > 0 && sentBytes * 8 > wholeBytes * 7) {
            paying = false;
            return;
        }
        wholeBytes = 0;
        sentBytes = 0;
        int[] chunks = new int[Math.min(batchLimit, changed.length - position)];
        int count = 0;
        int[] ask = new int[chunks.length];
        int asking = 0;
        int at = position;
        for (; at < changed.length && count < chunks.length; at++) {
            int index = changed[at];
            if (acknowledged.chunkLength(index) <= Constants.PAGE_SIZE) {
                continue; // the short last chunk of a region may be a page or less: nothing to refine
            }
            chunks[count++] = index;
            if (!acknowledged.isZeros(index)) {
                ask[asking++] = index;
            }
        }
        nextPosition = at;
        batch = Arrays.copyOf(chunks, count);
        pages = new byte[count][];
        cursor = 0;
        if (asking > 0) {
            receiveAnswers(Arrays.copyOf(ask, asking));
        }
    }

    /** Sends the REFINE and reads its answers, one per index in order, into {@link #pages}. */
    private void receiveAnswers(int[] ask) throws SyncException, InterruptedException {
        long seed = SEEDS.nextLong();
        pageHasher = new SeededXxh3_128(seed);
        channel.send(new Refine(channel.id(), epoch, seed, ask));
        int slot = 0;
        for (int index : ask) {
            PageDigests answer = awaitAnswer();
            int pageCount = ChunkPatch.pageCount(acknowledged.chunkLength(index));
            if (answer.epoch() != epoch || answer.index() != index || answer.digestLength() != SeededXxh3_128.DIGEST_LENGTH
                    || answer.count() != pageCount) {
                throw channel.violation(ErrorCode.PROTOCOL_ERROR,
                        "PAGE_DIGESTS for epoch %d chunk %d with %d digests of %d bytes, expected epoch %d chunk %d"
                                + " with %d of %d", answer.epoch(), answer.index(), answer.count(),
                        answer.digestLength(), epoch, index, pageCount, SeededXxh3_128.DIGEST_LENGTH);
            }
            while (batch[slot] != index) {
                slot++; // a chunk refined against zeros, which nobody was asked about
            }
            pages[slot] = answer.digests();
        }
    }

    private PageDigests awaitAnswer() throws SyncException, InterruptedException {
        Frame frame = channel.receive(ANSWER_TIMEOUT);
        if (frame == null) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "the replica lists codec %d but did not answer REFINE"
                    + " of epoch %d within %d s", Constants.CODEC_PATCH, epoch, ANSWER_TIMEOUT.toSeconds());
        }
        if (!(frame instanceof PageDigests answer)) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "expected PageDigests answering REFINE of epoch %d,"
                    + " got %s", epoch, frame);
        }
        return answer;
    }

    /**
     * What to send for chunk {@code index} of the epoch, whose copy is {@code copy} and which would otherwise go as
     * {@code whole}: a patch of its changed pages when that is smaller.
     */
    Chunk choose(int index, byte[] copy, Chunk whole) {
        while (cursor < batch.length && batch[cursor] < index) {
            cursor++;
        }
        if (!paying || cursor == batch.length || batch[cursor] != index) {
            return whole;
        }
        byte[] patch = Pages.patch(copy, pages[cursor], pageHasher);
        pages[cursor] = null; // done with: the batch's memory goes as its chunks go
        wholeBytes += whole.data().length;
        if (patch.length >= whole.data().length) {
            sentBytes += whole.data().length;
            return whole;
        }
        sentBytes += patch.length;
        return new Chunk(channel.id(), epoch, index, Constants.CODEC_PATCH, copy.length, patch);
    }
}
