package io.nexussync.core.apply;

import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;

/**
 * What a graph transaction records about itself beside the plan it writes: where the stream stands (a worker's
 * checkpoint record), how far the initial snapshot has got, or how far a Kafka consumer group has consumed. Each kind knows how it is written, so a new kind
 * cannot compile without saying how.
 */
public sealed interface CommitRecord {

    /** Writes {@code plan} with this record in one transaction of {@code writer}. */
    ApplyResult writeWith(GraphWriter writer, GraphWritePlan plan);

    /** The operation's name in retry logs and the transaction log. */
    String operation();

    static CommitRecord of(Checkpoint checkpoint) {
        return new StreamCheckpoint(checkpoint);
    }

    static CommitRecord of(SnapshotMark mark) {
        return new Snapshot(mark);
    }

    static CommitRecord repair(String repairId) {
        return new Repair(repairId);
    }

    static CommitRecord of(ConsumedOffsets offsets) {
        return new Consumed(offsets);
    }

    /** A stream batch (or a backfill chunk, or a repair of what a row decides): the worker's checkpoint record. */
    record StreamCheckpoint(Checkpoint checkpoint) implements CommitRecord {
        @Override
        public ApplyResult writeWith(GraphWriter writer, GraphWritePlan plan) {
            return writer.apply(plan, checkpoint);
        }

        @Override
        public String operation() {
            return "apply";
        }
    }

    /** A chunk of the initial snapshot, or its end (a DONE mark also sets the stream checkpoint). */
    record Snapshot(SnapshotMark mark) implements CommitRecord {
        @Override
        public ApplyResult writeWith(GraphWriter writer, GraphWritePlan plan) {
            return writer.applySnapshot(plan, mark);
        }

        @Override
        public String operation() {
            return "snapshot";
        }
    }

    /** A repair with no stream position (see {@link GraphWriter#applyRepair}): its id recorded in the graph with it. */
    record Repair(String repairId) implements CommitRecord {
        @Override
        public ApplyResult writeWith(GraphWriter writer, GraphWritePlan plan) {
            return writer.applyRepair(plan, repairId);
        }

        @Override
        public String operation() {
            return "repair";
        }
    }

    /**
     * A batch consumed from Kafka: each partition's next offset, stored only if the graph still holds where the batch
     * started (see {@link GraphWriter#applyConsumed}); otherwise {@link OffsetsMovedException} and nothing is written.
     */
    record Consumed(ConsumedOffsets offsets) implements CommitRecord {
        public Consumed {
            java.util.Objects.requireNonNull(offsets, "offsets");
        }

        @Override
        public ApplyResult writeWith(GraphWriter writer, GraphWritePlan plan) {
            return writer.applyConsumed(plan, offsets);
        }

        @Override
        public String operation() {
            return "apply";
        }
    }
}
