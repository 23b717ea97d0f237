package dev.deltasync.sync.region;

import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/** Whether a region may be written: a source only reads, a replica writes. */
public enum RegionAccess {
    READ_ONLY(FileChannel.MapMode.READ_ONLY, Set.of(StandardOpenOption.READ)),
    READ_WRITE(FileChannel.MapMode.READ_WRITE, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));

    private final FileChannel.MapMode mapMode;
    private final Set<OpenOption> openOptions;

    RegionAccess(FileChannel.MapMode mapMode, Set<OpenOption> openOptions) {
        this.mapMode = mapMode;
        this.openOptions = openOptions;
    }

    FileChannel.MapMode mapMode() {
        return mapMode;
    }

    Set<OpenOption> openOptions() {
        return openOptions;
    }
}
