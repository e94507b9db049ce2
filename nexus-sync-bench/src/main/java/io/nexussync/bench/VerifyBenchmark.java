package io.nexussync.bench;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.service.SyncService;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.verify.FindingKind;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.Verifier;
import io.nexussync.core.verify.VerifyReport;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.neo4j.Neo4jVerifyGraph;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgPool;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.verify.PgReconciliationLog;
import io.nexussync.postgres.verify.PgStreamPosition;
import io.nexussync.postgres.verify.PgVerifySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;

/**
 * The verify benchmark ({@code bench/run-verify.sh [ENTITIES]}): a contract database of about that many entities (rows
 * of the six mapped tables, each a node or a relationship in the graph) synced by the real service's initial snapshot
 * and stream, then, with the service stopped, in one JVM: the naive full comparison ({@link NaiveComparison}), verify over
 * everything without drift, and verify again after 1,000 discrepancies were written straight into the graph (every one
 * must be found, counted by kind). Prints a Markdown report.
 */
public final class VerifyBenchmark {
    /** Shares of the entities per table, like the contract workload's data: content and links dominate. */
    private static final double CONTENT = 0.30;
    private static final double THREADS = 0.02;
    private static final double MESSAGES = 0.075;
    private static final double TAGS = 0.005;
    private static final double THREAD_CONTENT = 0.35;
    private static final double CONTENT_TAGS = 0.25;

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedNeo4jServer neo4j;
    private final Driver driver;
    private final List<String> notes = new ArrayList<>();

    private VerifyBenchmark(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, Driver driver) {
        this.postgres = postgres;
        this.neo4j = neo4j;
        this.driver = driver;
    }

