package dev.deltasync.cli;

import dev.deltasync.sync.SyncListener;

/** What push, pull and the demo draw their progress through: a {@link ProgressBar}, or nothing. */
interface ProgressDisplay extends SyncListener {
    ProgressDisplay NONE = () -> { };

    /** Takes the line away, before a result or an error is printed. */
    void clear();
}
