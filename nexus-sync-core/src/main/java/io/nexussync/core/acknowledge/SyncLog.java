package io.nexussync.core.acknowledge;

import io.nexussync.core.model.Lsn;
import java.time.Duration;
import java.util.List;

/**
 * The transaction log: a record of every applied batch (with a {@link BatchSummary} of what it held) and every failed
 * attempt; a failed attempt of a batch write also logs each entity of the batch ({@link LoggedEntity}), and those rows
 * follow the retries to their end. Best effort, never on the critical path: only failures and retries write per-entity
 * rows.
 */
public interface SyncLog {

    record BatchRecord(Lsn fromLsn, Lsn toLsn, int changes, int steps, long nodeRows, long relationshipRows,
                       int crossReferences, Duration duration, BatchSummary summary) {
        public BatchRecord(Lsn fromLsn, Lsn toLsn, int changes, int steps, long nodeRows, long relationshipRows, int crossReferences, Duration duration) {
            this(fromLsn, toLsn, changes, steps, nodeRows, relationshipRows, crossReferences, duration, BatchSummary.EMPTY);
        }
    }

    /**
     * @param retryGroup the failed attempts of one batch write share it, so its rows are updated, not added to, attempt after
     *                   attempt (null: a row per attempt, as for the steps after a commit)
     * @param entities   the entities the failed write held, at most {@link #MAX_ENTITIES_PER_FAILURE} (empty: none known)
     * @param entityCount how many the write held in all
     */
    record FailureRecord(String operation, String entity, String change, String error, int attempt, Duration nextAttemptIn,
                         String retryGroup, List<LoggedEntity> entities, int entityCount) {
        public FailureRecord(String operation, String entity, String change, String error, int attempt, Duration nextAttemptIn) {
            this(operation, entity, change, error, attempt, nextAttemptIn, null, List.of(), 0);
        }

        public FailureRecord {
            entities = List.copyOf(entities);
        }
    }

    /** How the retries of a batch write ended. */
    enum RetryEnd {
        /** The write committed after at least one failed attempt. */
        SUCCEEDED("succeeded-after-retry"),
        /** The write was given up (not retryable, or the pipeline stopped): the checkpoint brings its changes back. */
        FAILED("failed"),
        /** The graph refused the data: the batch goes in parts, and the changes it refuses become dead letters. */
        REFUSED("refused");

        private final String status;

        RetryEnd(String status) {
            this.status = status;
        }

        /** The status its rows take. */
        public String status() {
            return status;
        }
    }

    /** The most entities one failed batch write logs row by row; the batch's own row counts the rest. */
    int MAX_ENTITIES_PER_FAILURE = 1_000;

    void batchApplied(BatchRecord record);

    void operationFailed(FailureRecord record);

    /**
     * The retries of the write whose failures were logged under {@code retryGroup} ended so, after {@code retries} retries (the
     * failed attempts before the last); {@code error} is the last failure's, null when it committed.
     */
    default void retriesEnded(String retryGroup, RetryEnd end, int retries, String error) {}

    SyncLog NONE = new SyncLog() {
        @Override
        public void batchApplied(BatchRecord record) {}

        @Override
        public void operationFailed(FailureRecord record) {}
    };
}
