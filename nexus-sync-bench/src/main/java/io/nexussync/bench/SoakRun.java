package io.nexussync.bench;

import io.nexussync.app.config.ConfigLoader;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * The soak run ({@code bench/run-soak.sh [--minutes N] [--rate N] [--seed N]}, not in CI): the service as a
 * child JVM (so it can be SIGKILLed), the contract workload paced at RATE changes/s for N minutes, a poison
 * row now and then, and every 30 to 90 s (seeded) a fault: SIGKILL of the service, SIGTERM of it, Neo4j stopped
 * for 5 to 30 s, or every PostgreSQL connection of the service terminated. At the end the poison rows are
 * fixed and retried, and the graph is compared with the database. Prints a Markdown report.
 */
public final class SoakRun {
    enum Fault { SIGKILL, SIGTERM, NEO4J_OUTAGE, PG_CONNECTIONS_CUT }

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedNeo4jServer neo4j;
    private final Driver driver;
    private final Path log;
    private Process child;
    private Map<String, String> environment;
    private int unexpectedExits;

    private SoakRun(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, Driver driver, Path log) {
        this.postgres = postgres;
        this.neo4j = neo4j;
        this.driver = driver;
        this.log = log;
    }

    public static void main(String[] args) {
        int minutes = 30;
        double rate = 300;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int status = 1;
        Path neo4jHome = null;
        try {
            neo4jHome = Files.createTempDirectory("nexus-sync-soak-neo4j");
            Path log = Path.of(System.getProperty("bench.results", "bench/results"), "soak-service.log");
            Files.deleteIfExists(log);
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0);
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                status = new SoakRun(postgres, neo4j, driver, log).run(minutes, rate, seed) ? 0 : 1;
            }
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        System.exit(status);
    }

    private boolean run(int minutes, double rate, long seed) throws Exception {
        Map<String, String> environment = BenchEnvironment.freshEnvironment(postgres, neo4j, "soak");
        SyncConfig config = ConfigLoader.load(null, environment);
        environment.put("NEXUS_SYNC_LOG_LEVEL", "INFO");
        this.environment = environment;
        Random random = new Random(seed);
        Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        int poison = 0;
        long start = System.nanoTime();
        long end = start + Duration.ofMinutes(minutes).toNanos();
        startChild(environment);
        awaitCaughtUp(config, Duration.ofMinutes(5));
        PacedWorkload.Written written;
        try (PacedWorkload workload = new PacedWorkload(config.postgres(), PacedWorkload.connectionsFor(rate), seed);
             Connection app = PgConnections.open(config.postgres(), "soak poison")) {
            workload.seed(50, 10, 10);
            CompletableFuture<PacedWorkload.Written> background = new CompletableFuture<>();
            Thread writer = new Thread(() -> {
                try {
                    background.complete(workload.run(rate, Duration.ofNanos(end - System.nanoTime())));
                } catch (Exception e) {
                    background.completeExceptionally(e);
                }
            }, "soak-writer");
            writer.start();
            UUID tenant = UUID.randomUUID();
            while (System.nanoTime() < end - Duration.ofSeconds(30).toNanos()) {
                sleepWatching(Duration.ofSeconds(30 + random.nextInt(61)));
                try (Statement st = app.createStatement()) {
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title, updated_at) VALUES ('" + tenant + "', '" + tenant
                            + "', 'soak poison', 'infinity')");
                    st.execute("UPDATE content_items SET view_count = view_count + 1 WHERE title = 'soak poison'");
                }
                poison++;
                Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
                faults.merge(fault, 1, Integer::sum);
                log("fault: " + fault);
                switch (fault) {
                    case SIGKILL -> {
                        child.destroyForcibly().waitFor();
                        Thread.sleep(1_000 + random.nextInt(4_000));
                        startChild(environment);
                    }
                    case SIGTERM -> {
                        child.destroy();
                        child.waitFor();
                        startChild(environment);
                    }
                    case NEO4J_OUTAGE -> {
                        neo4j.stop();
                        Thread.sleep(5_000 + random.nextInt(25_001));
                        neo4j.startAgain();
                    }
                    case PG_CONNECTIONS_CUT -> {
                        try (Statement st = app.createStatement()) {
                            // The service's connections only: the workload's, the benchmark's and this one carry other names.
                            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'nexus-sync%' "
                                    + "AND application_name NOT IN ('nexus-sync workload') AND application_name NOT LIKE 'nexus-sync bench%' "
                                    + "AND application_name NOT LIKE 'nexus-sync soak%' AND pid <> pg_backend_pid()");
                        }
                    }
                }
            }
            written = background.get();
        }
        // The person's part: fix the poison rows, retry every dead letter.
        try (Connection c = PgConnections.open(config.postgres(), "soak fix"); Statement st = c.createStatement()) {
            st.execute("UPDATE content_items SET updated_at = now() WHERE updated_at = 'infinity'");
        }
        awaitCaughtUp(config, Duration.ofMinutes(30));
        DeadLetterQueue queue = new DeadLetterQueue(config.postgres());
        int retried = 0;
        for (int round = 0; round < 5 && !queue.list("open", 1).isEmpty(); round++) {
            retried += queue.retryAll("soak", "poison fixed").size();
            awaitCaughtUp(config, Duration.ofMinutes(10));
        }
        awaitCaughtUp(config, Duration.ofMinutes(10));
        String check = GraphCheck.compare(config.postgres(), driver, MappingLoader.builtIn());
        long versionsMismatched = versionMismatches(config);
        long open = queue.list("open", Integer.MAX_VALUE).size();
        child.destroy();
        child.waitFor();

        List<String> out = new ArrayList<>();
        out.add("# Soak run");
        out.add("");
        out.add(String.format("Command: `%s`; %d cores; %d minutes at %,.0f changes/s (seed %d). Service log: %s.",
                System.getProperty("bench.command", "bench/run-soak.sh"), Runtime.getRuntime().availableProcessors(), minutes, rate, seed, log));
        out.add("");
        out.add("| | |");
        out.add("|---|---|");
        out.add(String.format("| row changes written | %,d (%,d transactions, %,d rolled back by the workload itself) |", written.rowChanges(),
                written.transactions(), written.rolledBack()));
        out.add("| faults survived | " + faults + " |");
        out.add("| service exits nobody asked for | " + unexpectedExits + " |");
        out.add(String.format("| poison rows | %d inserted; %d dead letters retried after the fix; %d still open |", poison, retried, open));
        out.add("| graph vs database (counts per label and type) | " + check + " |");
        out.add("| content items whose graph pgVersion differs from the row's | " + versionsMismatched + " |");
        out.forEach(System.out::println);
        return check.startsWith("ok") && versionsMismatched == 0 && open == 0 && unexpectedExits == 0;
    }

    private void startChild(Map<String, String> environment) throws Exception {
        child = BenchEnvironment.startServiceProcess(environment, List.of("-Xmx512m"), log);
    }

    /** Sleeps, restarting the service if it exited on its own (counted: it should not). */
    private void sleepWatching(Duration duration) throws Exception {
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until) {
            restartIfItExited();
            Thread.sleep(500);
        }
    }

    /** A service that exited nobody asked it to is counted (it should not happen) and started again. */
    private void restartIfItExited() throws Exception {
        if (!child.isAlive()) {
            unexpectedExits++;
            log("the service exited on its own with " + child.exitValue() + "; restarting it");
            startChild(environment);
        }
    }

    private void awaitCaughtUp(SyncConfig config, Duration atMost) throws Exception {
        Lsn marker = CatchUpWait.emitMarker(config.postgres());
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!CatchUpWait.isConfirmedPast(config.postgres(), marker)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not caught up within " + atMost + "; see " + log);
            }
            restartIfItExited();
            Thread.sleep(100);
        }
    }

    private long versionMismatches(SyncConfig config) throws Exception {
        Map<String, Long> rows = new HashMap<>();
        try (Connection c = PgConnections.open(config.postgres(), "soak check"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id::text, pg_version FROM content_items")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getLong(2));
            }
        }
        long mismatched = 0;
        try (var session = driver.session()) {
            for (var record : session.run("MATCH (c:ContentItem) RETURN c.pgId AS id, c.pgVersion AS v").list()) {
                Long version = rows.get(record.get("id").asString());
                if (version == null || record.get("v").isNull() || version != record.get("v").asLong()) {
                    mismatched++;
                }
            }
        }
        return mismatched;
    }

    private static void log(String line) {
        System.err.println(java.time.Instant.now() + " soak: " + line);
    }
}
