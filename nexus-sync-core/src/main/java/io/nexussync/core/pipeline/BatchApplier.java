package io.nexussync.core.pipeline;

import io.nexussync.core.acknowledge.BatchSummary;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.CommitRecord;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.deadletter.BatchIsolation;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.deadletter.ParkedEntities;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.schedule.ScheduledBatch;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** What an apply worker does with a batch: plan it and write it through the {@link GraphCommit}, whole or in parts. */
final class BatchApplier {

    /** The retry listener for the graph write of {@code changes}, a batch that starts at {@code from}. */
    @FunctionalInterface
    interface RetryListeners {
        BatchRetries forBatch(Lsn from, List<SourceChange> changes);
    }

    private final GraphPlanner planner;
    private final GraphCommit graph;
    private final RetryPolicy retry;
    private final Clock clock;
    private final RetryListeners listeners;

    BatchApplier(GraphPlanner planner, GraphCommit graph, RetryPolicy retry, Clock clock, RetryListeners listeners) {
        this.planner = planner;
        this.graph = graph;
        this.retry = retry;
        this.clock = clock;
        this.listeners = listeners;
    }

    /** Plans the batch and writes it with the worker's checkpoint record. */
    BatchOutcome write(ScheduledBatch batch, int worker, Checkpoint record) {
        Instant started = clock.instant();
        try {
            GraphWritePlan plan = planner.plan(batch.changes());
            ApplyResult result = listeners.forBatch(from(batch, record), batch.changes()).write(graph, plan, record);
            return new BatchOutcome.Applied(batch, worker, result, plan.steps().size(), BatchSummary.of(batch.changes(), plan), started, clock.instant());
        } catch (RuntimeException | InterruptedException e) {
            return new BatchOutcome.Failed(batch, worker, e);
        }
    }

    /** Applies the batch part by part ({@link BatchIsolation}), each part with the worker's record grown from {@code base}. */
    BatchOutcome writeInParts(ScheduledBatch batch, int worker, Checkpoint base, List<BatchIsolation.Entry> entries,
                              ParkedEntities parked, DeadLetterStore deadLetters) {
        Instant started = clock.instant();
        BatchRetries retries = listeners.forBatch(from(batch, base), batch.changes());
        RetryPolicy.RetryListener recording = retries.withoutEntities();
        try {
            BatchIsolation isolation = new BatchIsolation(planner,
                    (plan, handled) -> graph.write(plan, CommitRecord.of(BatchIsolation.checkpointAfter(base, handled)), retries),
                    letter -> retry.call("dead-letter", () -> deadLetters.record(letter), recording),
                    parked);
            BatchIsolation.Outcome outcome = isolation.run(entries);
            retries.committed();
            return new BatchOutcome.AppliedInParts(batch, worker, outcome, started, clock.instant());
        } catch (SyncException e) {
            // Already applied in parts: a refusal now is not one more reason to split, or the loop would never end.
            SyncException failure = e.rejectsData()
                    ? SyncException.persistent(e.text().after("cannot apply a batch of " + batch.size() + " changes even in parts: "), e) : e;
            retries.gaveUp(failure);
            return new BatchOutcome.Failed(batch, worker, failure);
        } catch (RuntimeException | InterruptedException e) {
            retries.gaveUp(e);
            return new BatchOutcome.Failed(batch, worker, e);
        }
    }

    private static Lsn from(ScheduledBatch batch, Checkpoint record) {
        return batch.changes().isEmpty() ? record.committedEnd() : batch.changes().get(0).txFinalLsn();
    }
}
