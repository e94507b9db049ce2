package io.nexussync.bench;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.service.SyncService;
import io.nexussync.bench.FlatRows.FlatChange;
import io.nexussync.bench.RawNeo4jReference.Timing;
import io.nexussync.bench.Report.Results;
import io.nexussync.bench.Report.Run;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * The end-to-end load benchmark ({@code bench/run-e2e.sh [CHANGES]}): embedded PostgreSQL 17 and
 * Neo4j 5 in this JVM on loopback, the ContextNexus workload, and these runs: nexus-sync draining a
 * backlog, nexus-sync keeping up live, the drain's very WAL written straight to Neo4j (in-order
 * UNWIND batches, grouped windows, one transaction per change), and the same backlog drained by the
 * pipeline users build today ({@link DebeziumPeer}). Prints a Markdown report.
 */
public final class EndToEndBenchmark {
    /** Application connections writing at once; enough to keep PostgreSQL busy on a 2-core machine. */
    private static final int WRITERS = 4;
    private static final int RAW_BATCH = 1_000;
    /** The in-order reference runs at under a thousand changes/s (mostly one change per batch): more would only make the run long. */
    private static final int IN_ORDER_MAX = 10_000;
    /** The per-row reference runs at a few hundred changes/s; more would only make the run long. */
    private static final int NAIVE_MAX = 5_000;
    /**
     * Size of the untimed warm-up pass. Without it the first runs pay for JIT compilation and Neo4j's
     * query planning (seconds: the first drain batches of a cold JVM run several times slower than
     * later ones), which a long-running service and graph pay once.
     */
    private static final int WARM_UP = 2_000;
    private static final String RAW_SLOT = "bench_raw";
    /** The Debezium peer's own slot, created with the raw one before the backlog. */
    private static final String PEER_SLOT = "bench_debezium";
    private static final Duration CATCH_UP_LIMIT = Duration.ofHours(1);

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedNeo4jServer neo4j;
    private final Driver driver;
    private final Mapping mapping = MappingLoader.builtIn();

    private EndToEndBenchmark(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, Driver driver) {
        this.postgres = postgres;
        this.neo4j = neo4j;
        this.driver = driver;
    }

    public static void main(String[] args) {
        long changes = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 100_000;
        int status = 1;
        Path neo4jHome = null;
        try {
            neo4jHome = Files.createTempDirectory("nexus-sync-bench-neo4j");
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0);
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                new EndToEndBenchmark(postgres, neo4j, driver).run(changes);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        // Both servers are closed by now; exit() so that no stray non-daemon thread of a library keeps the JVM up.
        System.exit(status);
    }

