package io.nexussync.core.pipeline;

import io.nexussync.core.acknowledge.BatchSummary;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.acknowledge.SyncLog.BatchRecord;
import io.nexussync.core.acknowledge.SyncLog.FailureRecord;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.CommitRecord;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.apply.GraphCommit.AfterCommit;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.capture.ChangeFeed;
import io.nexussync.core.capture.StreamItem;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalListener;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.apply.CriticalApplied;
import io.nexussync.core.mapping.Lane;
import io.nexussync.core.deadletter.BatchIsolation;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.deadletter.ParkedEntities;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CrashPoints;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.model.AppliedRanges;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply half's loop. One thread polls the {@link ChangeFeed} while the read-ahead has room (beyond it, it stops
 * polling and the capture behind the feed stops reading), takes each item into the books ({@link StreamIntake}),
 * cuts batches from the {@link ChangeScheduler} by lane, age and size, and hands each to one of N apply workers
 * ({@link BatchApplier}). When a batch has committed, the loop marks its changes applied in the ledger and hands the
 * steps after the commit to the {@link GraphCommit}, which runs them in commit order.
 */
final class ApplyLoop implements StreamIntake.Loop, BatchOutcome.Visitor {
    /** Past this many runs applied out of order, batches are cut in stream order until the checkpoint is compact again. */
    static final int MAX_RUNS_AHEAD = 1_000;
    /** Items read at most before the loop cuts batches again: a few milliseconds of reading. */
    static final int READ_BURST = 512;
    /**
     * Longest the lanes below critical wait for the reading to catch up with the stream (see {@link #readingBehind}):
     * past it they are applied while the reading goes on, as when the reader can never catch up with the writers.
     */
    static final Duration READ_FIRST_AT_MOST = Duration.ofSeconds(2);
    /**
     * Reading changes committed longer ago than this, the loop is working through a backlog: when the feed then has
     * nothing for a moment, it waits {@link #STALL_GRACE} for more before taking itself as caught up. The capture
     * thread shares the cores with the loop and falls behind it for a few milliseconds at a time; those gaps had ended
     * every burst and let the backlog's lower lanes be applied while it was still being read.
     */
    static final Duration OLD_CHANGE = Duration.ofSeconds(1);
    static final Duration STALL_GRACE = Duration.ofMillis(20);
    /** The ledger keeps ~20 bytes per change between the oldest unapplied change and the read head. */
    static final int MAX_LEDGER_ENTRIES = 2_000_000;
    /** How long a stop keeps applying what it has read before leaving the rest to the next start. */
    static final Duration STOP_DRAIN = Duration.ofSeconds(5);
    /** The ledger's batch id for a critical write's changes while the loop writes them (the scheduler's ids wrap before it). */
    private static final int CRITICAL_BATCH = Integer.MAX_VALUE;

    private static final Logger log = LoggerFactory.getLogger(ApplyLoop.class);

