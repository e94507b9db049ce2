package io.nexussync.app.wiring;

import io.nexussync.app.config.ConfigException;
import io.nexussync.app.config.ConfigKey;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.fault.CircuitBreakingCrossReferenceWriter;
import io.nexussync.core.apply.CircuitBreakingGraphWriter;
import io.nexussync.core.apply.CheckpointStore;
import io.nexussync.core.apply.CircuitBreakingCheckpointStore;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.neo4j.Neo4jGraphReader;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.neo4j.Neo4jVerifyGraph;
import io.nexussync.core.verify.ReconciliationLog;
import io.nexussync.core.verify.StreamPosition;
import io.nexussync.core.verify.StreamChangeWitness;
import io.nexussync.core.verify.Verifier;
import io.nexussync.core.verify.VerifyGraph;
import io.nexussync.core.verify.VerifySource;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.verify.PgReconciliationLog;
import io.nexussync.postgres.verify.PgStreamPosition;
import io.nexussync.postgres.verify.PgVerifySource;
import io.nexussync.postgres.PgPool;
import io.nexussync.postgres.backfill.PgBackfillReader;
import io.nexussync.postgres.backfill.PgBackfillStore;
import io.nexussync.postgres.bookkeeping.PgSyncLog;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import io.nexussync.postgres.deadletter.PgDeadLetterStore;
import io.nexussync.postgres.writeback.PgCrossReferenceWriter;
import io.nexussync.core.reverse.ConflictLog;
import io.nexussync.core.reverse.ReverseStore;
import io.nexussync.neo4j.Neo4jGraphOutbox;
import io.nexussync.postgres.reverse.PgConflictLog;
import io.nexussync.postgres.reverse.PgReverseStore;
import io.nexussync.core.critical.CriticalDecisions;
import io.nexussync.neo4j.Neo4jCriticalDecisions;
import io.nexussync.postgres.critical.PgCriticalRunner;
import io.nexussync.postgres.critical.PgPreparedTransactions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.neo4j.driver.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every adapter once from the {@link SyncConfig} (the mapping, the PostgreSQL pool and the
 * adapters that borrow from it, the Neo4j driver with the graph writer and reader, the circuits in front of each server
 * and their decorators) and closes them all. Nothing connects until first used: the Neo4j driver when the graph is first
 * needed, the pool at its first borrow. Thread-safe.
 */
