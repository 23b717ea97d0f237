package dev.deltasync.sync;

import dev.deltasync.sync.region.FileIdentity;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One stream's writes of its replica's state file. The first replaces the file (a new file renamed into place, so
 * nothing planted at the path is written through); the later ones overwrite that same file in place and fdatasync
 * it, which costs one data write and a cache flush instead of a new file, a rename and two journal commits, twice
 * per epoch. Only the stream holding the replica's lock writes its state; a state file removed or replaced meanwhile
 * (by hand) is replaced again, not written unseen. After {@link #close} every write replaces the file. Thread-safe.
 */
final class ReplicaStateFile implements AutoCloseable {
    private final Path region;
    private FileChannel written;
    private FileIdentity writtenFile;
    private boolean closed;

    ReplicaStateFile(Path region) {
        this.region = region;
    }

    /** Records {@code state} durably: when this returns, a crash leaves this record (or a later one). */
    synchronized void write(ReplicaState state) throws IOException {
        if (written != null && stillThere() && state.overwrite(written)) {
            return;
        }
        FileChannel fresh = state.replace(region);
        closeWritten();
        if (closed) {
            fresh.close();
        } else {
            written = fresh;
            writtenFile = FileIdentity.of(ReplicaState.fileFor(region));
        }
    }

    /** Whether the state file's name still leads to the file this stream wrote (a stat, no flush). */
    private boolean stillThere() throws IOException {
        try {
            return FileIdentity.of(ReplicaState.fileFor(region)).equals(writtenFile);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeWritten();
    }

    private void closeWritten() {
        if (written != null) {
            try {
                written.close();
            } catch (IOException e) {
                // nothing unwritten: every write was forced before it returned
            }
            written = null;
        }
    }
}
