package io.nexussync.core.apply;

import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;

/**
 * Where the graph keeps its own position: the checkpoint records and the snapshot mark that {@link GraphWriter}
 * commits with the data they cover. Read at start (where to stream from, whether to take a snapshot) and for
 * status; reset by a resync.
 */
public interface CheckpointStore {

    /** What every worker's committed record together says is in the graph, or {@link Checkpoint#NONE}. */
    Checkpoint loadCheckpoint();

    /** The mark last committed with {@link GraphWriter#applySnapshot}, or {@link SnapshotMark#NONE}. */
    SnapshotMark loadSnapshotMark();

    /** Forgets the checkpoint and the snapshot mark, so that the next start takes a new snapshot (a resync). */
    void resetCheckpoint();
}
