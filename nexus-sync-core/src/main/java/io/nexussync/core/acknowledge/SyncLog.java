package io.nexussync.core.acknowledge;

import io.nexussync.core.model.Lsn;
import java.time.Duration;

/** The transaction log: a record of every applied batch and every failed attempt. Best effort, never on the critical path. */
public interface SyncLog {

    record BatchRecord(Lsn fromLsn, Lsn toLsn, int changes, int steps, long nodeRows, long relationshipRows,
                       int crossReferences, Duration duration) {}

    record FailureRecord(String operation, String entity, String change, String error, int attempt, Duration nextAttemptIn) {}

    void batchApplied(BatchRecord record);

    void operationFailed(FailureRecord record);

    SyncLog NONE = new SyncLog() {
        @Override
        public void batchApplied(BatchRecord record) {}

        @Override
        public void operationFailed(FailureRecord record) {}
    };
}
