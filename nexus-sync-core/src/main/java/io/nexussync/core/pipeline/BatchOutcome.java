package io.nexussync.core.pipeline;

import io.nexussync.core.acknowledge.BatchSummary;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.deadletter.BatchIsolation;
import io.nexussync.core.schedule.ScheduledBatch;
import java.time.Instant;

/** How a batch handed to an apply worker ended: committed whole, committed in parts, or not at all. */
sealed interface BatchOutcome {

    /** One method per way a batch ends: a new one does not compile until the apply loop says what it does with it. */
    interface Visitor {
        void applied(Applied applied) throws InterruptedException;

        void appliedInParts(AppliedInParts applied) throws InterruptedException;

        void failed(Failed failed) throws InterruptedException;
    }

    ScheduledBatch batch();

    int worker();

    void accept(Visitor visitor) throws InterruptedException;

    /**
     * The batch's plan of {@code steps} steps committed in one graph transaction with the worker's record; {@code summary}
     * counts what it held, for the transaction log.
     */
    record Applied(ScheduledBatch batch, int worker, ApplyResult result, int steps, BatchSummary summary, Instant started, Instant ended)
            implements BatchOutcome {
        @Override
        public void accept(Visitor visitor) throws InterruptedException {
            visitor.applied(this);
        }
    }

    /** The batch went in part by part ({@link BatchIsolation}): the graph refused it, or it touched parked entities. */
    record AppliedInParts(ScheduledBatch batch, int worker, BatchIsolation.Outcome isolation, Instant started, Instant ended)
            implements BatchOutcome {
        @Override
        public void accept(Visitor visitor) throws InterruptedException {
            visitor.appliedInParts(this);
        }
    }

    /** Nothing of the batch is in the graph (beyond parts an isolation committed, which its records count). */
    record Failed(ScheduledBatch batch, int worker, Exception failure) implements BatchOutcome {
        @Override
        public void accept(Visitor visitor) throws InterruptedException {
            visitor.failed(this);
        }
    }
}