    private final ChangeFeed feed;
    private final GraphPlanner planner;
    private final GraphCommit graph;
    private final SyncLog syncLog;
    private final BatchPolicy policy;
    private final Clock clock;
    private final SyncProgress progress;
    private final WatermarkWindows watermarks;
    private final SchemaChangeHandler schemaChanges;
    private final ChangeScheduler scheduler;
    private final BatchSizer sizer;
    private final BatchApplier applier;
    private VisibilityListener visibility = VisibilityListener.NONE;
    private volatile ApplyListener applyListener = ApplyListener.NONE;
    private DeadLetterStore deadLetters = DeadLetterStore.NONE;
    private PreparedTransactions prepared = PreparedTransactions.NONE;
    private CriticalListener criticalListener = CriticalListener.NONE;
    /** Critical writes the graph committed this session whose COMMIT PREPARED the stream has not read yet (the most recent 1,000). */
    private final java.util.Map<String, Boolean> committedCritical = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
            return size() > 1_000;
        }
    };
    private volatile boolean stopping;
    private volatile boolean abandoning;

    private ApplyBooks books = new ApplyBooks(Checkpoint.NONE, null, ParkedEntities.NONE);
    private StreamIntake intake;
    private final Deque<Integer> idleWorkers = new ArrayDeque<>();
    private final BlockingQueue<BatchOutcome> finished = new LinkedBlockingQueue<>();
    private int batchesInFlight;
    /**
     * The last burst of reading ended with the feed still delivering: the service is behind the stream. Until it has
     * caught up, only critical changes are applied. Applying competes with reading for the same cores (and
     * PostgreSQL's decoding), so a backlog applied while it is read is read several times slower, and a critical
     * change behind it waits for all of that; read first, the backlog's updates to the same rows also coalesce into
     * fewer graph writes. The read-ahead bound and {@link #READ_FIRST_AT_MOST} bound the wait.
     */
    private boolean readingBehind;
    /**
     * The loop has read everything the stream had at least once this session. Reading first is for the backlog a start
     * finds (what accumulated while the service was stopped): once caught up, a lag that builds under writers faster
     * than the apply is applied while it is read, because holding the lower lanes back then only delays them (a fresh
     * start at 5,000 changes/s: p99 16.6 s with the hold, from a cold start that lags for seconds).
     */
    private boolean caughtUp;
    /** The commit time of the last change read (null before the first). */
    private Instant lastReadCommitTime;
    private ExecutorService workers;
    private Instant queueReportedAt = Instant.EPOCH;

    ApplyLoop(ChangeFeed feed, GraphPlanner planner, GraphCommit graph, SyncLog syncLog, BatchPolicy policy, RetryPolicy retry,
              Clock clock, SyncProgress progress, WatermarkWindows watermarks, SchemaChangeHandler schemaChanges) {
        this.feed = feed;
        this.planner = planner;
        this.graph = graph;
        this.syncLog = syncLog;
        this.policy = policy;
        this.clock = clock;
        this.progress = progress;
        this.watermarks = watermarks;
        this.schemaChanges = schemaChanges;
        this.scheduler = new ChangeScheduler(planner.mapping(), new LaneClassifier(planner.mapping(), policy.laneCacheEntries()));
        this.sizer = new BatchSizer(policy.maxChanges(), policy.targetCommit());
        this.applier = new BatchApplier(planner, graph, retry, clock, this::batchRetries);
    }

    void deadLetters(DeadLetterStore store) {
        this.deadLetters = store;
    }

    void critical(PreparedTransactions prepared, CriticalListener listener) {
        this.prepared = prepared;
        this.criticalListener = listener;
    }

    void visibility(VisibilityListener listener) {
        this.visibility = listener;
    }

    void applyListener(ApplyListener listener) {
        this.applyListener = listener;
    }

    /** See {@link SyncPipeline#run}. */
    void run(Checkpoint start) throws InterruptedException {
        books = new ApplyBooks(start, scheduler, ParkedEntities.of(deadLetters.parkedEntities()));
        intake = new StreamIntake(books, planner.mapping(), watermarks, schemaChanges, clock, this);
        watermarks.streamRestarted();
        progress.started(start);
        log.info("resuming after {}", describe(start));
        AtomicInteger threadNumber = new AtomicInteger();
        workers = Executors.newFixedThreadPool(policy.workers(), r -> {
            Thread t = new Thread(r, "nexus-sync-apply-" + threadNumber.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        for (int w = 0; w < policy.workers(); w++) {
            idleWorkers.add(w);
        }
        try {
            while (!stopping) {
                collectFinished(Duration.ZERO);
                if (mayRead()) {
                    readBurst();
                } else {
                    collectFinished(pollTimeout());
                }
                dispatch(false);
                reportQueue();
            }
            drainAfterStop();
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
            graph.drain();
        }
        progress.stateChanged(ServiceState.STOPPED, null);
    }

    void stop() {
        stopping = true;
    }

    /**
     * Reads what the feed holds, up to {@link #READ_BURST} items, before the loop looks at batches again: cutting a
     * batch after every item read spent the loop's thread on the scheduler rather than on reading, so a backlog was
     * read little faster than it was applied and a critical change behind it waited for the apply. A burst that ends
     * with the feed still delivering leaves the loop {@link #readingBehind}.
     */
    private void readBurst() throws InterruptedException {
        StreamItem item = feed.poll(pollTimeout());
        int read = 0;
        readingBehind = false;
        try {
            while (item != null) {
                item.handleWith(intake);
                if (item instanceof StreamItem.Change change) {
                    lastReadCommitTime = change.change().commitTime();
                }
                read++;
                if (stopping || !mayRead()) {
                    return;
                }
                if (read >= READ_BURST) {
                    readingBehind = true;
                    return;
                }
                item = feed.poll(Duration.ZERO);
                if (item == null && readingOldChanges()) {
                    item = feed.poll(STALL_GRACE);
                }
            }
            // Dry after reading something: caught up (a dry first poll only says the stream has not begun to arrive).
            caughtUp |= read > 0;
        } finally {
            progress.read(read);
        }
    }

    Checkpoint checkpoint() {
        return books.checkpoint();
    }

    private boolean mayRead() {
        return scheduler.pendingBytes() < policy.readAheadBytes() && books.ledger().entries() < MAX_LEDGER_ENTRIES;
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

    @Override
    public void positionMoved(Lsn end) throws InterruptedException {
        books.checkpoint(new Checkpoint(end, books.checkpoint().applied(), 0));
        progress.advanced(books.checkpoint());
        graph.acknowledge(end);
    }

    /** Hands due batches to idle workers. {@code force}: regardless of the batch window (draining). */
    private void dispatch(boolean force) {
        ApplyLedger ledger = books.ledger();
        while (!idleWorkers.isEmpty() && !scheduler.isEmpty() && (force || due())) {
            Lane lowest = !force && holdingLowerLanesForReading() ? Lane.CRITICAL : Lane.LOW;
            if (lowest != Lane.LOW && !scheduler.hasPendingAtOrAbove(lowest)) {
                return;
            }
            ScheduledBatch batch = scheduler.next(sizer.size(), policy.maxBytes(), ledger.runsAhead() > MAX_RUNS_AHEAD, lowest);
            if (batch == null) {
                return;
            }
            dispatchBatch(batch);
        }
    }

    /** Hands {@code batch} to an idle worker (the caller made sure there is one). */
    private void dispatchBatch(ScheduledBatch batch) {
        ApplyLedger ledger = books.ledger();
        int worker = idleWorkers.poll();
        ledger.inFlight(batch.ordinals(), batch.id());
        batchesInFlight++;
        if (!books.parked().isEmpty() && touchesParked(batch)) {
            isolate(batch, worker);
            return;
        }
        Checkpoint record = ledger.checkpointWith(batch.id(), worker);
        workers.execute(() -> finished.add(applier.write(batch, worker, record)));
    }

    private boolean readingOldChanges() {
        return lastReadCommitTime != null && clock.instant().isAfter(lastReadCommitTime.plus(OLD_CHANGE));
    }

    private boolean holdingLowerLanesForReading() {
        if (caughtUp || !readingBehind || !mayRead()) {
            return false;
        }
        Instant oldest = scheduler.oldestReadAt();
        return oldest != null && clock.instant().isBefore(oldest.plus(READ_FIRST_AT_MOST));
    }

    private boolean due() {
        Instant oldest = scheduler.oldestReadAt();
        return oldest != null && (scheduler.pendingChanges() >= sizer.size()
                || !clock.instant().isBefore(oldest.plus(policy.maxDelay())));
    }

    private boolean touchesParked(ScheduledBatch batch) {
        for (int i = 0; i < batch.changes().size(); i++) {
            Footprint footprint = Footprint.of(planner.mapping(), batch.changes().get(i).change());
            if (books.parked().headFor(footprint, books.ledger().position(batch.covered().get(i)[0])) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands the batch back to {@code worker} to be applied part by part ({@link BatchIsolation}): the graph refused it,
     * or changes in it wait behind a dead letter. The worker stays reserved for it.
     */
    private void isolate(ScheduledBatch batch, int worker) {
        ApplyLedger ledger = books.ledger();
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
        ParkedEntities parkedNow = books.parked();
        DeadLetterStore store = countingDeadLetters(deadLetters);
        workers.execute(() -> finished.add(applier.writeInParts(batch, worker, base, entries, parkedNow, store)));
    }

    private void collectFinished(Duration wait) throws InterruptedException {
        BatchOutcome next = wait.isZero() ? finished.poll() : finished.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        while (next != null) {
            next.accept(this);
            next = finished.poll();
        }
    }

    /** The store, telling the apply listener of each letter it records. */
    private DeadLetterStore countingDeadLetters(DeadLetterStore store) {
        ApplyListener listener = applyListener;
        return new DeadLetterStore() {
            @Override
            public long record(io.nexussync.core.deadletter.DeadLetter letter) {
                long id = store.record(letter);
                var table = RowChange.tableOf(letter.change());
                listener.deadLettered(table == null ? "" : table.toString());
                return id;
            }

            @Override
            public java.util.Map<String, Parked> parkedEntities() {
                return store.parkedEntities();
            }
        };
    }

    @Override
    public void failed(BatchOutcome.Failed done) throws InterruptedException {
        if (done.failure() instanceof SyncException refused && refused.rejectsData()) {
            // Not counted as a failure here: the parts find which entities the graph refuses, each counted as it is dead-lettered.
            log.warn("the graph refused a batch of {} changes ({}); applying it in parts to find the changes it refuses",
                    done.batch().size(), refused.getMessage());
            isolate(done.batch(), done.worker());
            return;
        }
        workerFree(done);
        if (done.failure() instanceof SyncException failure) {
            applyListener.failed("apply", entityTypes(done.batch().changes()), failure);
        }
        if (done.failure() instanceof InterruptedException interrupted) {
            throw interrupted;
        }
        throw done.failure() instanceof SyncException s ? s
                : SyncException.persistent(ErrorText.of(done.failure()).after("cannot apply a batch of " + done.batch().size() + " changes: "),
                        done.failure());
    }

    @Override
    public void applied(BatchOutcome.Applied done) throws InterruptedException {
        workerFree(done);
        CrashPoints.reach(CrashPoints.AFTER_GRAPH_COMMIT);
        committed(done.batch(), done.result(), done.steps(), done.summary(), done.started(), done.ended());
    }

    @Override
    public void appliedInParts(BatchOutcome.AppliedInParts done) throws InterruptedException {
        workerFree(done);
        CrashPoints.reach(CrashPoints.AFTER_GRAPH_COMMIT);
        BatchIsolation.Outcome isolation = done.isolation();
        for (BatchIsolation.Park park : isolation.parks()) {
            books.parked(books.parked().park(park.entities(), park.headId(), park.from()));
        }
        progress.deadLettered(isolation.deadLettered(), isolation.parked());
        committed(done.batch(), isolation.result(), isolation.steps(),
                BatchSummary.of(done.batch().changes(), null).withIsolation(isolation.deadLettered(), isolation.parked()), done.started(), done.ended());
    }

    private void workerFree(BatchOutcome done) {
        batchesInFlight--;
        idleWorkers.add(done.worker());
        scheduler.done(done.batch());
    }

    /** The batch is in the graph: the books say so, and what follows the commit goes to the after-commit stage. */
    private void committed(ScheduledBatch batch, ApplyResult result, int steps, BatchSummary summary, Instant started, Instant ended)
            throws InterruptedException {
        ApplyLedger ledger = books.ledger();
        Lsn before = ledger.committedEnd();
        Lsn committedEnd = ledger.applied(batch.ordinals());
        Duration took = Duration.between(started, ended);
        sizer.observe(batch.changes().size(), took);
        for (int i = 0; i < batch.size(); i++) {
            visibility.visible(batch.lanes()[i], batch.committedAt()[i], ended);
        }
        applyListener.batchCommitted(batch.lane(), batch.size(), changesByEntityType(batch));
        Lsn from = batch.changes().isEmpty() ? committedEnd : batch.changes().get(0).txFinalLsn();
        BatchRecord record = new BatchRecord(from, committedEnd, batch.size(), steps,
                result.nodeRows(), result.relationshipRows(), result.crossReferences().size(), took, summary);
        followUp(before, record, result, retryListener(from, batch.size(), batch.changes()));
    }

    /**
     * The books after a graph commit that moved the ledger on from {@code before}: parked entities released before the
     * committed end forgotten, the checkpoint, the progress; then what follows the commit, acknowledging the committed
     * end when it moved.
     */
    private void followUp(Lsn before, BatchRecord record, ApplyResult result, RetryPolicy.RetryListener listener) throws InterruptedException {
        ApplyLedger ledger = books.ledger();
        Lsn committedEnd = ledger.committedEnd();
        books.parked(books.parked().forgetReleasedBefore(committedEnd));
        books.checkpoint(ledger.checkpointWith(0, 0));
        progress.batchApplied(record, books.checkpoint(), clock.instant());
        graph.afterCommit(AfterCommit.of(result, listener).logged(record).releasing(committedEnd.equals(before) ? Lsn.INVALID : committedEnd));
    }

    /**
     * At a high watermark: the chunk goes in on this thread, with the checkpoint as it stands, once everything read
     * before the watermark is in the graph.
     */
    @Override
    public void backfillChunk(String chunkId, List<RowChange> rows, Lsn tx, Instant commitTime) throws InterruptedException {
        applyWhatWasRead(Instant.MAX);
        List<SourceChange> changes = rows.stream().map(r -> new SourceChange(r, tx, commitTime)).toList();
        GraphWritePlan plan = planner.plan(changes).asRefresh();
        Checkpoint record = books.ledger().checkpointWith(0, 0);
        Instant started = clock.instant();
        RetryPolicy.RetryListener listener = retryListener(tx, rows.size(), changes);
        ApplyResult result = batchRetries(tx, changes).write(graph, plan, record);
        BatchRecord batchRecord = new BatchRecord(tx, books.ledger().committedEnd(), rows.size(), plan.steps().size(),
                result.nodeRows(), result.relationshipRows(), result.crossReferences().size(), Duration.between(started, clock.instant()),
                BatchSummary.of(changes, plan));
        progress.batchApplied(batchRecord, books.checkpoint(), clock.instant());
        graph.afterCommit(AfterCommit.of(result, listener).first(() -> watermarks.applied(chunkId, (long) rows.size())).logged(batchRecord));
    }

    /**
     * A critical write, applied on this thread ahead of every lane: once the batches in flight are done and the pending
     * changes it must follow (same entities, deletes and pointers: {@link ChangeScheduler#takeFollowed}) are in the
     * graph, its changes go in one graph transaction with its decision and the checkpoint; then PostgreSQL is told to
     * COMMIT PREPARED (or ROLLBACK PREPARED, when the graph refused it). Everything else read waits meanwhile.
     */
    @Override
    public void criticalTransaction(StreamItem.CriticalPrepared critical, long[] ordinals) throws InterruptedException {
        CrashPoints.reach(CrashPoints.CRITICAL_AFTER_PREPARE_READ);
        List<SourceChange> changes = critical.changes().stream().map(StreamItem.Change::change).toList();
        String refusal = critical.overflowed()
                ? "it holds more than " + changes.size() + " changes, the most a critical write may hold: split it, or commit it as an ordinary transaction"
                : applyWhatItFollows(critical, changes);
        ApplyLedger ledger = books.ledger();
        if (ordinals.length > 0) {
            ledger.inFlight(ordinals, CRITICAL_BATCH);
        }
        Checkpoint record = ledger.checkpointWith(CRITICAL_BATCH, idleWorkers.isEmpty() ? 0 : idleWorkers.peek());
        Instant started = clock.instant();
        RetryPolicy.RetryListener listener = retryListener(critical.prepareLsn(), changes.size(), changes);
        CriticalApplied applied = writeCritical(critical, changes, refusal, record, listener);
        Instant ended = clock.instant();
        CrashPoints.reach(CrashPoints.CRITICAL_AFTER_GRAPH_COMMIT);
        Lsn before = ledger.committedEnd();
        ledger.applied(ordinals);
        ledger.commitRead(critical.endLsn());
        CriticalDecision standing = applied.standing();
        criticalListener.decided(standing, critical.prepareTime());
        if (standing.commits()) {
            committedCritical.put(standing.gid(), Boolean.TRUE);
        }
        if (applied.planWritten()) {
            for (StreamItem.Change ignored : critical.changes()) {
                visibility.visible(Lane.CRITICAL, critical.prepareTime(), ended);
            }
        }
        // PostgreSQL first: the write-back that follows writes rows the prepared transaction holds until then.
        finishInPostgres(standing, critical.prepareTime());
        BatchRecord row = new BatchRecord(critical.prepareLsn(), ledger.committedEnd(), changes.size(), applied.planWritten() ? 1 : 0,
                applied.result().nodeRows(), applied.result().relationshipRows(), applied.result().crossReferences().size(),
                Duration.between(started, ended), BatchSummary.of(changes, null));
        followUp(before, row, applied.result(), listener);
    }

    /**
     * Everything the critical write must follow goes into the graph first; returns why it must be rolled back instead
     * (an entity of it waits behind a dead letter), or null.
     */
    private String applyWhatItFollows(StreamItem.CriticalPrepared critical, List<SourceChange> changes) throws InterruptedException {
        awaitBatchesInFlight();
        List<Footprint> footprints = new ArrayList<>(changes.size());
        boolean barrier = false;
        for (SourceChange change : changes) {
            Footprint footprint = Footprint.of(planner.mapping(), change.change());
            if (footprint != null) {
                footprints.add(footprint);
                barrier |= footprint.barrier();
            }
        }
        if (barrier || scheduler.hasPendingBarrier()) {
            // A TRUNCATE on either side orders everything around it: apply all that was read first.
            applyWhatWasRead(Instant.MAX);
        } else {
            ScheduledBatch followed = scheduler.takeFollowed(footprints);
            if (followed != null) {
                dispatchBatch(followed);
                awaitBatchesInFlight();
            }
        }
        for (int i = 0; i < footprints.size() && !books.parked().isEmpty(); i++) {
            long head = books.parked().headFor(footprints.get(i), critical.changes().get(0).position());
            if (head != 0) {
                return "an entity it changes waits behind dead letter #" + head + " (nexus-sync dlq show " + head
                        + "): retry or skip that first";
            }
        }
        return null;
    }

    /**
     * Plans and writes the critical write with a commit decision; when the graph (or the planner) refuses it for its
     * data, writes a rollback decision with the reason instead. A decision recorded before wins either way.
     */
    private CriticalApplied writeCritical(StreamItem.CriticalPrepared critical, List<SourceChange> changes, String refusal,
                                          Checkpoint record, RetryPolicy.RetryListener listener) throws InterruptedException {
        String gid = critical.gid();
        if (refusal == null) {
            try {
                GraphWritePlan plan = planner.plan(changes);
                return graph.writeCritical(plan, record, CriticalDecision.commit(gid, critical.xid(), clock.instant(), critical.prepareLsn()), listener);
            } catch (SyncException e) {
                if (!e.rejectsData()) {
                    throw e;
                }
                log.warn("the graph refused critical write {}: {}; rolling it back", gid, e.getMessage());
                refusal = "the graph refused it: " + e.publicMessage();
            }
        }
        CriticalDecision rollback = CriticalDecision.rollback(gid, critical.xid(), refusal, clock.instant(), critical.prepareLsn(), CriticalDecision.BY_STREAM);
        return graph.writeCritical(GraphWritePlan.EMPTY, record, rollback, listener);
    }

    /** Tells PostgreSQL what the graph decided, once; when that fails, recovery finishes it (the decision is in the graph). */
    private void finishInPostgres(CriticalDecision standing, Instant preparedAt) {
        CrashPoints.reach(CrashPoints.CRITICAL_BEFORE_FINISH);
        try {
            PreparedTransactions.Finished result = prepared.finish(standing);
            CrashPoints.reach(CrashPoints.CRITICAL_AFTER_FINISH);
            criticalListener.finished(standing.gid(), result, preparedAt);
            log.info("critical write {}: {} ({})", standing.gid(), standing.outcome().text(), result);
        } catch (SyncException e) {
            log.warn("critical write {}: the graph decided {}, but PostgreSQL could not be told now ({}); recovery tells it later",
                    standing.gid(), standing.outcome().text(), e.getMessage());
        }
    }

    /**
     * Only a person can roll back in PostgreSQL what the graph decided to commit (ROLLBACK PREPARED by hand): the graph
     * then holds what PostgreSQL does not, which verify finds and repairs; said loudly here, where it is first known.
     */
    @Override
    public void criticalFinished(StreamItem.CriticalFinished finished) {
        boolean graphCommitted = committedCritical.remove(finished.gid()) != null;
        if (!finished.committed() && graphCommitted) {
            log.error("ALERT critical write {} was rolled back in PostgreSQL after the graph had committed it (a ROLLBACK PREPARED not "
                    + "run by nexus-sync?): the graph holds what PostgreSQL does not until verify repairs it (nexus-sync verify --repair)",
                    finished.gid());
        } else {
            log.debug("critical write {} {} in PostgreSQL", finished.gid(), finished.committed() ? "committed" : "rolled back");
        }
    }

    private void awaitBatchesInFlight() throws InterruptedException {
        while (batchesInFlight > 0) {
            collectFinished(Duration.ofMillis(20));
        }
    }

    /** Stopping: applies what was read for up to {@link #STOP_DRAIN}, then waits for the batches in flight. */
    private void drainAfterStop() throws InterruptedException {
        applyWhatWasRead(clock.instant().plus(STOP_DRAIN));
        if (!scheduler.isEmpty()) {
            log.info("stopping with {} changes read but not applied: the next start reads them again", scheduler.pendingChanges());
        }
    }

    /** Hands out and completes batches, without reading on, until nothing read is left or {@code deadline} passes; then waits for those in flight. */
    private void applyWhatWasRead(Instant deadline) throws InterruptedException {
        while (batchesInFlight > 0 || (!scheduler.isEmpty() && clock.instant().isBefore(deadline))) {
            if (clock.instant().isBefore(deadline)) {
                dispatch(true);
            }
            collectFinished(Duration.ofMillis(20));
        }
    }

    private void reportQueue() {
        Instant now = clock.instant();
        if (Duration.between(queueReportedAt, now).compareTo(Duration.ofSeconds(1)) >= 0) {
            queueReportedAt = now;
            progress.queue(new ApplyQueue(scheduler.pendingByLane(), scheduler.pendingBytes(), batchesInFlight, sizer.size(),
                    books.ledger().runsAhead(), scheduler.oldestPendingCommittedAt(), caughtUp));
        }
    }

    /** The tables of {@code changes}, as the apply listener names entity types. */
    static java.util.Set<String> entityTypes(List<SourceChange> changes) {
        java.util.Set<String> types = new java.util.TreeSet<>();
        for (SourceChange change : changes) {
            var table = RowChange.tableOf(change.change());
            if (table != null) {
                types.add(table.toString());
            }
        }
        return types;
    }

    /** The stream changes the batch covers (coalesced ones counted each), by table. */
    private static java.util.Map<String, Integer> changesByEntityType(ScheduledBatch batch) {
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < batch.changes().size(); i++) {
            var table = RowChange.tableOf(batch.changes().get(i).change());
            counts.merge(table == null ? "" : table.toString(), batch.covered().get(i).length, Integer::sum);
        }
        return counts;
    }

    /** Logs each failed attempt of the batch that starts at {@code from}; gives up at once when the pipeline is stopping. */
    private RetryPolicy.RetryListener retryListener(Lsn from, int changes, List<SourceChange> written) {
        return (operation, failure, attempt, wait) -> {
            // the tables only on failure, as in batchRetries: a committed batch does not pay for the metrics' entity types
            applyListener.failed(operation, entityTypes(written), failure);
            if (recordable(operation, failure, attempt, wait)) {
                syncLog.operationFailed(new FailureRecord(operation, "batch from " + from, changes + " changes", failure.getMessage(), attempt, wait));
            }
        };
    }

    /** The same for the graph write of {@code changes}, whose failed attempts the transaction log also records entity by entity. */
    private BatchRetries batchRetries(Lsn from, List<SourceChange> changes) {
        return new BatchRetries(syncLog, planner.mapping(), from, changes, (operation, failure, attempt, wait) -> {
            // the tables only on failure: the happy path does not pay for the metrics' entity types
            applyListener.failed(operation, entityTypes(changes), failure);
            return recordable(operation, failure, attempt, wait);
        });
    }

    /**
     * A failed attempt's stop check, log line and progress: gives up at once when the pipeline is stopping; returns whether the
     * transaction log records it (it reached its server: a call turned away by an open circuit is not an attempt).
     */
    private boolean recordable(String operation, SyncException failure, int attempt, Duration wait) {
        if (stopping || abandoning) {
            // Stopping during an outage: give up; the checkpoint brings the batch back on the next start.
            throw failure;
        }
        if (!failure.reachedTarget()) {
            // Turned away by an open circuit: the circuit logged the outage once; one line per worker per probe wait would be noise.
            log.debug("{} waits for a circuit: {}", operation, failure.getMessage());
            progress.retrying(operation, failure);
            return false;
        }
        if (failure.isContention()) {
            // Two workers' batches never share an entity, but Neo4j also locks relationship groups of dense nodes.
            log.info("{} met lock contention (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage());
        } else {
            log.warn("{} failed (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage());
        }
        progress.retrying(operation, failure);
        return true;
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
}
