package io.nexussync.bench;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.snapshot.SnapshotProgress;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;

/**
 * The snapshot benchmark ({@code bench/run-snapshot.sh [ROWS...]}): for each size, a fresh database
 * with that many content_items rows, the first start's snapshot timed from the service's own progress
 * (with the peak heap during it), and in the same run the same rows written straight to Neo4j by
 * UNWIND MERGE batches of the same size (only the Neo4j writes timed). Prints a Markdown table.
 */
public final class SnapshotBenchmark {
    private static final int BATCH = 5_000;
    private static final String RAW_MERGE = "UNWIND $rows AS row MERGE (n:ContentItem {id: row.id}) SET n += row.props";

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedNeo4jServer neo4j;
    private final Driver driver;

    private SnapshotBenchmark(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, Driver driver) {
        this.postgres = postgres;
        this.neo4j = neo4j;
        this.driver = driver;
    }

    record Result(long rows, double snapshotSeconds, double rawSeconds, long peakHeap, long peakOldAfterGc, SnapshotProgress.TimeSpent time) {}

    public static void main(String[] args) {
        List<Long> sizes = new ArrayList<>();
        for (String a : args.length == 0 ? new String[] {"100000", "1000000"} : args) {
            sizes.add(Long.parseLong(a.replace("_", "")));
        }
        int status = 1;
        Path neo4jHome = null;
        try {
            neo4jHome = Files.createTempDirectory("nexus-sync-bench-snapshot");
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0);
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                SnapshotBenchmark bench = new SnapshotBenchmark(postgres, neo4j, driver);
                bench.measure(20_000, "warmup");
                List<Result> results = new ArrayList<>();
                for (long rows : sizes) {
                    results.add(bench.measure(rows, "snap_" + rows));
                }
                print(results);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        System.exit(status);
    }

    private Result measure(long rows, String name) throws Exception {
        SyncConfig config = freshDatabase(name);
        try (var service = new io.nexussync.app.service.SyncService(config)) {
            service.setup();
        }
        try (Connection c = PgConnections.open(config.postgres(), "bench"); Statement st = c.createStatement()) {
            st.execute("INSERT INTO content_items (tenant_id, project_id, title, body, metadata, view_count, access_level) "
                    + "SELECT x.t, x.p, 'item ' || g, repeat('body text ', 30), "
                    + "jsonb_build_object('source', 'bench', 'n', g, 'labels', jsonb_build_array('a', 'b')), g % 1000, "
                    + "(ARRAY['private','project','tenant','public'])[1 + g % 4] "
                    + "FROM generate_series(1, " + rows + ") g, (SELECT gen_random_uuid() t, gen_random_uuid() p) x");
            st.execute("VACUUM ANALYZE content_items");
        }
        // The raw reference first, then the snapshot, each on an emptied graph: whichever runs second
        // finds Neo4j's store files grown and its page cache warm, which favours it.
        clearGraph();
        double raw = rawWrite(config.postgres()) / 1e9;
        clearGraph();
        System.gc();
        SnapshotProgress snapshot;
        long peakHeap;
        long peakOldAfterGc;
        try (HeapSampler heap = HeapSampler.start(); RunningService service = RunningService.start(config)) {
            service.awaitStreaming(Duration.ofHours(1));
            snapshot = service.progress().snapshot();
            peakHeap = heap.peakBytes();
            peakOldAfterGc = heap.peakOldAfterGcBytes();
        }
        if (snapshot.rowsDone() != rows) {
            throw new IllegalStateException("the snapshot wrote " + snapshot.rowsDone() + " rows of " + rows);
        }
        return new Result(rows, snapshot.elapsed().toMillis() / 1000.0, raw, peakHeap, peakOldAfterGc, snapshot.timeSpent());
    }

    /** The same rows, read from PostgreSQL untimed, written by plain UNWIND MERGE batches; returns the Neo4j time in ns. */
    private long rawWrite(PgSettings settings) throws Exception {
        long writing = 0;
        try (Connection c = PgConnections.open(settings, "bench"); Session session = driver.session()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(BATCH);
                try (ResultSet rs = st.executeQuery("SELECT id::text, tenant_id::text, project_id::text, title, content_type, metadata::text, "
                        + "access_level, view_count, created_at, updated_at, pg_version, neo4j_version FROM content_items ORDER BY id")) {
                    List<Map<String, Object>> batch = new ArrayList<>(BATCH);
                    while (rs.next()) {
                        Map<String, Object> props = new HashMap<>();
                        props.put("id", rs.getString(1));
                        props.put("pgId", rs.getString(1));
                        props.put("tenantId", rs.getString(2));
                        props.put("projectId", rs.getString(3));
                        props.put("title", rs.getString(4));
                        props.put("contentType", rs.getString(5));
                        props.put("metadata", rs.getString(6));
                        props.put("accessLevel", rs.getString(7));
                        props.put("viewCount", rs.getLong(8));
                        props.put("createdAt", rs.getObject(9, OffsetDateTime.class));
                        props.put("updatedAt", rs.getObject(10, OffsetDateTime.class));
                        props.put("pgVersion", rs.getLong(11));
                        props.put("neo4jVersion", rs.getLong(12));
                        batch.add(Map.of("id", rs.getString(1), "props", props));
                        if (batch.size() == BATCH) {
                            writing += write(session, batch);
                            batch = new ArrayList<>(BATCH);
                        }
                    }
                    if (!batch.isEmpty()) {
                        writing += write(session, batch);
                    }
                }
            }
        }
        return writing;
    }

    private static long write(Session session, List<Map<String, Object>> rows) {
        long start = System.nanoTime();
        session.executeWriteWithoutResult(tx -> tx.run(RAW_MERGE, Map.of("rows", rows)).consume());
        return System.nanoTime() - start;
    }

    private SyncConfig freshDatabase(String name) throws Exception {
        return BenchEnvironment.freshDatabase(postgres, neo4j, name);
    }

    private void clearGraph() {
        GraphReset.clear(driver);
        try (var session = driver.session()) {
            session.run("CREATE CONSTRAINT bench_content_item_id IF NOT EXISTS FOR (n:ContentItem) REQUIRE n.id IS UNIQUE").consume();
        }
    }

    private static void print(List<Result> results) {
        System.out.println();
        System.out.println("| content_items rows | nexus-sync snapshot | raw UNWIND MERGE by " + String.format("%,d", BATCH)
                + " | snapshot / raw | peak heap during the snapshot | peak old generation after GC |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            double snapshotRate = r.rows() / r.snapshotSeconds();
            double rawRate = r.rows() / r.rawSeconds();
            System.out.printf("| %,d | %,.0f rows/s (%.1f s) | %,.0f rows/s (%.1f s) | %.2f | %,d MB | %,d MB |%n", r.rows(), snapshotRate,
                    r.snapshotSeconds(), rawRate, r.rawSeconds(), snapshotRate / rawRate, r.peakHeap() / (1024 * 1024),
                    r.peakOldAfterGc() / (1024 * 1024));
        }
        System.out.println();
        System.out.println("Where the snapshot's time went (reads run on their own thread, beside the writes):");
        System.out.println();
        for (Result r : results) {
            System.out.printf("* %,d rows: %s%n", r.rows(), r.time());
        }
        System.out.println();
        System.out.println("JVM: " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB max heap, "
                + Runtime.getRuntime().availableProcessors() + " processors; NEXUS_SYNC_* settings passed through: "
                + BenchEnvironment.describePassedThrough() + "; command: `" + System.getProperty("bench.command", "?") + "`");
    }
}
