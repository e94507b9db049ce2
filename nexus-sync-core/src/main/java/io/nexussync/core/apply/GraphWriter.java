package io.nexussync.core.apply;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;

/**
 * Writes to the graph. Implementations run the whole plan and store the record that goes with it (a
 * checkpoint record, or a snapshot mark) in a single transaction: either both are in the graph or
 * neither is. That is what makes a restart exactly-once. Failures are thrown as {@link SyncException},
 * classified retryable or not. Written through {@link GraphCommit}; read back through {@link CheckpointStore} (and
 * {@link ConsumerOffsetStore}).
 */
public interface GraphWriter {

    ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint);

    /**
     * Writes one chunk of the initial snapshot with {@code mark} in one transaction. A {@link SnapshotMark.State#DONE}
     * mark also sets the stream checkpoint to the snapshot's consistent point, in the same transaction.
     */
    ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark);

    /**
     * Writes a repair that has no stream position (a node without identity, a broken history a person settled) with a
     * {@code (:_SyncRepair {id})} record in one transaction, so that whoever finishes an interrupted repair can tell
     * whether it committed. Repairs of what a row decides go through the stream instead ({@link CommitRecord.StreamCheckpoint}).
     */
    ApplyResult applyRepair(GraphWritePlan plan, String repairId);

    /**
     * Writes a critical transaction (see {@code core.critical}) in one transaction: records {@code decision} unless a
     * decision for its gid is already recorded; writes {@code plan} only when {@code decision} was recorded now and
     * commits; and stores {@code checkpoint} in every case (the transaction's changes are handled either way). A
     * decision recorded before wins: the returned {@link CriticalApplied#standing()} is what PostgreSQL is to do.
     */
    CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision);

    /**
     * Writes a batch consumed from Kafka with its {@code offsets} in one transaction. First, for each partition of
     * {@code offsets}, takes the partition's record under a write lock and checks that the graph holds the range's
     * {@code from} as its next offset, or nothing yet; if any partition holds another offset, throws
     * {@link OffsetsMovedException} and writes nothing. Then writes {@code plan} and sets each partition's next offset to
     * the range's {@code next}. Two batches racing from one offset so serialize: the second sees the first's and is refused.
     */
    ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets);
}
