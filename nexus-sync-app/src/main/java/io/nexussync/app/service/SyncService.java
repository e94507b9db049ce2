package io.nexussync.app.service;

import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.backfill.BackfillCoordinator;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.fault.CircuitBreakingCrossReferenceWriter;
import io.nexussync.core.fault.CircuitBreakingGraphWriter;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.model.TableId;
import io.nexussync.core.pipeline.BatchPolicy;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.pipeline.SyncPipeline;
import io.nexussync.core.pipeline.VisibilityListener;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.snapshot.InitialSnapshot;
import io.nexussync.core.snapshot.SnapshotProgress;
import io.nexussync.core.snapshot.SnapshotVerification;
import io.nexussync.neo4j.Neo4jGraphReader;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.postgres.backfill.PgBackfillReader;
import io.nexussync.postgres.backfill.PgBackfillStore;
import io.nexussync.postgres.bookkeeping.PgSyncLog;
import io.nexussync.postgres.capture.PgReplicationSource;
import io.nexussync.postgres.deadletter.PgDeadLetterStore;
import io.nexussync.postgres.slot.SlotInUseException;
import io.nexussync.postgres.setup.MappedTables;
import io.nexussync.postgres.setup.PgSetup;
import io.nexussync.postgres.snapshot.PgSnapshotSource;
import io.nexussync.postgres.slot.SlotHealth;
import io.nexussync.postgres.slot.SlotMonitor;
import io.nexussync.postgres.writeback.PgCrossReferenceWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: set up both sides, then stream. Start-up problems stop it at once with their
 * message; once streaming, a broken connection on either side restarts the stream from the graph's
 * checkpoint after a backoff, which the checkpoint makes safe. A slot PostgreSQL has invalidated
 * (found at start, by the slot monitor while running, or by the stream) stops it for good.
 */
