package io.nexussync.app.service;

import io.nexussync.app.components.CrossReferenceRefresh;
import io.nexussync.app.components.CrossReferenceReport;
import io.nexussync.app.components.BackfillComponent;
import io.nexussync.app.components.CriticalComponent;
import io.nexussync.app.components.SchemaChangePolicy;
import io.nexussync.app.components.SlotMonitorComponent;
import io.nexussync.app.components.SnapshotStep;
import io.nexussync.app.components.StatusHistory;
import io.nexussync.app.components.StatusSamplerComponent;
import io.nexussync.app.components.StreamComponent;
import io.nexussync.app.components.TableWatchComponent;
import io.nexussync.app.components.ReverseComponent;
import io.nexussync.app.components.VerifyComponent;
import io.nexussync.app.components.LogRetentionComponent;
import io.nexussync.app.components.HistoryRetentionComponent;
import io.nexussync.postgres.bookkeeping.PgTransactionLog;
import io.nexussync.core.reverse.ConflictLog;
import io.nexussync.core.verify.ReconciliationLog;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.runtime.Supervisor;
import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.backfill.BackfillCoordinator;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.pipeline.VisibilityListener;
import io.nexussync.core.snapshot.SnapshotVerification;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.postgres.critical.PgCriticalRunner;
import io.nexussync.postgres.critical.PgPreparedTransactions;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import io.nexussync.postgres.setup.PgSetup;
import io.nexussync.postgres.slot.SlotHealth;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.neo4j.driver.Driver;

/**
 * The running service as the CLI and the admin API see it: set up both sides, then run the components (the stream,
 * the slot monitor, backfill, the mapped-table watch, verify and repair, reverse sync, critical write recovery) under one
 * {@link Supervisor}. Start-up problems stop it at once with their message; once running, a broken connection on either side restarts the stream from the graph's checkpoint
 * after a backoff, which the checkpoint makes safe. A slot PostgreSQL has invalidated (found at start, by the slot
 * monitor while running, or by the stream) stops it for good. The adapters are built once, by {@link ServiceWiring}.
 */
public final class SyncService implements AutoCloseable {
    private final ServiceWiring wiring;
    private final SyncProgress progress = new SyncProgress();
    private final SnapshotStep snapshot;
    private final SlotMonitorComponent slotMonitor;
    private final StreamComponent stream;
    private final BackfillComponent backfill;
    private final VerifyComponent verify;
    private final ReverseComponent reverse;
    private final CriticalComponent critical;
    private final HistoryRetentionComponent historyRetention;
    private final StatusHistory statusHistory = new StatusHistory();
    private final Supervisor supervisor;
    private volatile boolean setUp;

    public SyncService(SyncConfig config) {
        this(config, UnaryOperator.identity());
    }

    /** @param writerDecorator wraps the graph writer, to observe what is written (instrumentation, tests) */
    public SyncService(SyncConfig config, UnaryOperator<GraphWriter> writerDecorator) {
        this(config, writerDecorator, VisibilityListener.NONE);
    }

