package io.nexussync.core.apply;

import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;

/**
 * Writes one batch to the graph. Implementations run the whole plan and store the checkpoint in a
 * single transaction: either both are in the graph or neither is. That is what makes a restart
 * exactly-once. Failures are thrown as {@link SyncException}, classified retryable or not.
 */
public interface GraphWriter {

    ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint);

    /** The checkpoint last committed with {@link #apply}, or {@link Checkpoint#NONE}. */
    Checkpoint loadCheckpoint();

    /**
     * Writes one chunk of the initial snapshot with {@code mark} in one transaction. A {@link SnapshotMark.State#DONE}
     * mark also sets the stream checkpoint to the snapshot's consistent point, in the same transaction.
     */
    ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark);

    /** The mark last committed with {@link #applySnapshot}, or {@link SnapshotMark#NONE}. */
    SnapshotMark loadSnapshotMark();

    /** Forgets the checkpoint and the snapshot mark, so that the next start takes a new snapshot (a resync). */
    void resetCheckpoint();
}
