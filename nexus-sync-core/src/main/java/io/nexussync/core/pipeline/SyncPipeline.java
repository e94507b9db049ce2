package io.nexussync.core.pipeline;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.apply.CrossReferenceWriter;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.apply.SyncException;
import io.nexussync.core.apply.SyncLog;
import io.nexussync.core.apply.SyncLog.BatchRecord;
import io.nexussync.core.apply.SyncLog.FailureRecord;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.plan.Lane;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply loop: reads captured transactions, cuts them into batches, plans each batch, writes it
 * and its checkpoint to the graph in one transaction, writes back cross-references, and only then
 * acknowledges the position to the source. Single-threaded: one instance runs on one thread.
 *
 * <p>The steps after a graph commit (write-back, transaction log, acknowledgement) run in commit order
 * on {@code afterCommitExecutor}, overlapping the next batch; {@code Runnable::run} keeps them on the
 * apply thread.
 *
 * <p>Exactly-once rests on two rules: a transaction already covered by the graph's checkpoint is
 * skipped (wholly, or its first N changes when a batch ended inside it), and the source is never
 * acknowledged past what the graph has committed.
 */
public final class SyncPipeline {
    /** Prefix of the logical message that tags our own write-back transactions, so that their echo is dropped. */
    public static final String ECHO_PREFIX = "nexus-sync:write-back";

    private static final Logger log = LoggerFactory.getLogger(SyncPipeline.class);

    private final ChangeSource source;
    private final GraphPlanner planner;
    private final GraphWriter writer;
    private final CrossReferenceWriter crossReferences;
    private final SyncLog syncLog;
    private final BatchPolicy policy;
    private final RetryPolicy retry;
    private final Clock clock;
    private final SyncProgress progress;
    private final AfterCommitStage afterCommit;
    private final WatermarkWindows watermarks;
    private final SchemaChangeHandler schemaChanges;
    private VisibilityListener visibility = VisibilityListener.NONE;
    private volatile boolean stopping;

    private Checkpoint checkpoint = Checkpoint.NONE;
    private OpenTransaction tx;
    private final List<SourceChange> batch = new ArrayList<>();
    private Lsn batchCommittedEnd = Lsn.INVALID;
    private Lsn batchFirstLsn = Lsn.INVALID;
    private Instant batchStartedAt;
    /** Backfill chunks let into the open batch, to report once the graph has committed it. */
    private final Map<String, Long> batchChunks = new LinkedHashMap<>();
    private boolean batchIsRefresh;

    public SyncPipeline(ChangeSource source, GraphPlanner planner, GraphWriter writer, CrossReferenceWriter crossReferences,
                        SyncLog syncLog, BatchPolicy policy, RetryPolicy retry, Clock clock, SyncProgress progress,
                        Executor afterCommitExecutor) {
        this(source, planner, writer, crossReferences, syncLog, policy, retry, clock, progress, afterCommitExecutor,
                new WatermarkWindows(planner.mapping()), SchemaChangeHandler.IGNORE);
    }

    /**
     * @param watermarks    where backfill chunks are let into the stream (shared with the backfill coordinator)
     * @param schemaChanges told about ALTER TABLEs on published tables as the stream meets them
     */
    public SyncPipeline(ChangeSource source, GraphPlanner planner, GraphWriter writer, CrossReferenceWriter crossReferences,
                        SyncLog syncLog, BatchPolicy policy, RetryPolicy retry, Clock clock, SyncProgress progress,
                        Executor afterCommitExecutor, WatermarkWindows watermarks, SchemaChangeHandler schemaChanges) {
        this.watermarks = watermarks;
        this.schemaChanges = schemaChanges;
        this.source = source;
        this.planner = planner;
        this.writer = writer;
        this.crossReferences = crossReferences;
        this.syncLog = syncLog;
        this.policy = policy;
        this.retry = retry;
        this.clock = clock;
        this.progress = progress;
        this.afterCommit = new AfterCommitStage(afterCommitExecutor);
    }

    /**
     * Runs from {@code start} (the graph's checkpoint, which the source was started at) until {@link #stop()},
     * then drains the open batch; or until the source or a write fails for good.
     */
    public void run(Checkpoint start) throws InterruptedException {
        checkpoint = start;
        watermarks.streamRestarted();
        progress.started(checkpoint);
        log.info("resuming after {}", describe(checkpoint));
        try {
            while (!stopping) {
                CaptureEvent event = source.poll(pollTimeout());
                if (event != null) {
                    accept(event);
                }
                if (batchDue()) {
                    flush();
                }
            }
            flush();
        } finally {
            // Whatever ended the loop, batches the graph has committed still get their write-back and acknowledgement.
            afterCommit.drain();
        }
        progress.stateChanged("stopped", null);
    }

