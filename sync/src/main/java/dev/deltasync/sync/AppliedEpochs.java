package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import java.time.Instant;
import java.util.BitSet;
import java.util.Optional;

/**
 * What a replica tells whoever serves its file onwards (a {@link Relay}) about the epochs it applies. Both calls
 * come from the replica's stream thread; {@link #verified} under the replica's table lock, so the table it is
 * handed is exactly the file's bytes as verified.
 */
interface AppliedEpochs {
    /** Tells nobody: a replica that is no relay. */
    AppliedEpochs NONE = new AppliedEpochs() {
        @Override
        public void changing() { }

        @Override
        public void verified(long epoch, DigestTable table, BitSet written, Optional<Instant> sourceTime,
                             FileStamp stamp) { }
    };

    /**
     * The file's bytes are about to change (an epoch's first write), or were found changed by someone else, or
     * nobody watches them any longer (the replica's stream ended): they are no longer known to be the last verified
     * epoch's. Returns once nobody reads them on that epoch's account.
     */
    void changing();

    /**
     * An epoch verified: {@code table} (the replica's, not to be kept) now equals the source's acknowledged table.
     *
     * @param written    the chunks written since the previous verified epoch of the same stream, or null when the
     *                   table may differ anywhere (a stream's first epoch, a re-hash in between)
     * @param sourceTime the source time of the epoch (PROTOCOL.md §9.6); empty from a v1 source
     * @param stamp      the file's stamp once the epoch's writes were flushed, of the file the replica mapped: a
     *                   later move of it is someone else's write
     */
    void verified(long epoch, DigestTable table, BitSet written, Optional<Instant> sourceTime, FileStamp stamp);
}
