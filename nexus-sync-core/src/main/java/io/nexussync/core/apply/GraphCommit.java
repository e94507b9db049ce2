package io.nexussync.core.apply;

import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.acknowledge.SyncLog.BatchRecord;
import io.nexussync.core.acknowledge.SyncLog.FailureRecord;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CrashPoints;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.fault.RetryPolicy.RetryListener;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.plan.GraphWritePlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way into the graph. {@link #write} commits a plan together with its {@link CommitRecord} in one graph
 * transaction, retrying what the {@link RetryPolicy} calls retryable; {@link #afterCommit} then hands what follows
 * that commit (the cross-reference write-back, the transaction-log row, the acknowledgement to the source) to the
 * {@link AfterCommitStage}, which runs it in commit order. The stream's batches, backfill chunks, the initial
 * snapshot and any later writer (a repair) all come through here, so the ordering rules live in one place.
 *
 * <p>{@link #write} may be called from any thread (the apply workers); {@link #afterCommit}, {@link #acknowledge}
 * and {@link #drain} from one thread only, in the order the commits are to be followed up.
 */
public final class GraphCommit {
    private static final Logger log = LoggerFactory.getLogger(GraphCommit.class);

    /** Where an acknowledgement goes: the source of the stream, which may then release what the graph holds. */
    @FunctionalInterface
    public interface Acknowledger {
        Acknowledger NONE = appliedEnd -> { };

        void acknowledge(Lsn appliedEnd);
    }

    private final GraphWriter writer;
    private final RetryPolicy retry;
    private final AfterCommitStage stage;
    private final CrossReferenceWriter crossReferences;
    private final SyncLog syncLog;
    private final Acknowledger acknowledger;

    /**
     * @param acknowledger told, after the rest of a commit's follow-up, up to where the graph holds the stream
     *                     ({@link Acknowledger#NONE} for writers that do not read the stream: snapshot, repair)
     */
    public GraphCommit(GraphWriter writer, RetryPolicy retry, AfterCommitStage stage, CrossReferenceWriter crossReferences,
                       SyncLog syncLog, Acknowledger acknowledger) {
        this.writer = writer;
        this.retry = retry;
        this.stage = stage;
        this.crossReferences = crossReferences;
        this.syncLog = syncLog;
        this.acknowledger = acknowledger;
    }

    /**
     * Writes {@code plan} with {@code record} in one graph transaction: both are in the graph or neither is.
     * Retryable failures are retried (each told to {@code listener} first, which may throw to give up); any other
     * failure is thrown as it came.
     */
    public ApplyResult write(GraphWritePlan plan, CommitRecord record, RetryListener listener) throws InterruptedException {
        return retry.call(record.operation(), () -> record.writeWith(writer, plan), listener);
    }

    /**
     * Writes a critical transaction with its decision and {@code checkpoint} in one graph transaction (see
     * {@link GraphWriter#applyCritical}), retrying like {@link #write}.
     */
    public CriticalApplied writeCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision, RetryListener listener)
            throws InterruptedException {
        return retry.call("critical", () -> writer.applyCritical(plan, checkpoint, decision), listener);
    }

    /** Hands what follows a commit {@link #write} returned to the after-commit stage, behind the commits handed over before it. */
    public void afterCommit(AfterCommit then) throws InterruptedException {
        if (then.nothingToDo()) {
            return;
        }
        stage.submit(() -> {
            then.first().run();
            writeBack(then);
            if (then.logRow() != null) {
                syncLog.batchApplied(then.logRow());
            }
            if (then.releases().isValid()) {
                CrashPoints.reach(CrashPoints.BEFORE_ACKNOWLEDGE);
                release(then.releases());
            }
        });
    }

    /**
     * The stream moved past transactions that needed no graph write (echoes, markers, changes already applied):
     * acknowledges {@code end} once every commit handed over before has been followed up.
     */
    public void acknowledge(Lsn end) throws InterruptedException {
        stage.submit(() -> release(end));
    }

    /** Waits until everything handed over has run. */
    public void drain() throws InterruptedException {
        stage.drain();
    }

    private void release(Lsn end) {
        // The one invariant in plain sight: PostgreSQL may release WAL only once the graph has committed it.
        // (This runs on the after-commit stage, after the commit that holds `end` and, in commit order, after every
        // commit handed over before it, and after that commit's write-back.)
        acknowledger.acknowledge(end);
    }

    /** A failure here costs only cross-references, which start-up catch-up writes later. */
    private void writeBack(AfterCommit then) {
        ApplyResult result = then.result();
        if (result.crossReferences().isEmpty()) {
            return;
        }
        try {
            retry.call("write-back", () -> {
                crossReferences.write(result.crossReferences());
                return null;
            }, then.listener());
        } catch (SyncException e) {
            log.warn("write-back of {} cross-references failed; they are filled in at the next start: {}",
                    result.crossReferences().size(), e.getMessage());
            syncLog.operationFailed(new FailureRecord("write-back", result.crossReferences().size() + " rows", null, e.getMessage(), 1, null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What follows one commit, in this order: {@code first}, the write-back of the result's cross-references, the
     * log row, and the acknowledgement up to {@code releases}. Built with {@link #of} and the {@code with} methods.
     *
     * @param logRow   the transaction log's row, or null for writes the log does not record (snapshot chunks)
     * @param releases how far the source may release, or {@link Lsn#INVALID} when this commit moved nothing
     * @param listener told about failed attempts of the write-back
     */
    public record AfterCommit(ApplyResult result, RetryListener listener, Runnable first, BatchRecord logRow, Lsn releases) {
        private static final Runnable NOTHING = () -> { };

        /** Only the write-back of {@code result}'s cross-references. */
        public static AfterCommit of(ApplyResult result, RetryListener listener) {
            return new AfterCommit(result, listener, NOTHING, null, Lsn.INVALID);
        }

        public AfterCommit logged(BatchRecord row) {
            return new AfterCommit(result, listener, first, row, releases);
        }

        /** Acknowledges {@code end} last, when it is a position ({@link Lsn#INVALID}: nothing to acknowledge). */
        public AfterCommit releasing(Lsn end) {
            return new AfterCommit(result, listener, first, logRow, end);
        }

        /** Runs {@code step} before the write-back. */
        public AfterCommit first(Runnable step) {
            return new AfterCommit(result, listener, step, logRow, releases);
        }

        boolean nothingToDo() {
            return first == NOTHING && result.crossReferences().isEmpty() && logRow == null && !releases.isValid();
        }
    }
}
