package io.nexussync.core.pipeline;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.acknowledge.SyncLog.BatchRecord;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.snapshot.SnapshotProgress;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the pipeline has done so far, for status, health and metrics. Thread-safe; written by the pipeline only.
 * The last error is kept in its public form only ({@link SyncException#publicMessage()}): what it holds is shown on
 * the admin API's open endpoints, so it never holds a server's text or a row's values (the log has those).
 */
public final class SyncProgress {
    private final AtomicLong changesApplied = new AtomicLong();
    private final AtomicLong batchesApplied = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private volatile Checkpoint checkpoint = Checkpoint.NONE;
    private volatile BatchRecord lastBatch;
    private volatile Instant lastBatchAt;
    private volatile String state = "starting";
    private volatile Instant stateSince = Instant.now();
    private volatile String lastError;
    private volatile SnapshotProgress snapshot;
    private volatile ApplyQueue queue = ApplyQueue.EMPTY;

    void started(Checkpoint from) {
        checkpoint = from;
        enter("streaming");
    }

    /** Changes the state; the time it changed is kept only when it is a different state. */
    private void enter(String newState) {
        if (!newState.equals(state)) {
            stateSince = Instant.now();
        }
        state = newState;
    }

    void batchApplied(BatchRecord record, Checkpoint now, Instant at) {
        changesApplied.addAndGet(record.changes());
        batchesApplied.incrementAndGet();
        lastBatch = record;
        lastBatchAt = at;
        checkpoint = now;
        enter("streaming");
    }

    void deadLettered(int heads, int parkedChanges) {
        deadLettered.addAndGet(heads);
        parked.addAndGet(parkedChanges);
    }

    /** Changes the graph refused and that went to the dead-letter table, since the start. */
    public long deadLettered() {
        return deadLettered.get();
    }

    /** Changes parked behind a dead letter (they wait for its retry or skip), since the start. */
    public long parked() {
        return parked.get();
    }

    /** Only the position moved: transactions with nothing to apply (echoes, markers, other tables). */
    void advanced(Checkpoint now) {
        checkpoint = now;
    }

    void queue(ApplyQueue now) {
        queue = now;
    }

    /** What waits for a worker, per lane, as of the last second. */
    public ApplyQueue queue() {
        return queue;
    }

    void retrying(String operation, SyncException failure) {
        retries.incrementAndGet();
        lastError = failure.publicMessage();
        enter("retrying " + operation);
    }

    /** @param error why, or null to keep the last error as it is; only its public form is kept */
    public void stateChanged(String newState, Throwable error) {
        enter(newState);
        if (error != null) {
            lastError = ErrorText.of(error).shown();
        }
    }

    /** The initial snapshot this run took (running or finished), or null when it took none. */
    public SnapshotProgress snapshot() {
        return snapshot;
    }

    public void snapshotStarted(SnapshotProgress started) {
        snapshot = started;
        enter("snapshot");
    }

    public long changesApplied() {
        return changesApplied.get();
    }

    public long batchesApplied() {
        return batchesApplied.get();
    }

    public long retries() {
        return retries.get();
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public BatchRecord lastBatch() {
        return lastBatch;
    }

    public Instant lastBatchAt() {
        return lastBatchAt;
    }

    public String state() {
        return state;
    }

    /** When the service entered its current state. */
    public Instant stateSince() {
        return stateSince;
    }

    /** The last failure's public form (no server text, no row value), or null. */
    public String lastError() {
        return lastError;
    }
}
