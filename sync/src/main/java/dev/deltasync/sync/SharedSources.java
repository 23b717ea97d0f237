package dev.deltasync.sync;

import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionAccess;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's source regions, mapped and scanned once however many pullers follow them: pullers
 * with the same hash and chunk size share one {@link RegionScans}; the last one to leave unmaps it.
 */
final class SharedSources {
    private record Key(String name, StreamParameters parameters) { }

    private static final class Entry {
        final RegionScans scans;
        int users;

        Entry(RegionScans scans) {
            this.scans = scans;
        }
    }

    private final Map<Key, Entry> entries = new HashMap<>();
    private final int scanThreads;
    private final Duration reuseWithin;

    /** @param reuseWithin how old a scan may be and still serve another puller: the server's interval */
    SharedSources(int scanThreads, Duration reuseWithin) {
        this.scanThreads = scanThreads;
        this.reuseWithin = reuseWithin;
    }

    /** The region mapped read-only and its shared scans; release it with {@link #release}. */
    synchronized RegionScans acquire(ExposedRegion region, StreamParameters parameters) throws IOException {
        Key key = new Key(region.name(), parameters);
        Entry entry = entries.get(key);
        if (entry == null) {
            MappedRegion mapped = MappedRegion.open(region.path(), RegionAccess.READ_ONLY);
            if (mapped.size() != parameters.regionSize()) {
                mapped.close();
                throw new IOException("region file changed size while opening");
            }
            entry = new Entry(new RegionScans(mapped, parameters, scanThreads, reuseWithin));
            entries.put(key, entry);
        }
        entry.users++;
        return entry.scans;
    }

    /** Gives back what {@link #acquire} lent; the last user unmaps the region. */
    synchronized void release(ExposedRegion region, StreamParameters parameters) {
        Key key = new Key(region.name(), parameters);
        Entry entry = entries.get(key);
        if (entry != null && --entry.users == 0) {
            entries.remove(key);
            entry.scans.close();
            entry.scans.region().close();
        }
    }
}
