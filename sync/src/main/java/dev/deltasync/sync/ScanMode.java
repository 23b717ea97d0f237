package dev.deltasync.sync;

/** How a source finds what changed between epochs. */
public enum ScanMode {
    /** The kernel's write tracking names the candidate chunks; a full scan still runs at start and periodically. */
    TRACKED,
    /** Every epoch hashes the whole region. */
    SCANNING
}