    private void run(long changes) throws Exception {
        long warmUpStart = System.nanoTime();
        Results warm = measure(Math.min(changes, WARM_UP), "warmup_");
        sql(warm.config().postgres(), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE ?", "warmup\\_%");
        String warmUp = String.format("after an untimed warm-up pass of everything with %,d changes (%.0f s; its cold drain ran at %,.0f changes/s)",
                Math.min(changes, WARM_UP), (System.nanoTime() - warmUpStart) / 1e9, warm.drain().walRate());
        Results results = measure(changes, "bench_");
        if (results == null) {
            return;
        }
        String versions = "PostgreSQL " + postgresVersion(results.config().postgres()) + " and Neo4j " + neo4jVersion();
        Report.print(changes, results, WRITERS, versions, warmUp);
    }

    /** One pass of every run on fresh databases named {@code prefix...}. */
    private Results measure(long changes, String prefix) throws Exception {
        List<String> notes = new ArrayList<>();

        // 1. backlog drain; the raw slot, created before the writes, records the very changes the references replay
        clearGraph();
        SyncConfig config = freshDatabase(prefix + "drain");
        try (RunningService first = RunningService.start(config)) {
            // The first start sets up, creates the slot and snapshots the (empty) tables: the backlog below is streamed.
            first.awaitStreaming(Duration.ofMinutes(2));
        }
        PgSettings rawSlot = ReferenceSlot.create(config.postgres(), RAW_SLOT);
        PgSettings peerSlot = ReferenceSlot.create(config.postgres(), PEER_SLOT);
        WorkloadWriter.Written backlog;
        try (WorkloadWriter writer = new WorkloadWriter(config.postgres(), WRITERS)) {
            backlog = writer.writeUntil(changes);
        }
        Lsn endOfBacklog = CatchUpWait.emitMarker(config.postgres());
        Run drain;
        long peakHeap;
        try (HeapSampler heap = HeapSampler.start()) {
            long start = System.nanoTime();
            try (RunningService service = RunningService.start(config)) {
                service.awaitStreaming(Duration.ofMinutes(2));
                long startUp = System.nanoTime() - start;
                CatchUpWait.await(config.postgres(), endOfBacklog, service, CATCH_UP_LIMIT);
                drain = new Run("nexus-sync, backlog drain", backlog.rowChanges(), service.progress().changesApplied(),
                        service.progress().batchesApplied(), System.nanoTime() - start);
                peakHeap = heap.peakBytes();
                notes.add(String.format("the drain's time includes the service's start-up (setup, checkpoint, cross-reference catch-up): %.2f s", startUp / 1e9));
            }
        }
        notes.add(String.format("backlog written in %.2f s (%,.0f app row changes/s, %,d transactions rolled back)",
                backlog.nanos() / 1e9, backlog.rowChanges() / (backlog.nanos() / 1e9), backlog.rolledBack()));
        notes.add("drain batches: " + batchLog(config.postgres()));
        notes.add("graph after the drain: " + GraphCheck.compare(config.postgres(), driver, mapping));
        if (Boolean.getBoolean("bench.drain-only")) {
            // For profiling the drain alone (-Dbench.drain-only=true): no references, no live run, no report.
            System.out.printf("%s: %,d WAL changes in %.2f s = %,.0f changes/s; peak heap used %,d MiB of %,d MiB (sampled every 100 ms)%n",
                    drain.name(), drain.walChanges(), drain.nanos() / 1e9, drain.walRate(), peakHeap >> 20, Runtime.getRuntime().maxMemory() >> 20);
            notes.forEach(n -> System.out.println("* " + n));
            ReferenceSlot.drop(rawSlot);
            ReferenceSlot.drop(peerSlot);
            return prefix.startsWith("warmup") ? new Results(config, drain, drain, drain, drain, drain, drain, peakHeap, notes) : null;
        }
        long drainVersions = temporalVersions();

        // 3. and 4. the references: decoded untimed, each written to an empty graph with the id constraints in place
        List<FlatChange> flat = new FlatRows(mapping).flatten(WalReader.readUntilMarker(rawSlot));
        ReferenceSlot.drop(rawSlot);
        notes.add(String.format("same changes: the raw slot decoded %,d row changes, nexus-sync applied %,d in the drain", flat.size(), drain.walChanges()));
        RawNeo4jReference reference = new RawNeo4jReference(driver);
        clearGraph();
        List<FlatChange> inOrder = flat.subList(0, Math.min(IN_ORDER_MAX, flat.size()));
        Run raw = run("raw Neo4j, in-order UNWIND batches of <= " + String.format("%,d", RAW_BATCH)
                + (inOrder.size() < flat.size() ? " (first " + String.format("%,d", inOrder.size()) + ")" : ""), inOrder.size(),
                reference.writeBatched(inOrder, RAW_BATCH));
        clearGraph();
        Run rawWindows = run("raw Neo4j, windows of " + String.format("%,d", RAW_BATCH) + " grouped by statement (reorders)", flat.size(),
                reference.writeWindows(flat, RAW_BATCH));
        clearGraph();
        List<FlatChange> first = flat.subList(0, (int) Math.min(Math.min(changes, NAIVE_MAX), flat.size()));
        Run naive = run("naive, one transaction per change (first " + String.format("%,d", first.size()) + ")", first.size(), reference.writePerRow(first));
        clearGraph();

        // 5. the Debezium peer: the same backlog from its own slot into an empty graph, timed from engine start until
        // the graph holds the last backlog change
        Run peer;
        try {
            DebeziumPeer.Outcome outcome = DebeziumPeer.drain(peerSlot, endOfBacklog, driver, mapping, CATCH_UP_LIMIT);
            peer = new Run(DebeziumPeer.NAME + ", one Neo4j transaction per poll batch", backlog.rowChanges(), outcome.changes(),
                    outcome.transactions(), outcome.nanos());
            notes.add(String.format("the Debezium peer applied %,d row changes%s; its time includes the engine's start-up, %.2f s to its first batch",
                    outcome.changes(), outcome.changes() == flat.size() ? ", as many as the raw slot decoded" : " but the raw slot decoded " + flat.size() + ": MISMATCH",
                    outcome.startUpNanos() / 1e9));
            notes.add("graph after the Debezium peer: " + GraphCheck.compare(config.postgres(), driver, mapping));
            long peerVersions = temporalVersions();
            notes.add(String.format("temporal relationship versions, closed ones included: %,d after the drain, %,d after the peer%s",
                    drainVersions, peerVersions, drainVersions == peerVersions ? "" : ": they DIFFER"));
        } finally {
            ReferenceSlot.drop(peerSlot);
        }
        clearGraph();

        // 2. live: a fresh database, slot and graph; the clock runs from the first write until the graph holds the last
        SyncConfig liveConfig = freshDatabase(prefix + "live");
        Run live;
        try (RunningService service = RunningService.start(liveConfig)) {
            service.awaitStreaming(Duration.ofMinutes(2));
            try (WorkloadWriter writer = new WorkloadWriter(liveConfig.postgres(), WRITERS)) {
                long start = System.nanoTime();
                WorkloadWriter.Written written = writer.writeUntil(changes);
                CatchUpWait.await(liveConfig.postgres(), CatchUpWait.emitMarker(liveConfig.postgres()), service, CATCH_UP_LIMIT);
                live = new Run("nexus-sync, live", written.rowChanges(), service.progress().changesApplied(),
                        service.progress().batchesApplied(), System.nanoTime() - start);
                notes.add(String.format("live writers: done after %.2f s, %,d transactions rolled back", written.nanos() / 1e9, written.rolledBack()));
            }
        }
        notes.add("live batches: " + batchLog(liveConfig.postgres()));
        notes.add("graph after the live run: " + GraphCheck.compare(liveConfig.postgres(), driver, mapping));
        return new Results(config, drain, live, peer, raw, rawWindows, naive, peakHeap, notes);
    }

    private static Run run(String name, long changes, Timing timing) {
        return new Run(name, -1, changes, timing.transactions(), timing.nanos());
    }

    /** A new database with its own slot and publication: what a first deployment of the service sees. */
    private SyncConfig freshDatabase(String name) throws SQLException {
        // Batch tuning can be tried from the shell: NEXUS_SYNC_BATCH_SIZE=2000 bench/run-e2e.sh
        return BenchEnvironment.freshDatabase(postgres, neo4j, name);
    }

    /** Every version of every temporal relationship, closed or open: one per INSERT or UPDATE of its row that is still in the graph. */
    private long temporalVersions() {
        long versions = 0;
        try (var session = driver.session()) {
            for (var m : mapping.relationships()) {
                if (m.temporal()) {
                    versions += session.run("MATCH ()-[x:`" + m.type() + "`]->() RETURN count(x) AS c").single().get("c").asLong();
                }
            }
        }
        return versions;
    }

    /** Empties the graph; the uniqueness constraints on {@code id} stay, as they would for any loader. */
    private void clearGraph() {
        GraphReset.clear(driver);
        Neo4jSchema.ensureConstraints(driver, null, mapping);
    }

    /** Where the service's time went, from its own per-batch record (plan, Neo4j transaction, write-back). */
    private static String batchLog(PgSettings settings) throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(changes), 0), coalesce(sum(duration_ms), 0), "
                     + "(SELECT string_agg(format('%s in %s ms', changes, duration_ms), ', ' ORDER BY id) FROM "
                     + "(SELECT id, changes, duration_ms FROM nexus_sync.transaction_log WHERE kind = 'batch' ORDER BY id LIMIT 5) f) "
                     + "FROM nexus_sync.transaction_log WHERE kind = 'batch'")) {
            rs.next();
            return String.format("%,d batches, %,d changes, %,d ms in plan + apply + write-back (nexus_sync.transaction_log); the first: %s",
                    rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4));
        }
    }

    private static void sql(PgSettings settings, String sql, String parameter) throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench"); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            ps.execute();
        }
    }

    private static String postgresVersion(PgSettings settings) throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String neo4jVersion() {
        try (var session = driver.session()) {
            return session.run("CALL dbms.components() YIELD versions RETURN versions[0] AS v").single().get("v").asString();
        }
    }
}
