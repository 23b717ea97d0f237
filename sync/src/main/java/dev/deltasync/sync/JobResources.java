package dev.deltasync.sync;

import dev.deltasync.sync.region.FileIdentity;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a client's job keeps while it runs: its local file, locked, and its totals. Per stream they are opened and
 * released with the stream; a {@link Follower} holds them from the first session to the last, so no other writer
 * can slip in while it reconnects (a lock released between sessions would let another stream write the replica,
 * or write into a push's source) and its summary counts every session.
 */
final class JobResources implements AutoCloseable {
    private final boolean acrossSessions;
    private final Map<SyncJob, RegionFile> held = new ConcurrentHashMap<>();
    private final Map<SyncJob, SyncStats> totals = new ConcurrentHashMap<>();

    private JobResources(boolean acrossSessions) {
        this.acrossSessions = acrossSessions;
    }

    /** Each stream opens and locks its file, and releases it when it ends. */
    static JobResources perStream() {
        return new JobResources(false);
    }

    /** A file, once opened, stays open and locked until {@link #close()}. */
    static JobResources acrossSessions() {
        return new JobResources(true);
    }

    /** The totals of {@code job}: fresh for each stream, or one for all sessions. */
    SyncStats stats(SyncJob job) {
        return acrossSessions ? totals.computeIfAbsent(job, j -> new SyncStats()) : new SyncStats();
    }

    /** A push's source, locked for reading (other sources may share it, no stream may write it), and mapped. */
    MappedRegion source(SyncJob job) throws SyncException {
        try {
            return map(job, open(job, false), -1);
        } catch (IOException e) {
            throw FileRefusals.ofLocal(e);
        }
    }

    /** A pull's replica file, locked, if it exists (or was created by an earlier session); null when it does not. */
    RegionFile existingReplica(SyncJob job) throws SyncException {
        try {
            return held.containsKey(job) || RegionFile.sizeIfExists(job.localPath()) >= 0 ? open(job, true) : null;
        } catch (IOException e) {
            throw FileRefusals.ofLocal(e);
        }
    }

    /** The replica file, created now if it is missing, locked. */
    RegionFile replica(SyncJob job) throws IOException {
        return open(job, true);
    }

    /** Maps {@code file} at {@code size} (-1: as it is); per stream the mapping takes the file and its lock over. */
    MappedRegion map(SyncJob job, RegionFile file, long size) throws IOException {
        if (!acrossSessions) {
            return size < 0 ? file.map() : file.mapResized(size);
        }
        try {
            return file.mapKeepingLock(size);
        } catch (IOException | RuntimeException e) {
            held.remove(job, file); // a file that cannot be mapped is not worth holding; a created one is gone
            file.close();
            throw e;
        }
    }

    /**
     * A stream of {@code job}, which used {@code file} (null: none yet), is over: the file is released unless held
     * across sessions. A held file that the job's path no longer names (replaced by another, or removed) is released
     * too, so the next session opens the file there now, a new lineage (PROTOCOL.md §9.6), instead of failing on
     * the old one for ever.
     */
    void streamEnded(SyncJob job, RegionFile file) {
        if (!acrossSessions) {
            if (file != null) {
                file.close();
            }
            return;
        }
        RegionFile kept = held.get(job);
        if (kept != null && !isAt(kept, job.localPath())) {
            release(job);
        }
    }

    private static boolean isAt(RegionFile file, Path path) {
        try {
            return FileIdentity.of(path).equals(file.identity());
        } catch (IOException e) {
            return false;
        }
    }

    /** The held file of {@code job}, or a fresh open of it (then held, across sessions). */
    private RegionFile open(SyncJob job, boolean write) throws IOException {
        RegionFile file = held.get(job);
        if (file != null) {
            return file;
        }
        file = write ? RegionFile.forWriting(job.localPath()) : RegionFile.forReading(job.localPath());
        if (acrossSessions) {
            held.put(job, file);
        }
        return file;
    }

    /** Releases the file of {@code job}, which will not run again. */
    void release(SyncJob job) {
        RegionFile file = held.remove(job);
        if (file != null) {
            file.close();
        }
    }

    /** Releases every held file. */
    @Override
    public void close() {
        held.values().forEach(RegionFile::close);
        held.clear();
    }
}