    /** @param visibility told when each streamed change is visible in the graph (latency metrics, benchmarks) */
    public SyncService(SyncConfig config, UnaryOperator<GraphWriter> writerDecorator, VisibilityListener visibility) {
        this.wiring = new ServiceWiring(config, writerDecorator);
        this.snapshot = new SnapshotStep(wiring, progress);
        this.slotMonitor = new SlotMonitorComponent(wiring.postgres(), config.walWarnBytes(), config.slotCheckInterval());
        this.critical = CriticalComponent.of(wiring);
        this.stream = new StreamComponent(wiring, progress, snapshot, slotMonitor,
                new SchemaChangePolicy(wiring.mapping(), wiring.backfillStore()), visibility, critical.listener());
        this.backfill = new BackfillComponent(new BackfillCoordinator(wiring.backfillStore(), wiring.backfillReader(), wiring.watermarks(),
                wiring.retry(), wiring.clock(), config.batchSize(), Duration.ofSeconds(1), Duration.ofMinutes(5)));
        this.verify = new VerifyComponent(wiring);
        this.reverse = ReverseComponent.of(wiring);
        // In start order; each starts once the one before is ready. Critical recovery first (it is ready at once): creating a
        // slot waits for every prepared transaction, and a snapshot can take long, so in-doubt critical writes must be
        // finished, or rolled back on timeout, while the stream is not streaming yet. The others start once the snapshot is
        // in the graph: reverse sync decides graph edits against rows the graph mirrors.
        // The status sampler only reads memory and is ready at once; it starts before the stream so the chart shows the snapshot too.
        StatusSamplerComponent sampler = new StatusSamplerComponent(statusHistory, progress, slotMonitor::latest, wiring.clock());
        this.historyRetention = new HistoryRetentionComponent(wiring.mapping(), wiring::closedVersions, config.historyRetention(), wiring.clock());
        this.supervisor = new Supervisor(List.of(critical, sampler, stream, slotMonitor, backfill, new TableWatchComponent(wiring.postgres(), wiring.mapping()),
                verify, reverse, new LogRetentionComponent(wiring.transactionLog(), config.logRetention(), wiring.clock()), historyRetention), wiring.retry());
    }

    /** The circuits in front of each server the stream writes to, for status, health and metrics. */
    public List<CircuitBreaker> circuits() {
        return wiring.circuits();
    }

    /** The slot monitor's last reading (retained WAL, lag, invalidation), or null before the first. */
    public SlotHealth slotHealth() {
        return slotMonitor.latest();
    }

    /** Stops the service for a problem found beside the stream (a lost slot): {@link #run()} then throws it. */
    public void fail(SyncException problem) {
        supervisor.fail(problem);
    }

    /** Adds a listener told when each streamed change is visible (the lag metrics); takes effect at the next stream session. */
    public void observeVisibility(VisibilityListener listener) {
        stream.observeVisibility(listener);
    }

    /** The last minutes of the status figures, one sample a second (the admin API's {@code /status/history}, the console's chart). */
    public StatusHistory statusHistory() {
        return statusHistory;
    }

    /** Sets the listener told of each batch committed, failed write and dead letter (the sync metrics); takes effect at the next stream session. */
    public void observeApply(io.nexussync.core.pipeline.ApplyListener listener) {
        stream.observeApply(listener);
    }

    /**
     * Why the process cannot make progress (what {@code /health/live} reports): stopped for good, or a component's
     * thread ended without a stop. Empty while it can, a long snapshot included.
     */
    public List<String> livenessProblems() {
        List<String> problems = new java.util.ArrayList<>();
        if (progress.state() == ServiceState.FAILED) {
            problems.add("failed since " + progress.stateSince() + (progress.lastError() == null ? "" : ": " + progress.lastError()));
        }
        for (String component : supervisor.endedComponents()) {
            problems.add("the " + component + " component's thread has ended");
        }
        return problems;
    }

    public SyncProgress progress() {
        return progress;
    }

    public SyncConfig config() {
        return wiring.config();
    }

    public Mapping mapping() {
        return wiring.mapping();
    }

    /** Backfill requests on the service's pool (the admin API's {@code /backfill}). */
    public Backfills backfills() {
        return new Backfills(wiring.config(), wiring.mapping(), wiring.backfillStore());
    }

    /** The transaction log on the service's pool (the admin API's {@code GET /log}). */
    public PgTransactionLog transactionLog() {
        return wiring.transactionLog();
    }

    /** The dead letters on the service's pool (the admin API's {@code /dlq}). */
    public DeadLetterQueue deadLetterQueue() {
        return wiring.deadLetterQueue();
    }

    /** Verify and repair in the service: runs on demand and on schedule, progress, the last result (the admin API's {@code /verify}). */
    public VerifyComponent verify() {
        return verify;
    }

    /** Reverse sync (graph edits to PostgreSQL): its mode, progress and counts (the admin API's {@code /status} and metrics). */
    public ReverseComponent reverse() {
        return reverse;
    }