public final class SyncService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncService.class);

    private final SyncConfig config;
    private final Mapping mapping;
    private final SyncProgress progress = new SyncProgress();
    private final RetryPolicy retry = RetryPolicy.standard();
    private volatile boolean stopping;
    private volatile SyncPipeline pipeline;
    private volatile Thread runner;
    private final ExecutorService afterCommit = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nexus-sync-after-commit");
        t.setDaemon(true);
        return t;
    });
    private boolean streamedBefore;
    private volatile boolean setUp;
    private Driver driver;
    private final UnaryOperator<GraphWriter> writerDecorator;
    private volatile VisibilityListener visibility;
    private final WatermarkWindows watermarks;
    private volatile BackfillCoordinator backfill;
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nexus-sync-table-watch");
        t.setDaemon(true);
        return t;
    });
    static final Duration TABLE_WATCH_PERIOD = Duration.ofSeconds(10);
    private final SlotMonitor slotMonitor;
    private volatile SyncException fatal;
    /** Every call to Neo4j goes through it (graph writes, checkpoint reads). */
    private final CircuitBreaker neo4jCircuit;
    /** The after-commit write-back of element ids to PostgreSQL goes through it. */
    private final CircuitBreaker writeBackCircuit;

    public SyncService(SyncConfig config) {
        this(config, UnaryOperator.identity());
    }

    /** @param writerDecorator wraps the graph writer, to observe what is written (instrumentation, tests) */
    public SyncService(SyncConfig config, UnaryOperator<GraphWriter> writerDecorator) {
        this(config, writerDecorator, VisibilityListener.NONE);
    }

    /** @param visibility told when each streamed change is visible in the graph (latency metrics, benchmarks) */
    public SyncService(SyncConfig config, UnaryOperator<GraphWriter> writerDecorator, VisibilityListener visibility) {
        this.visibility = visibility;
        this.config = config;
        this.writerDecorator = writerDecorator;
        this.mapping = config.builtInMapping() ? MappingLoader.builtIn() : MappingLoader.load(Path.of(config.mappingFile()));
        List<String> unmapped = config.revertRefusedInserts().stream().filter(t -> !mapping.tables().contains(t)).map(Object::toString).toList();
        if (!unmapped.isEmpty()) {
            throw new io.nexussync.app.config.ConfigException(List.of("NEXUS_SYNC_REVERT_REFUSED_INSERTS names " + unmapped
                    + ", which the mapping does not map: name mapped tables as schema.table (mapped: " + mapping.tables() + ")"));
        }
        this.watermarks = new WatermarkWindows(mapping);
        this.slotMonitor = new SlotMonitor(config.postgres(), config.walWarnBytes(), config.slotCheckInterval(), this::fail);
        this.neo4jCircuit = CircuitBreaker.of("neo4j", config.circuits(), Clock.systemUTC());
        this.writeBackCircuit = CircuitBreaker.of("postgres write-back", config.circuits(), Clock.systemUTC())
                .onOpen(this::endStreamSessionWhilePostgresIsAway);
    }

    /**
     * PostgreSQL refuses the write-back: it is going away (a restart) or gone. A fast shutdown waits for our
     * walsender until we confirm everything it sent, and our confirmations wait behind the write-back, so
     * the stream would hold the shutdown up for as long as it stays connected. End the session instead: the
     * pipeline drains what it can, and the reconnect loop starts the stream again from the graph's
     * checkpoint once PostgreSQL is back. (The write-backs given up are filled in by the next start's catch-up.)
     */
    private void endStreamSessionWhilePostgresIsAway() {
        SyncPipeline current = pipeline;
        if (current != null && !stopping) {
            log.warn("PostgreSQL refuses the write-back: ending the stream session so that the replication connection does not "
                    + "hold up a PostgreSQL shutdown; the stream starts again from the graph's checkpoint once it is back");
            current.stop();
        }
    }

    /** The circuits in front of each server the stream writes to, for status, health and metrics. */
    public List<CircuitBreaker> circuits() {
        return List.of(neo4jCircuit, writeBackCircuit);
    }

    /**
     * The graph writer: the real one behind the Neo4j circuit, inside the caller's decorator, so that
     * instrumentation sees every call, those the circuit rejects too.
     */
    private GraphWriter graphWriter() {
        return writerDecorator.apply(new CircuitBreakingGraphWriter(
                new Neo4jGraphWriter(driver(), config.neo4jDatabase(), config.postgres().slot()), neo4jCircuit));
    }

    /** The slot monitor's last reading (retained WAL, lag, invalidation), or null before the first. */
    public SlotHealth slotHealth() {
        return slotMonitor.latest();
    }

    /** Stops the service for a problem found beside the stream (a lost slot): {@link #run()} then throws it. */
    public void fail(SyncException problem) {
        if (fatal == null) {
            fatal = problem;
        }
        stop();
    }

    /** Adds a listener told when each streamed change is visible (the lag metrics); takes effect at the next stream session. */
    public void observeVisibility(VisibilityListener listener) {
        VisibilityListener before = visibility;
        visibility = (lane, committed, visible) -> {
            before.visible(lane, committed, visible);
            listener.visible(lane, committed, visible);
        };
    }

    public SyncProgress progress() {
        return progress;
    }

    public SyncConfig config() {
        return config;
    }

    /** {@code nexus-sync setup}: PostgreSQL objects, then the Neo4j constraints. Idempotent. */
    public void setup() {
        PgSetup.run(config.postgres(), mapping, config.builtInMapping());
        Neo4jSchema.ensureConstraints(driver(), config.neo4jDatabase(), mapping);
        setUp = true;
    }

    /** Runs until {@link #stop()}; throws the first problem that a retry cannot fix. */
    public void run() throws InterruptedException {
        runner = Thread.currentThread();
        try {
            setupAndStream();
            if (fatal != null) {
                progress.stateChanged(ServiceState.FAILED, fatal);
                throw fatal;
            }
        } finally {
            slotMonitor.close();
            // Once run() has returned, stop() must never interrupt this thread: it is the caller's again.
            runner = null;
        }
    }

    private void setupAndStream() throws InterruptedException {
        if (!setUp) {
            setup();
        }
        PgSetup.checkSlotFree(config.postgres());
        GraphWriter writer = graphWriter();
        try (PgCrossReferenceWriter crossReferences = new PgCrossReferenceWriter(config.postgres());
             PgSyncLog syncLog = new PgSyncLog(config.postgres());
             PgDeadLetterStore deadLetters = new PgDeadLetterStore(config.postgres(), config.revertRefusedInserts())) {
            snapshotIfNeeded(writer, crossReferences);
            // A lost slot would stream on from after the gap: stop before the first change, and watch for it from now on.
            // (After the snapshot, which replaces the slot when it takes one.)
            slotMonitor.checkNow();
            slotMonitor.start();
            fillMissingCrossReferences(crossReferences);
            startBackfill();
            startTableWatch();
            int failures = 0;
            boolean sessionEnded = false;
            while (!stopping) {
                try {
                    if (sessionEnded) {
                        // A session that ended while PostgreSQL was away gave up write-backs of batches the graph committed.
                        fillMissingCrossReferences(crossReferences);
                        sessionEnded = false;
                    }
                    sessionEnded = true;
                    streamFromCheckpoint(writer, crossReferences, syncLog, deadLetters);
                    failures = 0;
                } catch (SyncException e) {
                    if (stopping) {
                        log.info("stopped while {} failed; the next start resumes from the graph's checkpoint", e.getMessage());
                        return;
                    }
                    // Right after our own connection broke, the slot may still look busy with our old walsender.
                    if (!e.isRetryable() && !(e instanceof SlotInUseException && streamedBefore)) {
                        progress.stateChanged(ServiceState.FAILED, e);
                        throw e;
                    }
                    failures++;
                    var wait = retry.backoff(failures);
                    progress.stateChanged(ServiceState.RECONNECTING, e);
                    log.warn("stream interrupted ({}); restarting from the checkpoint in {} ms", e.getMessage(), wait.toMillis());
                    Thread.sleep(wait.toMillis());
                }
            }
        } catch (InterruptedException interrupted) {
            if (!stopping) {
                throw interrupted;
            }
        } catch (RuntimeException | Error unexpected) {
            // Not one of ours (a bug, an unchecked driver error): /health must still say the service failed.
            if (!(unexpected instanceof SyncException)) {
                progress.stateChanged(ServiceState.FAILED, unexpected);
            }
            throw unexpected;
        } finally {
            BackfillCoordinator running = backfill;
            if (running != null) {
                running.stop();
            }
            watch.shutdownNow();
        }
    }

    /** Rows whose node exists but whose {@code neo4j_node_id} is empty: a write-back interrupted (crash, or PostgreSQL away). */
    private void fillMissingCrossReferences(PgCrossReferenceWriter crossReferences) {
        var filled = CrossReferenceRefresh.run(CrossReferenceRefresh.Scope.MISSING, config.postgres(), mapping,
                new Neo4jGraphReader(driver(), config.neo4jDatabase()), crossReferences);
        if (filled.rewritten() > 0) {
            log.info("wrote {} cross-references that an interrupted write-back had left empty", filled.rewritten());
        }
    }

    /** Every {@link #TABLE_WATCH_PERIOD}: a mapped table gone from the catalog stops the stream with what to do. */
    private void startTableWatch() {
        watch.scheduleWithFixedDelay(() -> {
            try {
                List<TableId> missing = MappedTables.missing(config.postgres(), mapping.tables());
                if (!missing.isEmpty()) {
                    fail(MappedTables.droppedWhileStreaming(missing));
                }
            } catch (SyncException e) {
                log.debug("could not check the mapped tables: {}", e.getMessage());
            }
        }, TABLE_WATCH_PERIOD.toMillis(), TABLE_WATCH_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Backfill jobs run beside the stream, which lets their chunks in at their watermarks. */
    private void startBackfill() {
        BackfillCoordinator coordinator = new BackfillCoordinator(new PgBackfillStore(config.postgres()),
                new PgBackfillReader(config.postgres(), mapping, config.backfillStatementTimeout()), watermarks, retry, Clock.systemUTC(), config.batchSize(),
                Duration.ofSeconds(1), Duration.ofMinutes(5));
        Thread thread = new Thread(coordinator, "nexus-sync-backfill");
        thread.setDaemon(true);
        backfill = coordinator;
        thread.start();
    }

    /**
     * An ALTER TABLE met in the stream. A mapped table renamed would silently fall out of the sync, so that
     * stops the service; added, dropped or retyped columns queue a backfill of the table, whose refresh
     * writes give every existing node the new shape (a column added with a DEFAULT changes no row in the WAL).
     */
    private void schemaChanged(CaptureEvent.SchemaChange change) {
        if (change.renamed() && mapping.tables().contains(change.previousTable())) {
            throw SyncException.persistent("mapped table " + change.previousTable() + " was renamed to " + change.table()
                    + " while streaming: its changes would no longer reach the graph. Rename it back (ALTER TABLE " + change.table()
                    + " RENAME TO " + change.previousTable().name() + "), or map " + change.table()
                    + " in the mapping file and run nexus-sync resync", null);
        }
        if (!mapping.tables().contains(change.table())) {
            return;
        }
        log.info("{} changed shape: added {}, dropped {}, changed type of {}; properties follow the mapping's naming rule, "
                        + "and the table is backfilled so that existing nodes take the new shape",
                change.table(), change.addedColumns(), change.droppedColumns(), change.retypedColumns());
        try {
            long job = new PgBackfillStore(config.postgres()).request(change.table(), null, "schema change");
            log.info("queued backfill #{} of {} after its schema change", job, change.table());
        } catch (SyncException e) {
            log.error("could not queue the backfill of {} after its schema change; run nexus-sync backfill {}: {}",
                    change.table(), change.table(), e.getMessage());
        }
    }

    /** The backfill in progress, or null. */
    public BackfillCoordinator.Status backfillStatus() {
        BackfillCoordinator running = backfill;
        return running == null ? null : running.status();
    }

    /**
     * Takes the initial snapshot when the graph holds no stream checkpoint, or holds a snapshot that was
     * cut short. A snapshot cut short is begun again with a new slot (its exported view is gone with the
     * connection that held it), and the sweep at its end removes what the first attempt wrote that
     * PostgreSQL has since deleted. A connection lost during the snapshot begins it again after a backoff.
     */
    private void snapshotIfNeeded(GraphWriter writer, PgCrossReferenceWriter crossReferences) throws InterruptedException {
        Neo4jGraphReader graph = new Neo4jGraphReader(driver(), config.neo4jDatabase());
        for (int failures = 0; !stopping; ) {
            SnapshotMark mark = writer.loadSnapshotMark();
            if (mark.state() == SnapshotMark.State.DONE && writer.loadCheckpoint().committedEnd().isValid()) {
                return;
            }
            if (mark.state() == SnapshotMark.State.RUNNING) {
                log.info("the snapshot consistent with {} was cut short after {} rows; taking a new one", mark.consistentPoint(), mark.rowsDone());
            }
            try {
                takeSnapshot(writer, graph, crossReferences);
                return;
            } catch (SyncException e) {
                if (!e.isRetryable() || stopping) {
                    progress.stateChanged(ServiceState.FAILED, e);
                    throw e;
                }
                failures++;
                var wait = retry.backoff(failures);
                progress.stateChanged(ServiceState.RECONNECTING, e);
                log.warn("snapshot interrupted ({}); beginning it again in {} ms", e.getMessage(), wait.toMillis());
                Thread.sleep(wait.toMillis());
            }
        }
    }

    private SnapshotVerification takeSnapshot(GraphWriter writer, Neo4jGraphReader graph, PgCrossReferenceWriter crossReferences) throws InterruptedException {
        boolean graphHasData = graph.holdsAnyNode(List.copyOf(mapping.labels()));
        PgSetup.dropSlotForSnapshot(config.postgres());
        SnapshotProgress snapshotProgress = new SnapshotProgress(Clock.systemUTC());
        progress.snapshotStarted(snapshotProgress);
        try (PgSnapshotSource source = PgSnapshotSource.begin(config.postgres(), mapping)) {
            InitialSnapshot snapshot = new InitialSnapshot(mapping, writer, crossReferences, retry, Clock.systemUTC(), config.batchSize(),
                    snapshotProgress, afterCommit);
            snapshot.run(source, graph, graphHasData);
            return snapshot.verification();
        }
    }

    /**
     * {@code nexus-sync resync}: after the slot was lost (or the graph is not to be trusted), forgets the
     * checkpoint, replaces the slot with a new one and takes a snapshot over the graph as it is: rows are
     * rewritten, what PostgreSQL no longer has is removed, and the counts are compared at the snapshot's
     * point. The next {@code run} streams on from there. Refuses while a service streams from the slot.
     */
    public SnapshotVerification resync() throws InterruptedException {
        PgSetup.checkSlotFree(config.postgres());
        setup();
        GraphWriter writer = graphWriter();
        writer.resetCheckpoint();
        try (PgCrossReferenceWriter crossReferences = new PgCrossReferenceWriter(config.postgres())) {
            return takeSnapshot(writer, new Neo4jGraphReader(driver(), config.neo4jDatabase()), crossReferences);
        }
    }

    /** One stream session: from the graph's checkpoint until stopped or broken. */
    private void streamFromCheckpoint(GraphWriter writer, PgCrossReferenceWriter crossReferences, PgSyncLog syncLog,
                                      PgDeadLetterStore deadLetters) throws InterruptedException {
        Checkpoint checkpoint = writer.loadCheckpoint();
        try (PgReplicationSource source = PgReplicationSource.start(config.postgres(), checkpoint.committedEnd(), config.queueCapacity(), config.heartbeat())) {
            SyncPipeline next = new SyncPipeline(source, new GraphPlanner(mapping), writer,
                    new CircuitBreakingCrossReferenceWriter(crossReferences, writeBackCircuit), syncLog,
                    batchPolicy(), retry, Clock.systemUTC(), progress, afterCommit, watermarks, this::schemaChanged)
                    .visibility(visibility).deadLetters(deadLetters);
            pipeline = next;
            streamedBefore = true;
            if (!stopping) {
                next.run(checkpoint);
            }
        }
    }

    private BatchPolicy batchPolicy() {
        return new BatchPolicy(config.batchSize(), config.batchDelay()).withTargetCommit(config.batchTarget())
                .withWorkers(config.applyWorkers()).withReadAheadBytes(config.readAheadBytes()).withLaneCacheEntries(config.laneCacheEntries());
    }

    /**
     * {@code nexus-sync refresh-cross-references}: checks every row's {@code neo4j_node_id} against its
     * node's elementId and rewrites the ones that differ (after a Neo4j restore, for example).
     */
    public CrossReferenceReport refreshAllCrossReferences() {
        try (PgCrossReferenceWriter writer = new PgCrossReferenceWriter(config.postgres())) {
            return CrossReferenceRefresh.run(CrossReferenceRefresh.Scope.ALL, config.postgres(), mapping,
                    new Neo4jGraphReader(driver(), config.neo4jDatabase()), writer);
        }
    }

    /** Asks {@link #run()} to drain its batch, commit, and return. */
    public void stop() {
        stopping = true;
        BackfillCoordinator runningBackfill = backfill;
        if (runningBackfill != null) {
            runningBackfill.stop();
        }
        SyncPipeline current = pipeline;
        if (current != null) {
            current.stop();
        }
        Thread running = runner;
        // A backoff wait can be long while a server is down; a stop should not have to sit it out.
        if (running != null && progress.state() != ServiceState.STREAMING) {
            // (a snapshot checks for the interrupt between chunks: it is begun again at the next start)
            running.interrupt();
        }
    }

    public Mapping mapping() {
        return mapping;
    }

    public synchronized Driver driver() {
        if (driver == null) {
            driver = Neo4jConnector.connect(config);
        }
        return driver;
    }

    @Override
    public synchronized void close() {
        stop();
        slotMonitor.close();
        afterCommit.shutdown();
        watch.shutdownNow();
        if (driver != null) {
            driver.close();
            driver = null;
        }
    }
}
