package dev.deltasync.sync.region;

import java.nio.file.Path;

/** Another process for {@link RegionFileTest}: locks a file for writing, says so, and holds it until stdin closes. */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws Exception {
        try (RegionFile file = RegionFile.forWriting(Path.of(args[0]))) {
            System.out.println("locked " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the test closes our stdin (or dies)
            }
        }
    }
}
