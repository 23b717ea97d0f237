package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;

/** What both ends of a stream agreed on in OPEN / OPEN_OK: the region's geometry and the hash. */
public record StreamParameters(HashAlgorithm hash, int chunkSize, long regionSize) {
    public DigestTable newTable() {
        return DigestTable.create(hash, regionSize, chunkSize);
    }
}
