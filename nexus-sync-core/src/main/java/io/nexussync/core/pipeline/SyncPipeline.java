package io.nexussync.core.pipeline;

import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.capture.ChangeSource;
import io.nexussync.core.deadletter.BatchIsolation;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.acknowledge.SyncLog.BatchRecord;
import io.nexussync.core.acknowledge.SyncLog.FailureRecord;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.deadletter.ParkedEntities;
import io.nexussync.core.fault.CrashPoints;
import io.nexussync.core.model.AppliedRanges;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.schedule.ApplyLedger;
import io.nexussync.core.schedule.BatchSizer;
import io.nexussync.core.schedule.ChangeScheduler;
import io.nexussync.core.schedule.Footprint;
import io.nexussync.core.schedule.LaneClassifier;
import io.nexussync.core.schedule.ScheduledBatch;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply loop. One thread reads captured transactions ahead into the {@link ChangeScheduler} (up to
 * the read-ahead bound: beyond it, it stops reading and the slot keeps the WAL), cuts batches from it
 * by lane, age and size, and hands each to one of N apply workers. A worker plans its batch and writes
 * it with its own checkpoint record in one graph transaction. When a batch has committed, the loop
 * marks its changes applied in the {@link ApplyLedger}, and the steps after the commit (write-back,
 * transaction log, acknowledgement) run in commit order on {@code afterCommitExecutor}.
 *
 * <p>Exactly-once rests on two rules: a change the graph's checkpoint records as applied is skipped when
 * the stream replays it, and the source is never acknowledged past the first change not yet applied.
 * Lanes and workers apply changes out of stream order, so a checkpoint is a committed end plus the
 * runs of changes applied beyond it; each worker writes its own record, and a restart merges them.
 */
public final class SyncPipeline {
    /** Prefix of the logical message that tags our own write-back transactions, so that their echo is dropped. */
    public static final String ECHO_PREFIX = "nexus-sync:write-back";

    /** Past this many runs applied out of order, batches are cut in stream order until the checkpoint is compact again. */
    static final int MAX_RUNS_AHEAD = 1_000;
    /** The ledger keeps ~20 bytes per change between the oldest unapplied change and the read head. */
    static final int MAX_LEDGER_ENTRIES = 2_000_000;
    /** How long a stop keeps applying what it has read before leaving the rest to the next start. */
    static final Duration STOP_DRAIN = Duration.ofSeconds(5);

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
    private final ChangeScheduler scheduler;
    private final BatchSizer sizer;
    private VisibilityListener visibility = VisibilityListener.NONE;
    private DeadLetterStore deadLetters = DeadLetterStore.NONE;
    /** Swapped, never changed in place: a worker keeps the one its batch went out with. */
    private ParkedEntities parked = ParkedEntities.NONE;
    private volatile boolean stopping;
    private volatile boolean abandoning;