public final class ServiceWiring implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceWiring.class);
    private static final CrossReferenceWriter NOT_WRITTEN_BACK = references -> { };
    private final SyncConfig config;
    private final boolean deletionMarkers;
    private final Mapping mapping;
    private final UnaryOperator<GraphWriter> writerDecorator;
    private final Clock clock = Clock.systemUTC();
    private final RetryPolicy retry = RetryPolicy.standard();
    /** Every call to Neo4j goes through it (graph writes, checkpoint reads). */
    private final CircuitBreaker neo4jCircuit;
    /** The after-commit write-back of element ids to PostgreSQL goes through it. */
    private final CircuitBreaker writeBackCircuit;
    private final WatermarkWindows watermarks;
    private final ExecutorService afterCommit = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nexus-sync-after-commit");
        t.setDaemon(true);
        return t;
    });
    private final PgPool postgres;
    private final CrossReferenceWriter crossReferences;
    private final CrossReferenceWriter crossReferencesBehindCircuit;
    private final PgSyncLog syncLog;
    private final PgDeadLetterStore deadLetters;
    private final PgBackfillStore backfillStore;
    private final PgBackfillReader backfillReader;
    private final DeadLetterQueue deadLetterQueue;
    private final io.nexussync.postgres.bookkeeping.PgTransactionLog transactionLog;
    private final VerifySource verifySource;
    private final StreamPosition streamPosition;
    private final ReconciliationLog reconciliations;
    private final ReverseStore reverseStore;
    private final ConflictLog conflictLog;
    private final PgPreparedTransactions preparedTransactions;
    private final PgCriticalRunner criticalRunner;
    private Driver driver;
    private Neo4jGraphWriter neo4jGraph;
    private GraphWriter graphWriter;
    private CheckpointStore checkpoints;
    private Neo4jGraphReader graphReader;
    private VerifyGraph verifyGraph;
    private Verifier verifier;
    private Neo4jGraphOutbox graphOutbox;
    private CriticalDecisions criticalDecisions;

    /** @param writerDecorator wraps the graph writer, to observe what is written (instrumentation, tests) */
    public ServiceWiring(SyncConfig config, UnaryOperator<GraphWriter> writerDecorator) {
        this(config, writerDecorator, false);
    }

    /**
     * @param deletionMarkers whether node deletes leave markers and no write brings back a node deleted after its change
     *                        (the apply role: Kafka partitions keep each entity's order, not the order across entities)
     */
    public ServiceWiring(SyncConfig config, UnaryOperator<GraphWriter> writerDecorator, boolean deletionMarkers) {
        this.deletionMarkers = deletionMarkers;
        this.config = config;
        this.writerDecorator = writerDecorator;
        this.mapping = config.loadMapping();
        List<String> unmapped = config.revertRefused().stream().filter(t -> !mapping.tables().contains(t)).map(Object::toString).toList();
        if (!unmapped.isEmpty()) {
            throw new ConfigException(List.of(ConfigKey.REVERT_REFUSED.environment() + " names " + unmapped
                    + ", which the mapping does not map: name mapped tables as schema.table (mapped: " + mapping.tables() + ")"));
        }
        this.watermarks = new WatermarkWindows(mapping);
        this.neo4jCircuit = CircuitBreaker.of("neo4j", config.circuits(), clock);
        this.writeBackCircuit = CircuitBreaker.of("postgres write-back", config.circuits(), clock);
        this.postgres = new PgPool(config.postgres());
        // sync.write-back off: the rows' cross-reference column holds another graph's elementIds, so this graph's go nowhere
        // (every batch, the snapshot, backfills and repairs write back through these two).
        this.crossReferences = config.writeBack() ? new PgCrossReferenceWriter(postgres) : NOT_WRITTEN_BACK;
        this.crossReferencesBehindCircuit = config.writeBack() ? new CircuitBreakingCrossReferenceWriter(crossReferences, writeBackCircuit)
                : NOT_WRITTEN_BACK;
        this.syncLog = new PgSyncLog(postgres);
        this.deadLetters = new PgDeadLetterStore(postgres, config.revertRefused(), mapping);
        this.backfillStore = new PgBackfillStore(postgres);
        this.backfillReader = new PgBackfillReader(postgres, mapping, config.backfillStatementTimeout());
        this.deadLetterQueue = new DeadLetterQueue(postgres);
        this.transactionLog = new io.nexussync.postgres.bookkeeping.PgTransactionLog(postgres);
        // A verify holds a connection for each table's whole scan and another while it waits for the stream: on
        // connections of its own, so that it never takes the pool's few from the stream's write-back and bookkeeping.
        PgConnectionSource verifyConnections = PgConnectionSource.direct(config.postgres(), "verify");
        this.verifySource = new PgVerifySource(verifyConnections, mapping);
        this.streamPosition = new PgStreamPosition(verifyConnections, config.postgres().slot(), config.postgres().publication());
        this.reconciliations = new PgReconciliationLog(postgres);
        // The slot names the graph this service mirrors: its outbox's position row is keyed by it.
        this.reverseStore = new PgReverseStore(postgres, mapping, config.postgres().slot());
        this.conflictLog = new PgConflictLog(postgres);
        this.preparedTransactions = new PgPreparedTransactions(postgres);
        // The statements of POST /critical run on a connection of their own: one may change its session (SET) for whoever
        // borrowed it next from the pool. Waiting for the outcome reads through the pool.
        this.criticalRunner = new PgCriticalRunner(PgConnectionSource.direct(config.postgres(), "critical"), preparedTransactions);
    }

    public SyncConfig config() {
        return config;
    }

    public Mapping mapping() {
        return mapping;
    }

    public Clock clock() {
        return clock;
    }

    /** Backoff with jitter: the supervisor's between sessions, and every retry inside one. */
    public RetryPolicy retry() {
        return retry;
    }

    public CircuitBreaker neo4jCircuit() {
        return neo4jCircuit;
    }

    /** {@code sync.write-back}: whether this graph's elementIds are written to the rows (false: another graph's are there). */
    public boolean writesBack() {
        return config.writeBack();
    }

    public CircuitBreaker writeBackCircuit() {
        return writeBackCircuit;
    }

    /** The circuits in front of each server the stream writes to, for status, health and metrics. */
    public List<CircuitBreaker> circuits() {
        return List.of(neo4jCircuit, writeBackCircuit);
    }

    /** Where backfill chunks meet the stream. */
    public WatermarkWindows watermarks() {
        return watermarks;
    }

    /** The after-commit stage's thread (write-back, log row, acknowledgement), shared by the snapshot and every stream session. */
    public ExecutorService afterCommit() {
        return afterCommit;
    }

    /** The pooled PostgreSQL connections every adapter here borrows from. */
    public PgPool postgres() {
        return postgres;
    }

    /** The write-back without the circuit: the snapshot's and the cross-reference refreshes'; writes nothing with write-back off. */
    public CrossReferenceWriter crossReferences() {
        return crossReferences;
    }

    /** The stream's write-back, behind the write-back circuit; writes nothing with write-back off. */
    public CrossReferenceWriter crossReferencesBehindCircuit() {
        return crossReferencesBehindCircuit;
    }

    public PgSyncLog syncLog() {
        return syncLog;
    }

    public PgDeadLetterStore deadLetters() {
        return deadLetters;
    }

    public PgBackfillStore backfillStore() {
        return backfillStore;
    }

    public PgBackfillReader backfillReader() {
        return backfillReader;
    }

    /** A person's side of the dead letters (the admin API's {@code /dlq}). */
    public DeadLetterQueue deadLetterQueue() {
        return deadLetterQueue;
    }

    /** nexus_sync.transaction_log on the pool: read by {@code GET /log}, pruned by the retention component. */
    public io.nexussync.postgres.bookkeeping.PgTransactionLog transactionLog() {
        return transactionLog;
    }

    /** The Neo4j driver, connected (and its server proven to answer) at the first call. */
    public synchronized Driver driver() {
        if (driver == null) {
            driver = Neo4jConnector.connect(config);
        }
        return driver;
    }

    /**
     * The graph writer: the real one behind the Neo4j circuit, inside the caller's decorator, so that
     * instrumentation sees every call, those the circuit rejects too.
     */
    public synchronized GraphWriter graphWriter() {
        if (graphWriter == null) {
            graphWriter = writerDecorator.apply(new CircuitBreakingGraphWriter(neo4jGraph(), neo4jCircuit));
        }
        return graphWriter;
    }

    /** Where the graph keeps its checkpoint and snapshot mark, read and reset behind the Neo4j circuit. */
    public synchronized CheckpointStore checkpoints() {
        if (checkpoints == null) {
            checkpoints = new CircuitBreakingCheckpointStore(neo4jGraph(), neo4jCircuit);
        }
        return checkpoints;
    }

    /** Removes deletion markers written before {@code cut}, at most {@code limit} in one graph transaction; how many it removed. */
    public int removeDeletionMarkersBefore(java.time.Instant cut, int limit) {
        return neo4jGraph().removeDeletionMarkersBefore(cut, limit);
    }

    /** Where the apply role's consumer offsets live in the graph (written by the graph writer with each batch). */
    public io.nexussync.core.apply.ConsumerOffsetStore consumerOffsets() {
        return new io.nexussync.core.apply.CircuitBreakingConsumerOffsetStore(neo4jGraph(), neo4jCircuit);
    }

    /**
     * Has Neo4j plan the statements of a streamed batch before the first one, so that the first batches after a start do
     * not wait for their planning (about a second while Neo4j is cold). A failure only costs that wait: it is logged.
     */
    public void warmUpGraphWriter() {
        long start = System.nanoTime();
        try {
            int statements = neo4jGraph().warmUp(mapping);
            log.info("Neo4j planned the {} statements of a batch in {} ms", statements, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            log.warn("Planning the statements of a batch ahead of the first one failed; the first batch plans them: {}", e.getMessage());
        }
    }

    /** The one Neo4j adapter behind both ports: it writes the checkpoint records that it also reads. */
    private synchronized Neo4jGraphWriter neo4jGraph() {
        if (neo4jGraph == null) {
            neo4jGraph = deletionMarkers ? Neo4jGraphWriter.withDeletionMarkers(driver(), config.neo4jDatabase(), config.postgres().slot())
                    : new Neo4jGraphWriter(driver(), config.neo4jDatabase(), config.postgres().slot());
        }
        return neo4jGraph;
    }

    public synchronized Neo4jGraphReader graphReader() {
        if (graphReader == null) {
            graphReader = new Neo4jGraphReader(driver(), config.neo4jDatabase());
        }
        return graphReader;
    }

    /** The graph's closed versions of temporal relationships, for history retention (the driver connects at the first call). */
    public io.nexussync.core.retention.ClosedVersions closedVersions() {
        return new io.nexussync.neo4j.Neo4jClosedVersions(driver(), config.neo4jDatabase());
    }

    /** PostgreSQL's side of verify: key-ordered scans and reads by key, on connections of their own. */
    public VerifySource verifySource() {
        return verifySource;
    }

    /** How far the stream has applied (the slot's confirmed position): what a verify waits for before it confirms a finding. */
    public StreamPosition streamPosition() {
        return streamPosition;
    }

    /** {@code nexus_sync.reconciliation_log}: findings, repair requests, what became of them (on the pool: short statements). */
    public ReconciliationLog reconciliations() {
        return reconciliations;
    }

    /** The graph's side of verify, behind the Neo4j circuit. */
    public synchronized VerifyGraph verifyGraph() {
        if (verifyGraph == null) {
            verifyGraph = new CircuitBreakingVerifyGraph(new Neo4jVerifyGraph(driver(), config.neo4jDatabase()), neo4jCircuit);
        }
        return verifyGraph;
    }

    /**
     * The one verifier of the service (its progress is what {@code /status} shows). In the service the stream is its witness
     * of which rows changed while a suspect was checked, through watermarks as a backfill's.
     */
    public synchronized Verifier verifier() {
        if (verifier == null) {
            verifier = new Verifier(mapping, verifySource, verifyGraph(), streamPosition, reconciliations, clock, Verifier.Settings.DEFAULTS,
                    new StreamChangeWitness(backfillReader, watermarks));
            if (!config.writeBack()) {
                verifier = verifier.withoutCrossReferences();
            }
        }
        return verifier;
    }

    /** PostgreSQL's side of reverse sync: graph edits decided and applied once each (on the pool: one short transaction per round). */
    public ReverseStore reverseStore() {
        return reverseStore;
    }

    /** {@code nexus_sync.conflict_log} on the pool: reverse sync's conflicts, for the admin API's {@code /conflicts}. */
    public ConflictLog conflictLog() {
        return conflictLog;
    }

    /** The graph's side of reverse sync: the plugin's outbox, its configuration and probe, the polling fallback's read. */
    public synchronized Neo4jGraphOutbox graphOutbox() {
        if (graphOutbox == null) {
            graphOutbox = new Neo4jGraphOutbox(driver(), config.neo4jDatabase());
        }
        return graphOutbox;
    }

    /** PostgreSQL's side of critical writes (on the pool): the prepared ones, COMMIT/ROLLBACK PREPARED, what became of one. */
    public PgPreparedTransactions preparedTransactions() {
        return preparedTransactions;
    }

    /** The admin API's {@code POST /critical}: statements prepared as a critical write, and its outcome waited for. */
    public PgCriticalRunner criticalRunner() {
        return criticalRunner;
    }

    /** The graph's record of critical decisions, as recovery reads and writes it, behind the Neo4j circuit. */
    public synchronized CriticalDecisions criticalDecisions() {
        if (criticalDecisions == null) {
            criticalDecisions = new CircuitBreakingCriticalDecisions(new Neo4jCriticalDecisions(driver(), config.neo4jDatabase(), config.postgres().slot()),
                    neo4jCircuit);
        }
        return criticalDecisions;
    }

    /** Closes the after-commit thread, the pool and the driver. */
    @Override
    public synchronized void close() {
        afterCommit.shutdown();
        postgres.close();
        if (driver != null) {
            driver.close();
            driver = null;
            neo4jGraph = null;
            graphWriter = null;
            checkpoints = null;
            graphReader = null;
            verifyGraph = null;
            verifier = null;
            graphOutbox = null;
            criticalDecisions = null;
        }
    }
}