    /** Critical writes: recovery's last pass, the prepared ones and their age (the admin API's {@code /status}, {@code /health}, metrics). */
    public CriticalComponent critical() {
        return critical;
    }

    /** History retention ({@code history.retention}): its last round and total, for {@code /status} and the metric. */
    public HistoryRetentionComponent historyRetention() {
        return historyRetention;
    }

    /** PostgreSQL's side of critical writes on the service's pool (the admin API's {@code /critical}). */
    public PgPreparedTransactions preparedTransactions() {
        return wiring.preparedTransactions();
    }

    /** Runs statements as a critical write (the admin API's {@code POST /critical}). */
    public PgCriticalRunner criticalRunner() {
        return wiring.criticalRunner();
    }

    /** {@code nexus_sync.conflict_log} on the service's pool (the admin API's {@code /conflicts}). */
    public ConflictLog conflictLog() {
        return wiring.conflictLog();
    }

    /** {@code nexus_sync.reconciliation_log} on the service's pool (the admin API's findings and resolutions). */
    public ReconciliationLog reconciliations() {
        return wiring.reconciliations();
    }

    /** {@code nexus-sync setup}: PostgreSQL objects, then the Neo4j constraints. Idempotent. */
    public void setup() {
        PgSetup.run(config().postgres(), mapping(), config().builtInMapping(), config().revertRefused());
        Neo4jSchema.ensureConstraints(driver(), config().neo4jDatabase(), mapping());
        setUp = true;
    }

    /** Runs until {@link #stop()}; throws the first problem that a retry cannot fix. */
    public void run() throws InterruptedException {
        try {
            if (!setUp) {
                setup();
            }
            PgSetup.checkSlotFree(config().postgres());
            wiring.warmUpGraphWriter();
        } catch (SyncException startUp) {
            throw startUp;
        } catch (RuntimeException | Error unexpected) {
            // Not one of ours (a bug, an unchecked driver error): /health must still say the service failed.
            progress.stateChanged(ServiceState.FAILED, unexpected);
            throw unexpected;
        }
        try {
            supervisor.run();
        } catch (RuntimeException | Error failed) {
            progress.stateChanged(ServiceState.FAILED, failed);
            throw failed;
        }
    }

    /** The backfill in progress, or null. */
    public BackfillCoordinator.Status backfillStatus() {
        return backfill.status();
    }

    /**
     * {@code nexus-sync resync}: after the slot was lost (or the graph is not to be trusted), forgets the
     * checkpoint, replaces the slot with a new one and takes a snapshot over the graph as it is: rows are
     * rewritten, what PostgreSQL no longer has is removed, and the counts are compared at the snapshot's
     * point. The next {@code run} streams on from there. Refuses while a service streams from the slot.
     */
    public SnapshotVerification resync() throws InterruptedException {
        PgSetup.checkSlotFree(config().postgres());
        setup();
        wiring.checkpoints().resetCheckpoint();
        return snapshot.take(wiring.graphWriter());
    }

    /**
     * {@code nexus-sync refresh-cross-references}: checks every row's {@code neo4j_node_id} against its
     * node's elementId and rewrites the ones that differ (after a Neo4j restore, for example).
     */
    public CrossReferenceReport refreshAllCrossReferences() {
        if (!wiring.writesBack()) {
            throw new io.nexussync.app.config.ConfigException(java.util.List.of("refresh-cross-references writes neo4j_node_id, and "
                    + io.nexussync.app.config.ConfigKey.WRITE_BACK.environment() + " is off for this graph (the rows hold the elementIds "
                    + "of the graph that writes back): run it with that graph's settings"));
        }
        return CrossReferenceRefresh.run(CrossReferenceRefresh.Scope.ALL, wiring.postgres(), mapping(), wiring.graphReader(),
                wiring.crossReferences());
    }

    /** Asks {@link #run()} to drain its batch, commit, and return. */
    public void stop() {
        supervisor.stop();
    }

    public Driver driver() {
        return wiring.driver();
    }

    @Override
    public void close() {
        stop();
        slotMonitor.stop();
        wiring.close();
    }
}