    private Checkpoint start = Checkpoint.NONE;
    private Checkpoint checkpoint = Checkpoint.NONE;
    private ApplyLedger ledger;
    private OpenTransaction tx;
    private final Deque<Integer> idleWorkers = new ArrayDeque<>();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private int batchesInFlight;
    private ExecutorService workerPool;
    private Instant queueReportedAt = Instant.EPOCH;

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
        this.scheduler = new ChangeScheduler(planner.mapping(), new LaneClassifier(planner.mapping(), policy.laneCacheEntries()));
        this.sizer = new BatchSizer(policy.maxChanges(), policy.targetCommit());
    }

    /** Where changes the graph refuses go; without one, such a change stops the pipeline. */
    public SyncPipeline deadLetters(DeadLetterStore store) {
        this.deadLetters = store;
        return this;
    }

    /** Told when each streamed change becomes visible in the graph. */
    public SyncPipeline visibility(VisibilityListener listener) {
        this.visibility = listener;
        return this;
    }

    /**
     * Runs from {@code start} (the graph's checkpoint, which the source was started at) until {@link #stop()},
     * then applies what it has read for up to {@link #STOP_DRAIN}; or until the source or a write fails for good.
     */
    public void run(Checkpoint start) throws InterruptedException {
        this.start = start;
        checkpoint = start;
        ledger = new ApplyLedger(start);
        watermarks.streamRestarted();
        parked = ParkedEntities.of(deadLetters.parkedEntities());
        progress.started(checkpoint);
        log.info("resuming after {}", describe(checkpoint));
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(policy.workers(), r -> {
            Thread t = new Thread(r, "nexus-sync-apply-" + threadNumber.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        for (int w = 0; w < policy.workers(); w++) {
            idleWorkers.add(w);
        }
        workerPool = workers;
        try {
            while (!stopping) {
                collectFinished(Duration.ZERO);
                if (mayRead()) {
                    CaptureEvent event = source.poll(pollTimeout());
                    if (event != null) {
                        accept(event, workers);
                    }
                } else {
                    collectFinished(pollTimeout());
                }
                dispatch(workers, false);
                reportQueue();
            }
            drainAfterStop(workers);
        } catch (RuntimeException | InterruptedException | Error e) {
            abandoning = true;
            throw e;
        } finally {
            workers.shutdown();
            // A worker still writing must finish before the next session's worker of the same number writes its record.
            if (!workers.awaitTermination(2, TimeUnit.MINUTES)) {
                log.error("an apply worker did not finish within 2 minutes of the pipeline stopping");
            }
            // Whatever ended the loop, batches the graph has committed still get their write-back and acknowledgement.
            afterCommit.drain();
        }
        progress.stateChanged(ServiceState.STOPPED, null);
    }

    /** Asks {@link #run} to finish its batches and return. Safe from any thread. */
    public void stop() {
        stopping = true;
    }

    /** What the graph holds, as the batches this pipeline saw commit tell it. */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    private boolean mayRead() {
        return scheduler.pendingBytes() < policy.readAheadBytes() && ledger.entries() < MAX_LEDGER_ENTRIES;
    }

    private Duration pollTimeout() {
        if (batchesInFlight > 0) {
            return Duration.ofMillis(2);
        }
        Instant oldest = scheduler.oldestReadAt();
        if (oldest == null) {
            return policy.maxDelay();
        }
        Duration left = policy.maxDelay().minus(Duration.between(oldest, clock.instant()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    private void accept(CaptureEvent event, ExecutorService workers) throws InterruptedException {
        if (event instanceof CaptureEvent.Begin begin) {
            tx = new OpenTransaction(begin, start.covers(begin.finalLsn()));
        } else if (event instanceof CaptureEvent.Message message) {
            if (tx != null && message.transactional() && ECHO_PREFIX.equals(message.prefix())) {
                // The tag is the write-back's first statement, so none of its changes has been read yet.
                tx.echo = true;
            } else if (tx != null && !tx.covered && WatermarkWindows.LOW.equals(message.prefix())) {
                watermarks.lowWatermark(new String(message.content(), StandardCharsets.UTF_8));
            } else if (tx != null && !tx.covered && WatermarkWindows.HIGH.equals(message.prefix())) {
                letInBackfillChunk(new String(message.content(), StandardCharsets.UTF_8), workers);
            }
        } else if (event instanceof CaptureEvent.Change change) {
            if (tx == null) {
                throw SyncException.persistent(ErrorText.withDetail("a change arrived outside a transaction",
                        change.change().toString()), null);
            }
            Position position = new Position(tx.begin.finalLsn(), tx.seen++);
            if (tx.covered) {
                return;
            }
            long ordinal = ledger.read(position);
            if (tx.echo || start.isApplied(position)) {
                ledger.skipped(ordinal);
                return;
            }
            watermarks.observe(change.change());
            SourceChange sourceChange = new SourceChange(change.change(), tx.begin.finalLsn(), tx.begin.commitTime());
            if (!scheduler.add(sourceChange, ordinal, clock.instant())) {
                ledger.skipped(ordinal);
            }
        } else if (event instanceof CaptureEvent.DeadLetterRelease release) {
            if (tx != null && !tx.covered) {
                release(release);
            }
        } else if (event instanceof CaptureEvent.SchemaChange change) {
            schemaChanges.schemaChanged(change);
        } else if (event instanceof CaptureEvent.Commit commit) {
            Lsn before = ledger.committedEnd();
            ledger.commitRead(commit.endLsn());
            tx = null;
            if (!ledger.committedEnd().equals(before)) {
                // Nothing of it needed a graph write (echoes, markers, changes already applied): only the position moves.
                acknowledgeAfterQueuedBatches(ledger.committedEnd());
            }
        }
    }

    /**
     * A person retried or skipped a dead letter: changes to its entities from here on apply again, and a retry's
     * rows (as PostgreSQL held them at this point of the stream) go in like any change read here.
     */
    private void release(CaptureEvent.DeadLetterRelease release) {
        scheduler.keepApart(parked.entitiesBehind(release.headId()));
        parked = parked.release(release.headId(), new Position(tx.begin.finalLsn(), tx.seen));
        log.info("dead letter #{} was {}: its entities apply again from {}", release.headId(),
                release.retry() ? "retried with " + release.currentRows().size() + " current rows" : "skipped", tx.begin.finalLsn());
        if (!release.retry()) {
            return;
        }
        for (RowChange row : release.currentRows()) {
            Footprint footprint = Footprint.of(planner.mapping(), row);
            if (footprint != null) {
                scheduler.keepApart(footprint.owns());
            }
            Position position = new Position(tx.begin.finalLsn(), tx.seen++);
            long ordinal = ledger.read(position);
            if (start.isApplied(position)
                    || !scheduler.add(new SourceChange(row, tx.begin.finalLsn(), tx.begin.commitTime()), ordinal, clock.instant())) {
                ledger.skipped(ordinal);
            }
        }
    }

    private void acknowledgeAfterQueuedBatches(Lsn end) throws InterruptedException {
        checkpoint = new Checkpoint(end, checkpoint.applied(), 0);
        progress.advanced(checkpoint);
        afterCommit.submit(() -> source.acknowledge(end));
    }

    /** Hands due batches to idle workers. {@code force}: regardless of the batch window (draining). */
    private void dispatch(ExecutorService workers, boolean force) {
        while (!idleWorkers.isEmpty() && !scheduler.isEmpty() && (force || due())) {
            ScheduledBatch batch = scheduler.next(sizer.size(), policy.maxBytes(), ledger.runsAhead() > MAX_RUNS_AHEAD);
            if (batch == null) {
                return;
            }
            int worker = idleWorkers.poll();
            ledger.inFlight(batch.ordinals(), batch.id());
            batchesInFlight++;
            if (!parked.isEmpty() && touchesParked(batch)) {
                isolate(batch, worker, workers);
                continue;
            }
            Checkpoint record = ledger.checkpointWith(batch.id(), worker);
            workers.execute(() -> finished.add(write(batch, worker, record)));
        }
    }

    private boolean touchesParked(ScheduledBatch batch) {
        for (int i = 0; i < batch.changes().size(); i++) {
            Footprint footprint = Footprint.of(planner.mapping(), batch.changes().get(i).change());
            if (parked.headFor(footprint, ledger.position(batch.covered().get(i)[0])) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands the batch back to {@code worker} to be applied part by part ({@link BatchIsolation}): the graph refused it,
     * or changes in it wait behind a dead letter. The worker stays reserved for it.
     */
    private void isolate(ScheduledBatch batch, int worker, ExecutorService workers) {
        List<BatchIsolation.Entry> entries = new ArrayList<>(batch.changes().size());
        for (int i = 0; i < batch.changes().size(); i++) {
            long[] covered = batch.covered().get(i);
            List<Position> positions = new ArrayList<>(covered.length);
            for (long ordinal : covered) {
                positions.add(ledger.position(ordinal));
            }
            entries.add(new BatchIsolation.Entry(batch.changes().get(i), positions));
        }
        Checkpoint base = ledger.checkpointWith(0, worker);
        ParkedEntities parkedNow = parked;
        workers.execute(() -> finished.add(writeIsolating(batch, worker, base, entries, parkedNow)));
    }

    /** On a worker: {@link #isolate}'s work. */
    private Finished writeIsolating(ScheduledBatch batch, int worker, Checkpoint base, List<BatchIsolation.Entry> entries,
                                    ParkedEntities parkedNow) {
        Instant started = clock.instant();
        Lsn from = batch.changes().isEmpty() ? base.committedEnd() : batch.changes().get(0).txFinalLsn();
        RetryPolicy.RetryListener listener = retryListener(from, batch.size());
        try {
            BatchIsolation isolation = new BatchIsolation(planner,
                    (plan, record) -> retry.call("apply", () -> writer.apply(plan, record), listener),
                    letter -> retry.call("dead-letter", () -> deadLetters.record(letter), listener),
                    base, parkedNow);
            BatchIsolation.Outcome outcome = isolation.run(entries);
            return new Finished(batch, worker, null, outcome.result(), outcome.steps(), outcome, started, clock.instant(), null);
        } catch (SyncException e) {
            // Already applied in parts: a refusal now is not one more reason to split, or the loop would never end.
            SyncException failure = e.rejectsData()
                    ? SyncException.persistent(e.text().after("cannot apply a batch of " + batch.size() + " changes even in parts: "), e) : e;
            return new Finished(batch, worker, null, null, 0, null, started, clock.instant(), failure);
        } catch (RuntimeException | InterruptedException e) {
            return new Finished(batch, worker, null, null, 0, null, started, clock.instant(), e);
        }
    }

    private boolean due() {
        Instant oldest = scheduler.oldestReadAt();
        return oldest != null && (scheduler.pendingChanges() >= sizer.size()
                || !clock.instant().isBefore(oldest.plus(policy.maxDelay())));
    }

    /** On a worker: plans the batch and writes it with the worker's checkpoint record. */
    private Finished write(ScheduledBatch batch, int worker, Checkpoint record) {
        Instant started = clock.instant();
        try {
            GraphWritePlan plan = planner.plan(batch.changes());
            Lsn from = batch.changes().isEmpty() ? record.committedEnd() : batch.changes().get(0).txFinalLsn();
            ApplyResult result = retry.call("apply", () -> writer.apply(plan, record), retryListener(from, batch.size()));
            return new Finished(batch, worker, plan, result, plan.steps().size(), null, started, clock.instant(), null);
        } catch (RuntimeException | InterruptedException e) {
            return new Finished(batch, worker, null, null, 0, null, started, clock.instant(), e);
        }
    }

    private void collectFinished(Duration wait) throws InterruptedException {
        Finished next = wait.isZero() ? finished.poll() : finished.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        while (next != null) {
            complete(next);
            next = finished.poll();
        }
    }

    private void complete(Finished done) throws InterruptedException {
        if (done.failure instanceof SyncException refused && refused.rejectsData() && done.isolation == null) {
            log.warn("the graph refused a batch of {} changes ({}); applying it in parts to find the changes it refuses",
                    done.batch.size(), refused.getMessage());
            isolate(done.batch, done.worker, workerPool);
            return;
        }
        batchesInFlight--;
        idleWorkers.add(done.worker);
        scheduler.done(done.batch);
        if (done.failure != null) {
            if (done.failure instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw done.failure instanceof SyncException s ? s
                    : SyncException.persistent(ErrorText.of(done.failure).after("cannot apply a batch of " + done.batch.size() + " changes: "),
                            done.failure);
        }
        CrashPoints.reach(CrashPoints.AFTER_GRAPH_COMMIT);
        if (done.isolation != null) {
            for (BatchIsolation.Park park : done.isolation.parks()) {
                parked = parked.park(park.entities(), park.headId(), park.from());
            }
            progress.deadLettered(done.isolation.deadLettered(), done.isolation.parked());
        }
        Lsn before = ledger.committedEnd();
        Lsn committedEnd = ledger.applied(done.batch.ordinals());
        parked = parked.forgetReleasedBefore(committedEnd);
        checkpoint = ledger.checkpointWith(0, 0);
        Duration took = Duration.between(done.started, done.ended);
        sizer.observe(done.batch.size(), took);
        for (int i = 0; i < done.batch.size(); i++) {
            visibility.visible(done.batch.lanes()[i], done.batch.committedAt()[i], done.ended);
        }
        Lsn from = done.batch.changes().isEmpty() ? committedEnd : done.batch.changes().get(0).txFinalLsn();
        BatchRecord record = new BatchRecord(from, committedEnd, done.batch.size(), done.steps,
                done.result.nodeRows(), done.result.relationshipRows(), done.result.crossReferences().size(), took);
        progress.batchApplied(record, checkpoint, clock.instant());
        boolean moved = !committedEnd.equals(before);
        ApplyResult result = done.result;
        afterCommit.submit(() -> {
            writeBack(result, record);
            syncLog.batchApplied(record);
            // The one invariant in plain sight: PostgreSQL may release WAL only once the graph has committed it.
            // (This runs after the commit above, in commit order, after the batch's write-back.)
            if (moved && committedEnd.isValid()) {
                CrashPoints.reach(CrashPoints.BEFORE_ACKNOWLEDGE);
                source.acknowledge(committedEnd);
            }
        });
    }

    /**
     * At a high watermark: the chunk's rows that the stream did not touch meanwhile go in, as a batch of their
     * own written as a refresh (see GraphWritePlan), once everything read before the watermark is in the graph.
     */
    private void letInBackfillChunk(String chunkId, ExecutorService workers) throws InterruptedException {
        List<RowChange> rows = watermarks.highWatermark(chunkId);
        if (rows == null) {
            return;
        }
        applyWhatWasRead(workers, Instant.MAX);
        List<SourceChange> changes = rows.stream().map(r -> new SourceChange(r, tx.begin.finalLsn(), tx.begin.commitTime())).toList();
        GraphWritePlan plan = planner.plan(changes).asRefresh();
        Checkpoint record = ledger.checkpointWith(0, 0);
        Instant started = clock.instant();
        ApplyResult result = retry.call("apply", () -> writer.apply(plan, record), retryListener(tx.begin.finalLsn(), rows.size()));
        BatchRecord batchRecord = new BatchRecord(tx.begin.finalLsn(), ledger.committedEnd(), rows.size(), plan.steps().size(),
                result.nodeRows(), result.relationshipRows(), result.crossReferences().size(), Duration.between(started, clock.instant()));
        progress.batchApplied(batchRecord, checkpoint, clock.instant());
        afterCommit.submit(() -> {
            watermarks.applied(chunkId, (long) rows.size());
            writeBack(result, batchRecord);
            syncLog.batchApplied(batchRecord);
        });
    }

    /** Stopping: applies what was read for up to {@link #STOP_DRAIN}, then waits for the batches in flight. */
    private void drainAfterStop(ExecutorService workers) throws InterruptedException {
        applyWhatWasRead(workers, clock.instant().plus(STOP_DRAIN));
        if (!scheduler.isEmpty()) {
            log.info("stopping with {} changes read but not applied: the next start reads them again", scheduler.pendingChanges());
        }
    }

    /** Hands out and completes batches, without reading on, until nothing read is left or {@code deadline} passes; then waits for those in flight. */
    private void applyWhatWasRead(ExecutorService workers, Instant deadline) throws InterruptedException {
        while (batchesInFlight > 0 || (!scheduler.isEmpty() && clock.instant().isBefore(deadline))) {
            if (clock.instant().isBefore(deadline)) {
                dispatch(workers, true);
            }
            collectFinished(Duration.ofMillis(20));
        }
    }

    private void reportQueue() {
        Instant now = clock.instant();
        if (Duration.between(queueReportedAt, now).compareTo(Duration.ofSeconds(1)) >= 0) {
            queueReportedAt = now;
            progress.queue(new ApplyQueue(scheduler.pendingByLane(), scheduler.pendingBytes(), batchesInFlight, sizer.size(), ledger.runsAhead()));
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
            if (stopping || abandoning) {
                // Stopping during an outage: give up; the checkpoint brings the batch back on the next start.
                throw failure;
            }
            if (!failure.reachedTarget()) {
                // Turned away by an open circuit: the circuit logged the outage once; one line per worker per probe wait would be noise.
                log.debug("{} waits for a circuit: {}", operation, failure.getMessage());
                progress.retrying(operation, failure);
                return;
            }
            if (failure.isContention()) {
                // Two workers' batches never share an entity, but Neo4j also locks relationship groups of dense nodes.
                log.info("{} met lock contention (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage());
            } else {
                log.warn("{} failed (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage());
            }
            progress.retrying(operation, failure);
            syncLog.operationFailed(new FailureRecord(operation, "batch from " + from, changes + " changes", failure.getMessage(), attempt, wait));
        };
    }

    /** One short line however many ranges the checkpoint holds (a resume after lanes ran far ahead can hold thousands). */
    private static String describe(Checkpoint c) {
        if (!c.committedEnd().isValid()) {
            return "nothing (fresh start: streaming from the slot's position)";
        }
        List<AppliedRanges.Range> ranges = c.applied().ranges();
        return "WAL position " + c.committedEnd() + (ranges.isEmpty() ? "" : " (+ " + ranges.size() + " range(s) of changes applied beyond it, from "
                + ranges.get(0).from() + " to " + ranges.get(ranges.size() - 1).to() + ": skipped when the stream replays them)");
    }

    /** @param isolation what applying the batch in parts did (null when it went in whole) */
    private record Finished(ScheduledBatch batch, int worker, GraphWritePlan plan, ApplyResult result, int steps,
                            BatchIsolation.Outcome isolation, Instant started, Instant ended, Exception failure) {}

    private static final class OpenTransaction {
        final CaptureEvent.Begin begin;
        final boolean covered;
        long seen;
        boolean echo;

        OpenTransaction(CaptureEvent.Begin begin, boolean covered) {
            this.begin = begin;
            this.covered = covered;
        }
    }
}