    /** Told when each streamed change becomes visible in the graph. */
    public SyncPipeline visibility(VisibilityListener listener) {
        this.visibility = listener;
        return this;
    }

    /** Asks {@link #run()} to finish its current batch and return. Safe from any thread. */
    public void stop() {
        stopping = true;
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    private Duration pollTimeout() {
        if (batchStartedAt == null) {
            return policy.maxDelay();
        }
        Duration left = policy.maxDelay().minus(Duration.between(batchStartedAt, clock.instant()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    private void accept(CaptureEvent event) throws InterruptedException {
        if (event instanceof CaptureEvent.Begin begin) {
            tx = new OpenTransaction(begin, checkpoint.covers(begin.finalLsn()), checkpoint.changesAppliedOf(begin.finalLsn()), batch.size());
            if (!tx.alreadyApplied) {
                markBatchStarted(begin.finalLsn());
            }
        } else if (event instanceof CaptureEvent.Message message) {
            if (tx != null && message.transactional() && ECHO_PREFIX.equals(message.prefix())) {
                tx.echo = true;
                // The tag is the write-back's first statement, so this drops nothing in practice; it keeps the rule local.
                batch.subList(Math.min(tx.batchMark, batch.size()), batch.size()).clear();
            } else if (tx != null && !tx.alreadyApplied && WatermarkWindows.LOW.equals(message.prefix())) {
                watermarks.lowWatermark(new String(message.content(), StandardCharsets.UTF_8));
            } else if (tx != null && !tx.alreadyApplied && WatermarkWindows.HIGH.equals(message.prefix())) {
                letInBackfillChunk(new String(message.content(), StandardCharsets.UTF_8));
            }
        } else if (event instanceof CaptureEvent.Change change) {
            if (tx == null) {
                throw SyncException.persistent("a change arrived outside a transaction: " + change.change(), null);
            }
            tx.seen++;
            if (!tx.alreadyApplied && !tx.echo && tx.seen > tx.appliedBefore) {
                batch.add(new SourceChange(change.change(), tx.begin.finalLsn(), tx.begin.commitTime()));
            }
            if (!tx.alreadyApplied && !tx.echo) {
                watermarks.observe(change.change());
            }
            if (batch.size() >= policy.maxChanges()) {
                flush();
            }
        } else if (event instanceof CaptureEvent.SchemaChange change) {
            schemaChanges.schemaChanged(change);
        } else if (event instanceof CaptureEvent.Commit commit) {
            if (tx != null && !tx.alreadyApplied) {
                batchCommittedEnd = commit.endLsn();
            }
            tx = null;
        }
    }

    /** At a high watermark: the chunk's rows that the stream did not touch meanwhile join the batch here, in stream order. */
    private void letInBackfillChunk(String chunkId) throws InterruptedException {
        List<RowChange> rows = watermarks.highWatermark(chunkId);
        if (rows == null) {
            return;
        }
        // The chunk goes in a batch of its own, written as a refresh (see GraphWritePlan): what the stream
        // brought before it is committed first, and nothing streamed after it shares its transaction.
        flush();
        for (RowChange row : rows) {
            batch.add(new SourceChange(row, tx.begin.finalLsn(), tx.begin.commitTime()));
        }
        batchChunks.put(chunkId, (long) rows.size());
        markBatchStarted(tx.begin.finalLsn());
        batchIsRefresh = true;
        try {
            flush();
        } finally {
            batchIsRefresh = false;
        }
    }

    private void markBatchStarted(Lsn lsn) {
        if (batchStartedAt == null) {
            batchStartedAt = clock.instant();
            batchFirstLsn = lsn;
        }
    }

    private boolean batchDue() {
        return batchStartedAt != null
                && (batch.size() >= policy.maxChanges() || !clock.instant().isBefore(batchStartedAt.plus(policy.maxDelay())));
    }

    private void flush() throws InterruptedException {
        if (batch.isEmpty() && !batchCommittedEnd.isValid()) {
            // Nothing to write yet (a transaction still arriving, all of it skipped so far): restart the
            // window rather than finding it overdue again on every poll.
            batchStartedAt = tx == null ? null : clock.instant();
            return;
        }
        Instant started = clock.instant();
        Lsn committedEnd = batchCommittedEnd.isValid() ? batchCommittedEnd : checkpoint.committedEnd();
        Checkpoint next = tx == null || tx.alreadyApplied
                ? Checkpoint.after(committedEnd)
                : new Checkpoint(committedEnd, tx.begin.finalLsn(), tx.seen);
        GraphWritePlan plan = batchIsRefresh ? planner.plan(batch).asRefresh() : planner.plan(batch);
        ApplyResult result = plan.isEmpty()
                ? ApplyResult.NOTHING
                : retry.call("apply", () -> writer.apply(plan, next), retryListener(batchFirstLsn, batch.size()));
        checkpoint = next;
        Instant visibleAt = clock.instant();
        if (!batchIsRefresh) {
            for (SourceChange change : batch) {
                visibility.visible(Lane.NORMAL, change.commitTime(), visibleAt);
            }
        }
        BatchRecord record = new BatchRecord(batchFirstLsn, committedEnd, batch.size(), plan.steps().size(),
                result.nodeRows(), result.relationshipRows(), result.crossReferences().size(),
                Duration.between(started, clock.instant()));
        boolean applied = !batch.isEmpty();
        Map<String, Long> chunks = batchChunks.isEmpty() ? Map.of() : new LinkedHashMap<>(batchChunks);
        batchChunks.clear();
        afterCommit.submit(() -> {
            chunks.forEach(watermarks::applied);
            writeBack(result, record);
            if (applied) {
                syncLog.batchApplied(record);
            }
            // The one invariant in plain sight: PostgreSQL may release WAL only once the graph has committed it.
            // (This runs after the commit above, in commit order, after the batch's write-back.)
            if (committedEnd.isValid()) {
                source.acknowledge(committedEnd);
            }
        });
        if (batch.isEmpty()) {
            progress.advanced(next);
        } else {
            progress.batchApplied(record, next, clock.instant());
        }
        batch.clear();
        batchCommittedEnd = Lsn.INVALID;
        batchStartedAt = null;
        if (tx != null) {
            tx.batchMark = 0;
            if (!tx.alreadyApplied) {
                markBatchStarted(tx.begin.finalLsn());
            }
        }
    }

    /** Runs on the after-commit stage: a failure here costs only cross-references, which start-up catch-up writes later. */
    private void writeBack(ApplyResult result, BatchRecord batchRecord) {
        if (result.crossReferences().isEmpty()) {
            return;
        }
        try {
            retry.call("write-back", () -> {
                crossReferences.write(result.crossReferences());
                return null;
            }, retryListener(batchRecord.fromLsn(), batchRecord.changes()));
        } catch (SyncException e) {
            log.warn("write-back of {} cross-references failed: {}", result.crossReferences().size(), e.getMessage());
            syncLog.operationFailed(new FailureRecord("write-back", result.crossReferences().size() + " rows", null, e.getMessage(), 1, null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Logs each failed attempt of the batch that starts at {@code from}; gives up at once when the pipeline is stopping. */
    private RetryPolicy.RetryListener retryListener(Lsn from, int changes) {
        return (operation, failure, attempt, wait) -> {
            if (stopping) {
                // Stopping during an outage: give up; the checkpoint brings the batch back on the next start.
                throw failure;
            }
            log.warn("{} failed (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage());
            progress.retrying(operation, failure.getMessage());
            syncLog.operationFailed(new FailureRecord(operation, "batch from " + from, changes + " changes", failure.getMessage(), attempt, wait));
        };
    }

    private static String describe(Checkpoint c) {
        return c.committedEnd().isValid() ? "WAL position " + c.committedEnd()
                + (c.partialTx().isValid() ? " (+" + c.partialChanges() + " changes of the transaction at " + c.partialTx() + ")" : "")
                : "nothing (fresh start: streaming from the slot's position)";
    }

    private static final class OpenTransaction {
        final CaptureEvent.Begin begin;
        final boolean alreadyApplied;
        final long appliedBefore;
        int batchMark;
        long seen;
        boolean echo;

        OpenTransaction(CaptureEvent.Begin begin, boolean alreadyApplied, long appliedBefore, int batchMark) {
            this.begin = begin;
            this.alreadyApplied = alreadyApplied;
            this.appliedBefore = appliedBefore;
            this.batchMark = batchMark;
        }
    }
}
