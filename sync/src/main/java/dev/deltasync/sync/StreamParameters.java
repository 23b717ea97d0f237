package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;

/** What both ends of a stream agreed on in OPEN / OPEN_OK: the region's geometry and the hash. */
public record StreamParameters(HashAlgorithm hash, int chunkSize, long regionSize) {
    public DigestTable newTable() {
        return DigestTable.create(hash, regionSize, chunkSize);
    }

    /** The bytes of one digest table of this geometry (what {@link #newTable()} allocates). */
    long tableBytes() {
        long chunks = regionSize / chunkSize + (regionSize % chunkSize == 0 ? 0 : 1);
        return chunks * hash.digestLength();
    }
}
