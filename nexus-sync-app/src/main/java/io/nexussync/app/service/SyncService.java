package io.nexussync.app.service;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.apply.SyncException;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.pipeline.BatchPolicy;
import io.nexussync.core.pipeline.RetryPolicy;
import io.nexussync.core.pipeline.SyncPipeline;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.Mapping;
import io.nexussync.core.plan.MappingLoader;
import io.nexussync.neo4j.Neo4jGraphReader;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.postgres.bookkeeping.PgSyncLog;
import io.nexussync.postgres.capture.PgReplicationSource;
import io.nexussync.postgres.capture.SlotInUseException;
import io.nexussync.postgres.setup.PgSetup;
import io.nexussync.postgres.slot.SlotHealth;
import io.nexussync.postgres.slot.SlotMonitor;
import io.nexussync.postgres.writeback.PgCrossReferenceWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    private final SlotMonitor slotMonitor;
    private volatile SyncException fatal;

    public SyncService(SyncConfig config) {
        this.config = config;
        this.mapping = config.builtInMapping() ? MappingLoader.builtIn() : MappingLoader.load(Path.of(config.mappingFile()));
        this.slotMonitor = new SlotMonitor(config.postgres(), config.walWarnBytes(), config.slotCheckInterval(), this::fail);
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
                progress.stateChanged("failed", fatal.getMessage());
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
        // A lost slot would stream on from after the gap: stop before the first change, and watch for it from now on.
        slotMonitor.checkNow();
        slotMonitor.start();
        Neo4jGraphWriter writer = new Neo4jGraphWriter(driver(), config.neo4jDatabase(), config.postgres().slot());
        try (PgCrossReferenceWriter crossReferences = new PgCrossReferenceWriter(config.postgres());
             PgSyncLog syncLog = new PgSyncLog(config.postgres())) {
            var filled = CrossReferenceRefresh.run(CrossReferenceRefresh.Scope.MISSING, config.postgres(), mapping,
                    new Neo4jGraphReader(driver(), config.neo4jDatabase()), crossReferences);
            if (filled.rewritten() > 0) {
                log.info("wrote {} cross-references that an interrupted write-back had left empty", filled.rewritten());
            }
            int failures = 0;
            while (!stopping) {
                try {
                    streamFromCheckpoint(writer, crossReferences, syncLog);
                    failures = 0;
                } catch (SyncException e) {
                    if (stopping) {
                        log.info("stopped while {} failed; the next start resumes from the graph's checkpoint", e.getMessage());
                        return;
                    }
                    // Right after our own connection broke, the slot may still look busy with our old walsender.
                    if (!e.isRetryable() && !(e instanceof SlotInUseException && streamedBefore)) {
                        progress.stateChanged("failed", e.getMessage());
                        throw e;
                    }
                    failures++;
                    var wait = retry.backoff(failures);
                    progress.stateChanged("reconnecting", e.getMessage());
                    log.warn("stream interrupted ({}); restarting from the checkpoint in {} ms", e.getMessage(), wait.toMillis());
                    Thread.sleep(wait.toMillis());
                }
            }
        } catch (InterruptedException interrupted) {
            if (!stopping) {
                throw interrupted;
            }
        }
    }

    /** One stream session: from the graph's checkpoint until stopped or broken. */
    private void streamFromCheckpoint(Neo4jGraphWriter writer, PgCrossReferenceWriter crossReferences, PgSyncLog syncLog) throws InterruptedException {
        Checkpoint checkpoint = writer.loadCheckpoint();
        try (PgReplicationSource source = PgReplicationSource.start(config.postgres(), checkpoint.committedEnd(), config.queueCapacity(), config.heartbeat())) {
            SyncPipeline next = new SyncPipeline(source, new GraphPlanner(mapping), writer, crossReferences, syncLog,
                    new BatchPolicy(config.batchSize(), config.batchDelay()), retry, Clock.systemUTC(), progress, afterCommit);
            pipeline = next;
            streamedBefore = true;
            if (!stopping) {
                next.run(checkpoint);
            }
        }
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
        SyncPipeline current = pipeline;
        if (current != null) {
            current.stop();
        }
        Thread running = runner;
        // A backoff wait can be long while a server is down; a stop should not have to sit it out.
        if (running != null && !progress.state().equals("streaming")) {
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
        if (driver != null) {
            driver.close();
            driver = null;
        }
    }
}
