package dev.deltasync.cli;

import dev.deltasync.sync.SyncJob;
import java.nio.file.Path;

/** {@code deltasync push LOCAL_PATH HOST:PORT/NAME}: the remote region follows the local file. */
final class PushCommand extends SyncCommand {
    @Override
    String name() {
        return "push";
    }

    @Override
    String summary() {
        return "make remote regions follow local files";
    }

    @Override
    String synopsis() {
        return "LOCAL_PATH HOST:PORT/NAME [LOCAL_PATH HOST:PORT/NAME ...] [options]";
    }

    @Override
    String description() {
        return """
                Keeps the region NAME on a 'deltasync serve' at HOST:PORT identical to LOCAL_PATH: scans the file
                every --interval, sends only the chunks that changed, and has the server verify each epoch by
                root digest. Several pairs share one connection. With --once: converge, verify, exit 0.
                A file unchanged since a full scan that saw no writer and no page waiting for writeback is not hashed
                again: that scan's table is kept under $DELTASYNC_STATE/sources (default
                ~/.local/state/deltasync/sources) and used while the file's size, times and inode stay the same; a
                server that trusts its replica likewise sends no table. --verify hashes both sides in full instead.

                Examples:
                  deltasync push /var/lib/vm/disk.img 10.0.0.2:7070/vm --once --stats \\
                      --peer-fingerprint SHA256:9c1e...   (the server's, from its 'deltasync keygen')
                  deltasync push a.bin 127.0.0.1:7070/a b.bin 127.0.0.1:7070/b --interval 500ms
                  deltasync push cache.bin backup:7070/cache --hash blake3 --compress zstd:3 --json
                """;
    }

    @Override
    SyncJob.Direction direction() {
        return SyncJob.Direction.PUSH;
    }

    @Override
    void checkLocal(Path local) {
        LocalFiles.checkSource(local);
    }
}
