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
    private final AtomicLong itemsRead = new AtomicLong();
    private final AtomicLong batchesApplied = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private volatile Checkpoint checkpoint = Checkpoint.NONE;
    private volatile BatchRecord lastBatch;
    private volatile Instant lastBatchAt;
    /** One field, so that a reader never sees a state with another state's name. */
    private volatile Phase phase = new Phase(ServiceState.STARTING, ServiceState.STARTING.externalName());
    private volatile Instant stateSince = Instant.now();
    private volatile String lastError;
    private volatile SnapshotProgress snapshot;
    private volatile ApplyQueue queue = ApplyQueue.EMPTY;

    void started(Checkpoint from) {
        checkpoint = from;
        // A new session has caught up with nothing yet: the last session's queue must not make it look caught up.
        queue = ApplyQueue.EMPTY;
        enter(ServiceState.STREAMING);
    }

    private void enter(ServiceState newState) {
        enter(newState, newState.externalName());
    }

    /** Changes the state; the time it changed is kept only when it is a different state (another operation retried is one). */
    private void enter(ServiceState newState, String name) {
        if (!name.equals(phase.name())) {
            stateSince = Instant.now();
        }
        phase = new Phase(newState, name);
    }

    /** @param name the state's external name, with the operation while {@link ServiceState#RETRYING} */
    private record Phase(ServiceState state, String name) {}

    void batchApplied(BatchRecord record, Checkpoint now, Instant at) {
        changesApplied.addAndGet(record.changes());
        batchesApplied.incrementAndGet();
        lastBatch = record;
        lastBatchAt = at;
        checkpoint = now;
        enter(ServiceState.STREAMING);
    }

    /** Public for the apply role, which counts its own (KafkaApplyComponent). */
    public void deadLettered(int heads, int parkedChanges) {
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
        enter(ServiceState.RETRYING, ServiceState.RETRYING.externalName() + " " + operation);
    }

    /** @param error why, or null to keep the last error as it is; only its public form is kept */
    public void stateChanged(ServiceState newState, Throwable error) {
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
        enter(ServiceState.SNAPSHOT);
    }

    public long changesApplied() {
        return changesApplied.get();
    }

    /** Stream items (changes, transaction ends, markers) the apply loop has read: how far reading is ahead of applying. */
    public long itemsRead() {
        return itemsRead.get();
    }

    void read(int items) {
        itemsRead.addAndGet(items);
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

    public ServiceState state() {
        return phase.state();
    }

    /**
     * The state as shown outside ({@code /health}, {@code /status}): its external name, and while retrying the operation
     * retried ({@code retrying write-back}).
     */
    public String stateName() {
        return phase.name();
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
