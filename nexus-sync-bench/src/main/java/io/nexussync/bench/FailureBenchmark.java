package io.nexussync.bench;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.model.Lsn;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * What failures cost ({@code bench/run-failures.sh [CHANGES] [--outage SECONDS] [--rate N]}), in one JVM with
 * embedded PostgreSQL 17 and Neo4j 5:
 * <ol>
 *   <li>the dead-letter path: the same backlog drained twice on fresh databases, once clean and once with
 *       0.1% poison rows (content items whose {@code updated_at} is {@code infinity}, which has no Neo4j form);
 *       throughput of each and their ratio;</li>
 *   <li>recovery from a Neo4j outage: the contract workload paced at RATE changes/s; Neo4j is stopped for
 *       SECONDS and started again on the same port and store while the workload goes on; the time from Neo4j's
 *       return to the service's first graph commit, and from that commit to caught up (the slot confirmed past
 *       a marker written at the return).</li>
 * </ol>
 * Prints a Markdown report.
 */
public final class FailureBenchmark {
    private static final int WRITERS = 4;
    private static final int POISON_PER_MILLE = 1;
    private static final int CHUNKS = 100;

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedNeo4jServer neo4j;
    private final Driver driver;

    private FailureBenchmark(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, Driver driver) {
        this.postgres = postgres;
        this.neo4j = neo4j;
        this.driver = driver;
    }

