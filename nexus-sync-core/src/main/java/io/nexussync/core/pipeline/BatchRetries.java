package io.nexussync.core.pipeline;

import io.nexussync.core.acknowledge.LoggedEntity;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.CommitRecord;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.acknowledge.SyncLog.FailureRecord;
import io.nexussync.core.acknowledge.SyncLog.RetryEnd;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.SourceChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failed attempts of one batch write in the transaction log, entity by entity: the first failure that reached its
 * server logs the batch's entities (status {@code retrying}, the attempt, the next attempt's time), later ones update those
 * rows, and the end of the write ({@link #committed()}, {@link #gaveUp}) settles them. A write that commits at the first
 * attempt writes nothing here. Used by one worker at a time.
 */
final class BatchRetries implements RetryPolicy.RetryListener {
    private static final Logger log = LoggerFactory.getLogger(BatchRetries.class);

    /** The loop's part of a failed attempt (the stop check, the log line, the progress); whether the log records it. */
    @FunctionalInterface
    interface Gate {
        boolean recordable(String operation, SyncException failure, int attempt, Duration wait);
    }

    private final SyncLog syncLog;
    private final Mapping mapping;
    private final Lsn from;
    private final List<SourceChange> changes;
    private final Gate gate;
    private String group;
    private List<LoggedEntity> entities;
    private int failedAttempts;

    BatchRetries(SyncLog syncLog, Mapping mapping, Lsn from, List<SourceChange> changes, Gate gate) {
        this.syncLog = syncLog;
        this.mapping = mapping;
        this.from = from;
        this.changes = changes;
        this.gate = gate;
    }

    @Override
    public void retrying(String operation, SyncException failure, int attempt, Duration wait) {
        if (!gate.recordable(operation, failure, attempt, wait)) {
            return;
        }
        if (group == null) {
            group = UUID.randomUUID().toString();
            entities = entities();
        }
        failedAttempts = Math.max(failedAttempts, attempt);
        syncLog.operationFailed(new FailureRecord(operation, "batch from " + from, changes.size() + " changes", failure.getMessage(), attempt, wait,
                group, entities, changes.size()));
    }

    /** For what is retried beside the batch's graph write (recording a dead letter): a row per attempt, no entity rows. */
    RetryPolicy.RetryListener withoutEntities() {
        return (operation, failure, attempt, wait) -> {
            if (gate.recordable(operation, failure, attempt, wait)) {
                syncLog.operationFailed(new FailureRecord(operation, "batch from " + from, changes.size() + " changes", failure.getMessage(), attempt, wait));
            }
        };
    }

    /** {@code plan} written through {@code graph} with these retries, and the logged attempts settled by how the write ended. */
    ApplyResult write(GraphCommit graph, GraphWritePlan plan, Checkpoint record) throws InterruptedException {
        ApplyResult result;
        try {
            result = graph.write(plan, CommitRecord.of(record), this);
        } catch (RuntimeException | InterruptedException e) {
            gaveUp(e);
            throw e;
        }
        committed();
        return result;
    }

    /** The write committed: rows of earlier failed attempts say it succeeded after retrying. */
    void committed() {
        if (group != null) {
            syncLog.retriesEnded(group, RetryEnd.SUCCEEDED, failedAttempts, null);
        }
    }

    /** The write was given up with {@code failure}; a refusal of the data goes on in parts. */
    void gaveUp(Exception failure) {
        if (group != null) {
            RetryEnd end = failure instanceof SyncException s && s.rejectsData() ? RetryEnd.REFUSED : RetryEnd.FAILED;
            syncLog.retriesEnded(group, end, failedAttempts, failure.getMessage());
        }
    }

    private List<LoggedEntity> entities() {
        int n = Math.min(changes.size(), SyncLog.MAX_ENTITIES_PER_FAILURE);
        List<LoggedEntity> logged = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            try {
                logged.add(LoggedEntity.of(mapping, changes.get(i).change()));
            } catch (RuntimeException e) {
                // The log is a record, not a control: an entity it cannot describe is left out, the retry goes on.
                log.debug("cannot describe a change for the transaction log: {}", e.toString());
            }
        }
        return logged;
    }
}
