package dev.deltasync.sync;

import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionFile;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's source regions, each mapped once however many pullers follow it, and scanned once per hash and
 * chunk size: pullers with the same parameters share one {@link RegionScans}, and all scans wait in one
 * {@link ScanQueue}. The tables of the shared scans are charged to the server's budget; the last puller to leave
 * gives them back and unmaps the region.
 */
final class SharedSources implements AutoCloseable {
    /** Hash and chunk size combinations one region may be scanned with at once: a peer cannot multiply scans. */
    static final int MAX_PARAMETER_SETS = 4;

    private static final class Mapped {
        final MappedRegion region;
        final Map<StreamParameters, Shared> scans = new HashMap<>();

        Mapped(MappedRegion region) {
            this.region = region;
        }
    }

    private static final class Shared {
        final RegionScans scans;
        final Admission.Ticket ticket;
        int users;

        Shared(RegionScans scans, Admission.Ticket ticket) {
            this.scans = scans;
            this.ticket = ticket;
        }
    }

    private final Map<String, Mapped> regions = new HashMap<>();
    private final ScanQueue queue;
    private final Admission admission;
    private final Duration reuseWithin;

    /** @param reuseWithin how old a scan may be and still serve another puller: the server's interval */
    SharedSources(int scanThreads, Admission admission, Duration reuseWithin) {
        this.queue = new ScanQueue(scanThreads);
        this.admission = admission;
        this.reuseWithin = reuseWithin;
    }

    /**
     * The region mapped read-only and its shared scans; release it with {@link #release}. Refused when the region
     * already has {@link #MAX_PARAMETER_SETS} other scans, when their tables would pass the budget, or when the
     * stream would add a scan to a queue of {@link StreamLimits#maxPendingScans()} (joining one under way is fine).
     */
    synchronized RegionScans acquire(ExposedRegion region, StreamParameters parameters)
            throws IOException, Admission.Refused {
        Mapped mapped = regions.get(region.name());
        if (mapped == null) {
            MappedRegion file = RegionFile.forReading(region.path()).map();
            mapped = new Mapped(file);
            regions.put(region.name(), mapped);
        }
        try {
            if (mapped.region.size() != parameters.regionSize()) {
                throw new IOException("region file changed size while opening");
            }
            Shared shared = mapped.scans.get(parameters);
            if (shared == null) {
                if (mapped.scans.size() >= MAX_PARAMETER_SETS) {
                    throw new Admission.Refused("region '" + region.name() + "' is being scanned with "
                            + MAX_PARAMETER_SETS + " other hash and chunk size combinations, the most at once");
                }
                checkScanQueue();
                shared = new Shared(new RegionScans(mapped.region, parameters, queue, reuseWithin),
                        admission.chargeShared(2 * parameters.tableBytes())); // the latest scan, and the next
                mapped.scans.put(parameters, shared);
            } else if (!shared.scans.scanning()) {
                checkScanQueue();
            }
            shared.users++;
            return shared.scans;
        } finally {
            unmapIfUnused(region.name(), mapped);
        }
    }

    /** Gives back one {@link #acquire}. */
    synchronized void release(ExposedRegion region, StreamParameters parameters) {
        Mapped mapped = regions.get(region.name());
        if (mapped == null) {
            return;
        }
        Shared shared = mapped.scans.get(parameters);
        if (shared != null && --shared.users == 0) {
            mapped.scans.remove(parameters);
            shared.scans.close();
            shared.ticket.close();
        }
        unmapIfUnused(region.name(), mapped);
    }

    /** Scans waiting or running in the server's queue. */
    int pendingScans() {
        return queue.pending();
    }

    /** Stops the scan threads; for when the server closes. */
    @Override
    public void close() {
        queue.close();
    }

    private void checkScanQueue() throws Admission.Refused {
        int pending = pendingScans();
        if (pending >= admission.limits().maxPendingScans()) {
            throw new Admission.Refused("the server has " + pending + " region scans waiting, the most it queues;"
                    + " try again later");
        }
    }

    private void unmapIfUnused(String name, Mapped mapped) {
        if (mapped.scans.isEmpty()) {
            regions.remove(name);
            mapped.region.close();
        }
    }
}