    public static void main(String[] args) {
        long changes = 100_000;
        int outageSeconds = 30;
        double rate = 1_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--outage" -> outageSeconds = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                default -> changes = Long.parseLong(args[i].replace("_", ""));
            }
        }
        int status = 1;
        Path neo4jHome = null;
        try {
            neo4jHome = Files.createTempDirectory("nexus-sync-bench-neo4j");
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0);
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                new FailureBenchmark(postgres, neo4j, driver).run(changes, outageSeconds, rate);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        System.exit(status);
    }

    private void run(long changes, int outageSeconds, double rate) throws Exception {
        List<String> out = new ArrayList<>();
        out.add("# Failure benchmark");
        out.add("");
        out.add("Command: `" + System.getProperty("bench.command", "bench/run-failures.sh") + "`; " + Runtime.getRuntime().availableProcessors()
                + " cores; settings passed through: " + BenchEnvironment.describePassedThrough() + ".");
        out.add("");
        drain(changes, "warmup_clean", 0);
        Drain clean = drain(changes, "failures_clean", 0);
        Drain poisoned = drain(changes, "failures_poison", POISON_PER_MILLE);
        out.add("## The dead-letter path: " + String.format("%,d", changes) + " row changes drained, clean and with 0.1% poison rows");
        out.add("");
        out.add("| run | row changes | poison rows | dead letters | seconds | changes/s | graph check |");
        out.add("|---|---:|---:|---:|---:|---:|---|");
        for (Drain d : List.of(clean, poisoned)) {
            out.add(String.format("| %s | %,d | %,d | %,d | %.1f | %,.0f | %s |", d.name, d.changes, d.poison, d.deadLetters, d.nanos / 1e9,
                    d.changes / (d.nanos / 1e9), d.check));
        }
        out.add("");
        out.add(String.format("Poisoned / clean throughput: **%.2f** (after an untimed warm-up drain of the same size).",
                (poisoned.changes / (poisoned.nanos / 1e9)) / (clean.changes / (clean.nanos / 1e9))));
        out.add("");
        Outage outage = outage(rate, outageSeconds);
        out.add(String.format("## Recovery from a %d s Neo4j outage at %,.0f changes/s", outageSeconds, rate));
        out.add("");
        out.add("| | seconds |");
        out.add("|---|---:|");
        out.add(String.format("| Neo4j back → the service's first graph commit (its retry/probe wait) | %.1f |", outage.toFirstCommit / 1e9));
        out.add(String.format("| first commit → caught up with everything written until Neo4j was back | %.1f |", outage.firstCommitToCaughtUp / 1e9));
        out.add(String.format("| first commit → caught up with the live stream again (a marker written then) | %.1f |", outage.toLive / 1e9));
        out.add("");
        out.add(String.format("Written during the outage: about %,d row changes (the paced rate times its length); graph after catching up: %s.",
                outage.writtenDuringOutage, outage.check));
        out.forEach(System.out::println);
    }

    private record Drain(String name, long changes, int poison, long deadLetters, long nanos, String check) {}

    private Drain drain(long changes, String name, int poisonPerMille) throws Exception {
        clearGraph();
        SyncConfig config = BenchEnvironment.freshDatabase(postgres, neo4j, name);
        try (RunningService first = RunningService.start(config)) {
            first.awaitStreaming(Duration.ofMinutes(2));
        }
        long written = 0;
        int poison = 0;
        long poisonEvery = poisonPerMille == 0 ? Long.MAX_VALUE : 1_000 / poisonPerMille;
        try (WorkloadWriter writer = new WorkloadWriter(config.postgres(), WRITERS); Connection c = PgConnections.open(config.postgres(), "bench poison")) {
            UUID tenant = UUID.randomUUID();
            for (int chunk = 0; chunk < CHUNKS; chunk++) {
                written += writer.writeUntil(changes / CHUNKS).rowChanges();
                while (poisonPerMille > 0 && (written + poison) / poisonEvery > poison) {
                    try (Statement st = c.createStatement()) {
                        st.execute("INSERT INTO content_items (tenant_id, project_id, title, updated_at) VALUES ('" + tenant + "', '" + tenant
                                + "', 'poison', 'infinity')");
                    }
                    poison++;
                }
            }
        }
        Lsn end = CatchUpWait.emitMarker(config.postgres());
        long start = System.nanoTime();
        long nanos;
        try (RunningService service = RunningService.start(config)) {
            service.awaitStreaming(Duration.ofMinutes(2));
            CatchUpWait.await(config.postgres(), end, service, Duration.ofHours(1));
            nanos = System.nanoTime() - start;
        }
        long deadLetters = count(config.postgres(), "SELECT count(*) FROM nexus_sync.dead_letter WHERE behind IS NULL");
        String check = poison == 0 ? GraphCheck.compare(config.postgres(), driver, io.nexussync.core.mapping.MappingLoader.builtIn())
                : "(poison rows are missing by design: " + GraphCheck.compare(config.postgres(), driver, io.nexussync.core.mapping.MappingLoader.builtIn()) + ")";
        return new Drain(name.startsWith("failures_clean") ? "clean" : "0.1% poison", written + poison, poison, deadLetters, nanos, check);
    }

    private record Outage(long toFirstCommit, long firstCommitToCaughtUp, long toLive, long writtenDuringOutage, String check) {}

    private Outage outage(double rate, int outageSeconds) throws Exception {
        clearGraph();
        SyncConfig config = BenchEnvironment.freshDatabase(postgres, neo4j, "failures_outage");
        try (RunningService service = RunningService.start(config);
             PacedWorkload workload = new PacedWorkload(config.postgres(), PacedWorkload.connectionsFor(rate), 77)) {
            service.awaitStreaming(Duration.ofMinutes(2));
            workload.seed(50, 10, 10);
            var background = new java.util.concurrent.CompletableFuture<PacedWorkload.Written>();
            Thread writer = new Thread(() -> {
                try {
                    background.complete(workload.run(rate, Duration.ofSeconds(20 + outageSeconds + 60)));
                } catch (Exception e) {
                    background.completeExceptionally(e);
                }
            }, "bench-outage-writer");
            writer.start();
            Thread.sleep(20_000);
            long batchesBefore = service.progress().batchesApplied();
            neo4j.stop();
            long stoppedAt = System.nanoTime();
            Thread.sleep(outageSeconds * 1_000L);
            neo4j.startAgain();
            long backAt = System.nanoTime();
            Lsn atReturn = CatchUpWait.emitMarker(config.postgres());
            long batchesAtReturn = service.progress().batchesApplied();
            while (service.progress().batchesApplied() == batchesAtReturn) {
                service.checkAlive();
                Thread.sleep(10);
            }
            long firstCommit = System.nanoTime();
            CatchUpWait.await(config.postgres(), atReturn, service, Duration.ofMinutes(30));
            long caughtUp = System.nanoTime();
            Lsn live = CatchUpWait.emitMarker(config.postgres());
            CatchUpWait.await(config.postgres(), live, service, Duration.ofMinutes(30));
            long liveAt = System.nanoTime();
            PacedWorkload.Written total = background.get();
            CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, Duration.ofMinutes(30));
            long writtenDuringOutage = (long) (rate * (backAt - stoppedAt) / 1e9);
            String check = GraphCheck.compare(config.postgres(), driver, io.nexussync.core.mapping.MappingLoader.builtIn())
                    + String.format("; %,d changes written in all, %d batches before the outage", total.rowChanges(), batchesBefore);
            return new Outage(firstCommit - backAt, caughtUp - firstCommit, liveAt - firstCommit, writtenDuringOutage, check);
        }
    }

    private static long count(PgSettings settings, String sql) throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench count"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void clearGraph() {
        GraphReset.clear(driver);
    }
}