    public static void main(String[] args) {
        long entities = args.length == 0 ? 1_000_000 : Long.parseLong(args[0].replace("_", ""));
        int status = 1;
        Path neo4jHome = null;
        try {
            neo4jHome = Files.createTempDirectory("nexus-sync-bench-verify");
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0);
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                status = new VerifyBenchmark(postgres, neo4j, driver).run(entities) ? 0 : 1;
            }
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        System.exit(status);
    }

    /** @return whether every assertion held (no drift found where there is none, every injected discrepancy found) */
    private boolean run(long entities) throws Exception {
        SyncConfig config = BenchEnvironment.freshDatabase(postgres, neo4j, "verify_" + entities);
        Build build = build(config, entities);
        Mapping mapping = MappingLoader.builtIn();
        PgSettings settings = config.postgres();

        Phase naive;
        NaiveComparison.Outcome naiveOutcome;
        try (PhaseClock clock = PhaseClock.start()) {
            try {
                naiveOutcome = new NaiveComparison(mapping, PgConnectionSource.direct(settings, "bench naive"), driver).run();
            } catch (OutOfMemoryError e) {
                // What the heap cap is there to show: the naive comparison's memory grows with the largest table.
                naiveOutcome = new NaiveComparison.Outcome(-1, List.of());
                notes.add("**The naive comparison ran out of memory** (" + e.getMessage() + ") after " + clock.elapsedSeconds()
                        + " s: its time is how far it got.");
            }
            naive = clock.stop();
        }
        boolean ok = true;
        if (naiveOutcome.differences() > 0) {
            ok = false;
            notes.add("**The naive comparison found " + naiveOutcome.differences() + " differences where there should be none**: "
                    + naiveOutcome.examples());
        }

        try (PgPool pool = new PgPool(settings)) {
            TimedVerifySides sides = new TimedVerifySides(new PgVerifySource(PgConnectionSource.direct(settings, "verify"), mapping),
                    new Neo4jVerifyGraph(driver, null), new PgStreamPosition(PgConnectionSource.direct(settings, "verify")));
            // All findings in the report (the default keeps 1,000), so that they can be counted by kind.
            Verifier.Settings verifySettings = new Verifier.Settings(Verifier.Settings.DEFAULTS.rangeSize(), Verifier.Settings.DEFAULTS.recheckBatch(),
                    Verifier.Settings.DEFAULTS.streamTimeout(), Verifier.Settings.DEFAULTS.rounds(), 10_000, Verifier.Settings.DEFAULTS.unidentifiedLimit());
            Verifier verifier = new Verifier(mapping, sides.source(), sides.graph(), sides.stream(), new PgReconciliationLog(pool),
                    Clock.systemUTC(), verifySettings);
            Verifier.Request everything = new Verifier.Request(null, false, false, "bench");

            sides.reset();
            VerifyReport clean;
            Phase cleanPhase;
            try (PhaseClock clock = PhaseClock.start()) {
                clean = verifier.run(everything);
                cleanPhase = clock.stop();
            }
            TimedVerifySides.Split cleanSplit = sides.split();
            if (!clean.agrees()) {
                ok = false;
                notes.add("**Verify without drift did not agree**: " + clean.findingCount() + " findings, " + clean.unconfirmed() + " unconfirmed, "
                        + clean.unsettled() + " unsettled; first: " + clean.findings().stream().limit(5).map(f -> f.finding().describe()).toList());
            }

            Map<FindingKind, Long> injected = new Drift(settings, driver).inject();
            sides.reset();
            VerifyReport drifted;
            Phase driftPhase;
            try (PhaseClock clock = PhaseClock.start()) {
                drifted = verifier.run(everything);
                driftPhase = clock.stop();
            }
            TimedVerifySides.Split driftSplit = sides.split();
            Map<FindingKind, Long> found = new EnumMap<>(FindingKind.class);
            for (LoggedFinding f : drifted.findings()) {
                found.merge(f.finding().kind(), 1L, Long::sum);
            }
            boolean allFound = found.equals(injected) && drifted.findingCount() == Drift.TOTAL && drifted.unconfirmed() == 0 && drifted.unsettled() == 0;
            if (!allFound) {
                ok = false;
                notes.add("**Not every injected discrepancy was found exactly**: injected " + injected + ", found " + found + " ("
                        + drifted.findingCount() + " findings, " + drifted.unconfirmed() + " unconfirmed, " + drifted.unsettled() + " unsettled)");
            }
            print(entities, build, naive, naiveOutcome, clean, cleanPhase, cleanSplit, drifted, driftPhase, driftSplit, injected, found, allFound);
        }
        return ok;
    }

    record Build(Map<String, Long> rows, long graphNodes, long graphRelationships, long closedVersions, Duration generate, Duration snapshot,
                 Duration history) {
        long entities() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The rows, generated in PostgreSQL, and the graph exactly as the service makes it: the first start's snapshot, then
     * streamed updates of some thread_content rows (so that their INCLUDES have closed versions), then the service stopped.
     */
    private Build build(SyncConfig config, long entities) throws Exception {
        try (SyncService service = new SyncService(config)) {
            service.setup();
        }
        long content = Math.round(entities * CONTENT);
        long threads = Math.max(1, Math.round(entities * THREADS));
        long messages = Math.round(entities * MESSAGES);
        long tags = Math.max(1, Math.round(entities * TAGS));
        long threadContent = Math.round(entities * THREAD_CONTENT);
        long contentTags = Math.round(entities * CONTENT_TAGS);
        long started = System.nanoTime();
        try (Connection c = PgConnections.open(config.postgres(), "bench"); Statement st = c.createStatement()) {
            st.execute("INSERT INTO content_items (tenant_id, project_id, title, body, metadata, view_count, access_level, content_type) "
                    + "SELECT x.t, x.p, 'item ' || g, repeat('body text ', 10), "
                    + "jsonb_build_object('source', 'bench', 'n', g, 'labels', jsonb_build_array('a', 'b')), g % 1000, "
                    + "(ARRAY['private','project','tenant','public'])[1 + g % 4], (ARRAY['document','note','link'])[1 + g % 3] "
                    + "FROM generate_series(1, " + content + ") g, (SELECT gen_random_uuid() t, gen_random_uuid() p) x");
            st.execute("INSERT INTO threads (tenant_id, project_id, title, status) SELECT x.t, x.p, 'thread ' || g, "
                    + "(ARRAY['open','archived'])[1 + g % 2] FROM generate_series(1, " + threads + ") g, (SELECT gen_random_uuid() t, gen_random_uuid() p) x");
            st.execute("INSERT INTO tags (tenant_id, name) SELECT x.t, 'tag ' || g FROM generate_series(1, " + tags + ") g, (SELECT gen_random_uuid() t) x");
            // Numbered copies, so that the links below can pick rows by number.
            st.execute("CREATE TEMP TABLE n_content AS SELECT id, row_number() OVER () - 1 AS n FROM content_items");
            st.execute("CREATE TEMP TABLE n_threads AS SELECT id, tenant_id, row_number() OVER () - 1 AS n FROM threads");
            st.execute("CREATE TEMP TABLE n_tags AS SELECT id, row_number() OVER () - 1 AS n FROM tags");
            for (String table : List.of("n_content", "n_threads", "n_tags")) {
                st.execute("CREATE UNIQUE INDEX ON " + table + " (n)");
                st.execute("ANALYZE " + table);
            }
            st.execute("INSERT INTO messages (thread_id, tenant_id, role, body, token_count) SELECT t.id, t.tenant_id, "
                    + "(ARRAY['user','assistant','system'])[1 + g % 3], 'message ' || g, (g % 500)::int "
                    + "FROM generate_series(0, " + (messages - 1) + ") g JOIN n_threads t ON t.n = (g * 7919) % " + threads);
            // Each content item in one thread, some in two; a content item's second thread is another one.
            st.execute("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) SELECT t.id, ci.id, (g % 100) / 100.0, (g % 50)::int "
                    + "FROM generate_series(0, " + (threadContent - 1) + ") g "
                    + "JOIN n_content ci ON ci.n = g % " + content + " JOIN n_threads t ON t.n = (g * 31 + g / " + content + ") % " + threads
                    + " ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO content_tags (content_id, tag_id, weight) SELECT ci.id, tg.id, ((g % 10) + 1) / 10.0 "
                    + "FROM generate_series(0, " + (contentTags - 1) + ") g "
                    + "JOIN n_content ci ON ci.n = g % " + content + " JOIN n_tags tg ON tg.n = (g * 13 + g / " + content + ") % " + tags
                    + " ON CONFLICT DO NOTHING");
            st.execute("VACUUM ANALYZE content_items, threads, messages, tags, thread_content, content_tags");
        }
        Duration generate = Duration.ofNanos(System.nanoTime() - started);

        Duration snapshot;
        Duration history;
        try (RunningService service = RunningService.start(config)) {
            service.awaitStreaming(Duration.ofHours(2));
            snapshot = service.progress().snapshot().elapsed();
            // Two rounds of updates through the stream: about 5% of the INCLUDES get a closed version, a fifth of those two.
            long historyStarted = System.nanoTime();
            try (Connection c = PgConnections.open(config.postgres(), "bench"); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE thread_content SET relevance_score = relevance_score + 1 WHERE content_id::text < '0d'");
                st.executeUpdate("UPDATE thread_content SET position = position + 1 WHERE content_id::text < '03'");
            }
            Lsn marker = CatchUpWait.emitMarker(config.postgres());
            CatchUpWait.await(config.postgres(), marker, service, Duration.ofHours(1));
            history = Duration.ofNanos(System.nanoTime() - historyStarted);
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection c = PgConnections.open(config.postgres(), "bench"); Statement st = c.createStatement()) {
            st.execute("VACUUM ANALYZE content_items, threads, messages, tags, thread_content, content_tags");
            for (String table : List.of("content_items", "threads", "messages", "tags", "thread_content", "content_tags")) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    rows.put(table, rs.getLong(1));
                }
            }
        }
        long nodes;
        long relationships;
        long closed;
        try (Session session = driver.session()) {
            nodes = session.run("MATCH (n) RETURN count(n) AS n").single().get("n").asLong();
            relationships = session.run("MATCH ()-[r]->() RETURN count(r) AS n").single().get("n").asLong();
            closed = session.run("MATCH ()-[r:INCLUDES]->() WHERE r.validTo < datetime('9999-12-31T00:00:00Z') RETURN count(r) AS n")
                    .single().get("n").asLong();
        }
        return new Build(rows, nodes, relationships, closed, generate, snapshot, history);
    }

    /** The wall time and the heap of one phase. */
    record Phase(Duration took, long peakHeap, long peakOldAfterGc) {
        double seconds() {
            return took.toMillis() / 1000.0;
        }
    }

    /** Times a phase and samples its heap (after a full collection first, so that the phase starts from its own live set). */
    private static final class PhaseClock implements AutoCloseable {
        private final HeapSampler heap;
        private final long started;
        private Phase result;

        private PhaseClock() {
            System.gc();
            heap = HeapSampler.start();
            started = System.nanoTime();
        }

        static PhaseClock start() {
            return new PhaseClock();
        }

        String elapsedSeconds() {
            return String.format("%.1f", (System.nanoTime() - started) / 1e9);
        }

        Phase stop() {
            result = new Phase(Duration.ofNanos(System.nanoTime() - started), heap.peakBytes(), heap.peakOldAfterGcBytes());
            heap.close();
            return result;
        }

        @Override
        public void close() {
            heap.close();
        }
    }

    private void print(long asked, Build build, Phase naive, NaiveComparison.Outcome naiveOutcome, VerifyReport clean, Phase cleanPhase,
                       TimedVerifySides.Split cleanSplit, VerifyReport drifted, Phase driftPhase, TimedVerifySides.Split driftSplit,
                       Map<FindingKind, Long> injected, Map<FindingKind, Long> found, boolean allFound) {
        long entities = build.entities();
        System.out.printf("%n## nexus-sync verify benchmark, %,d entities%n%n", entities);
        System.out.println("Command: `" + System.getProperty("bench.command", "bench/run-verify.sh " + asked) + "` on commit "
                + System.getProperty("bench.commit", "?"));
        System.out.println();
        var runtime = java.lang.management.ManagementFactory.getRuntimeMXBean();
        System.out.printf("Machine: %s; embedded PostgreSQL 17 (its own processes) and Neo4j 5 (a JVM of its own, -Xmx2g) on loopback; "
                        + "benchmark JVM: Java %s, flags %s (max heap %,d MiB)%n%n",
                System.getProperty("bench.machine", Runtime.getRuntime().availableProcessors() + " CPUs"), runtime.getVmVersion(),
                String.join(" ", runtime.getInputArguments()), Runtime.getRuntime().maxMemory() >> 20);
        StringBuilder tables = new StringBuilder();
        build.rows().forEach((table, n) -> tables.append(tables.length() == 0 ? "" : ", ").append(table).append(' ').append(String.format("%,d", n)));
        System.out.printf("Data: %,d rows (%s); graph: %,d nodes, %,d relationships (HAS_MESSAGE included; %,d closed INCLUDES versions). "
                        + "Rows generated in %.1f s; graph built by the service's own initial snapshot (%.1f s), then %s of streamed "
                        + "thread_content updates for the closed versions; the service is stopped before the runs below.%n%n",
                entities, tables, build.graphNodes(), build.graphRelationships(), build.closedVersions(), build.generate().toMillis() / 1000.0,
                build.snapshot().toMillis() / 1000.0, String.format("%.1f s", build.history().toMillis() / 1000.0));
        System.out.println("| run | entities | time | entities/s | peak heap used (sampled) | peak old gen after GC | result |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|");
        System.out.printf("| naive full comparison (every table and label read into memory, compared entity by entity) | %,d | %.1f s | %,.0f | %,d MiB | %,d MiB | %s |%n",
                entities, naive.seconds(), entities / naive.seconds(), naive.peakHeap() >> 20, naive.peakOldAfterGc() >> 20, naiveOutcome.differences() < 0 ? "out of memory" : naiveOutcome.differences() + " differences");
        System.out.printf("| nexus-sync verify, no drift | %,d | **%.1f s** | %,.0f | %,d MiB | %,d MiB | %s; %,d ranges, %,d differing |%n",
                entities, cleanPhase.seconds(), entities / cleanPhase.seconds(), cleanPhase.peakHeap() >> 20, cleanPhase.peakOldAfterGc() >> 20,
                clean.agrees() ? "agrees" : clean.findingCount() + " findings", ranges(clean), differing(clean));
        System.out.printf("| nexus-sync verify, 1,000 discrepancies injected | %,d | **%.1f s** | %,.0f | %,d MiB | %,d MiB | %,d findings%s; %,d of %,d ranges differing, %,d suspects |%n",
                entities, driftPhase.seconds(), entities / driftPhase.seconds(), driftPhase.peakHeap() >> 20, driftPhase.peakOldAfterGc() >> 20,
                drifted.findingCount(), allFound ? ", all found exactly" : " (NOT as injected)", differing(drifted), ranges(drifted), suspects(drifted));
        System.out.println();
        System.out.println("Entities are the rows of the six mapped tables (one node or one relationship pair each in the graph); verify reads "
                + "each entity on both sides, so its own count (VerifyReport.entities) is twice that: " + String.format("%,d", clean.entities()) + ".");
        System.out.println();
        System.out.printf("* Verify without drift: %.1f s against %.1f s naive (**%.2fx**); with drift %.1f s, %.2f of the clean run "
                        + "(the target: at most 2x).%n", cleanPhase.seconds(), naive.seconds(), naive.seconds() / cleanPhase.seconds(), driftPhase.seconds(),
                driftPhase.seconds() / cleanPhase.seconds());
        System.out.println("* Where verify's time went (time spent inside each side's scan iterator, which includes reading and converting; the "
                + "rest is building and hashing images, comparing ranges and checking suspects by key):");
        System.out.println("  " + cleanSplit.describe("no drift", cleanPhase.took()));
        System.out.println("  " + driftSplit.describe("with drift", driftPhase.took()));
        System.out.println("* Injected, by kind: " + injected + "; found: " + found + ".");
        System.out.println("* Per table, no drift: " + perTable(clean));
        System.out.println("* Per table, with drift: " + perTable(drifted));
        notes.forEach(note -> System.out.println("* " + note));
    }

    private static long ranges(VerifyReport r) {
        return r.subjects().stream().mapToLong(VerifyReport.SubjectResult::ranges).sum();
    }

    private static long differing(VerifyReport r) {
        return r.subjects().stream().mapToLong(VerifyReport.SubjectResult::differingRanges).sum();
    }

    private static long suspects(VerifyReport r) {
        return r.subjects().stream().mapToLong(VerifyReport.SubjectResult::suspects).sum();
    }

    private static String perTable(VerifyReport r) {
        StringBuilder out = new StringBuilder();
        for (VerifyReport.SubjectResult s : r.subjects()) {
            out.append(out.length() == 0 ? "" : "; ").append(String.format("%s/%s %,d rows, %,d graph, %,d ranges (%,d differing), %,d findings",
                    s.table(), s.graphName(), s.rows(), s.graphEntities(), s.ranges(), s.differingRanges(), s.findings()));
        }
        return out.toString();
    }
}
