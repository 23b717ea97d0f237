package dev.deltasync.sync.region;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who holds a flock on a file, from {@code /proc/locks}: flock(2) itself does not say. Each line reads
 * {@code "1: FLOCK  ADVISORY  WRITE 4711 fd:01:1234567 0 EOF"}: kind, mode, pid, major:minor (hex) and inode.
 * Only informative: the lock is the guard, this only names its holder in the message.
 */
final class LockHolders {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");

    /** A process holding a lock: {@code writing} for an exclusive lock. */
    record Holder(long pid, boolean writing) { }

    private LockHolders() {}

    static Optional<Holder> of(FileIdentity file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(PROC_LOCKS);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return find(lines, file);
    }

    /**
     * The first flock holder of {@code file}; matched by device and inode, or by inode alone where the
     * filesystem reports another device in {@code st_dev} than in {@code /proc/locks} (btrfs subvolumes).
     */
    static Optional<Holder> find(List<String> lines, FileIdentity file) {
        String exact = String.format(Locale.ROOT, "%02x:%02x:%d", file.major(), file.minor(), file.inode());
        String inode = ":" + file.inode();
        Optional<Holder> byInode = Optional.empty();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || !f[1].equals("FLOCK")) {
                continue;
            }
            Optional<Holder> holder = parse(f[3], f[4]);
            if (f[5].equals(exact)) {
                return holder;
            }
            if (byInode.isEmpty() && f[5].endsWith(inode)) {
                byInode = holder;
            }
        }
        return byInode;
    }

    private static Optional<Holder> parse(String mode, String pid) {
        try {
            return Optional.of(new Holder(Long.parseLong(pid), mode.equals("WRITE")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
