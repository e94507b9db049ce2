package io.nexussync.bench;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.postgres.PgConnections;
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
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * Critical writes from the outside ({@code bench/run-critical.sh [--ops N] [--seconds N]}): embedded PostgreSQL 17,
 * embedded Neo4j 5, the service in this JVM.
 * <ul>
 *   <li><b>Latency</b>, the same SQL (one content item's access level) three ways, interleaved in one run: a plain
 *       COMMIT (until COMMIT returns); a plain COMMIT until the graph shows it (polled every millisecond); and a critical
 *       write (PREPARE TRANSACTION 'nexus_sync:...', then polled every millisecond until it is no longer prepared, when
 *       both sides show it). A warm-up of each kind is not timed.</li>
 *   <li><b>Ordinary throughput beside critical writes</b>: two writers update view counts flat out for N s, alone and then
 *       with a third connection making critical writes back to back; changes per second from the first write to the
 *       graph holding the last, each time.</li>
 * </ul>
 */
public final class CriticalBenchmark {
    private static final int ITEMS = 2_000;
    private static final int WARM_UP_OPS = 50;
    private static final int WRITERS = 2;

    record Options(int ops, int seconds) {
        static Options parse(String[] args) {
            int ops = 500;
            int seconds = 20;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--ops" -> ops = positive(args, ++i);
                    case "--seconds" -> seconds = positive(args, ++i);
                    default -> throw new IllegalArgumentException("usage: CriticalBenchmark [--ops N] [--seconds N]");
                }
            }
            return new Options(ops, seconds);
        }

        private static int positive(String[] args, int i) {
            int value = i < args.length ? Integer.parseInt(args[i].replace("_", "")) : -1;
            if (value < 1) {
                throw new IllegalArgumentException("usage: CriticalBenchmark [--ops N] [--seconds N]");
            }
            return value;
        }
    }

    record Throughput(String how, long changes, double changesPerSecond, int criticalOps, Percentiles critical) {}

    public static void main(String[] args) {
        int status = 1;
        Path home = null;
        try {
            Options options = Options.parse(args);
            home = Files.createTempDirectory("nexus-sync-bench-critical");
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(home, 0);
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                SyncConfig config = BenchEnvironment.freshDatabase(postgres, neo4j, "critical_bench");
                try (RunningService service = RunningService.start(config)) {
                    service.awaitStreaming(Duration.ofMinutes(2));
                    List<String> items = seed(config);
                    CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, Duration.ofMinutes(5));
                    Latencies latencies = latencies(config, driver, items, options.ops(), service);
                    List<Throughput> throughput = List.of(
                            throughput(config, items, options.seconds(), false, service),
                            throughput(config, items, options.seconds(), true, service));
                    print(options, latencies, throughput);
                }
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(home);
        }
        System.exit(status);
    }

    private static List<String> seed(SyncConfig config) throws SQLException {
        try (Connection c = PgConnections.open(config.postgres(), "bench seed")) {
            return BenchEnvironment.insertContentItems(c, ITEMS);
        }
    }

    record Latencies(Percentiles plainCommit, Percentiles plainVisible, Percentiles critical) {}

    private static Latencies latencies(SyncConfig config, Driver driver, List<String> items, int ops, RunningService service) throws Exception {
        Random random = new Random(7);
        List<Long> commit = new ArrayList<>();
        List<Long> visible = new ArrayList<>();
        List<Long> critical = new ArrayList<>();
        try (Connection c = PgConnections.open(config.postgres(), "bench critical"); var session = driver.session()) {
            for (int i = 0; i < WARM_UP_OPS + ops; i++) {
                service.checkAlive();
                String item = items.get(random.nextInt(items.size()));
                String level = i % 2 == 0 ? "private" : "tenant";
                long[] plain = plain(c, session, item, level);
                long twoPhase = critical(c, items.get(random.nextInt(items.size())), level, "lat-" + i);
                if (i >= WARM_UP_OPS) {
                    commit.add(plain[0]);
                    visible.add(plain[1]);
                    critical.add(twoPhase);
                }
            }
        }
        return new Latencies(Percentiles.of(toArray(commit)), Percentiles.of(toArray(visible)), Percentiles.of(toArray(critical)));
    }

    /** Microseconds until COMMIT returned, and until the graph showed the row's new version. */
    private static long[] plain(Connection c, org.neo4j.driver.Session session, String item, String level) throws Exception {
        long start = System.nanoTime();
        long version;
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("UPDATE content_items SET access_level = ? WHERE id = ?::uuid RETURNING pg_version")) {
            ps.setString(1, level);
            ps.setString(2, item);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                version = rs.getLong(1);
            }
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
        long committed = System.nanoTime();
        while (session.run("MATCH (n:ContentItem {id: $id}) RETURN n.pgVersion AS v", Map.of("id", item)).single().get("v").asLong() < version) {
            Thread.sleep(1);
        }
        return new long[] {(committed - start) / 1_000, (System.nanoTime() - start) / 1_000};
    }

    /** Microseconds from BEGIN until the critical write is no longer prepared (committed on both sides, or rolled back). */
    private static long critical(Connection c, String item, String level, String id) throws Exception {
        long start = System.nanoTime();
        String gid = "nexus_sync:" + id;
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE content_items SET access_level = ? WHERE id = ?::uuid")) {
                ps.setString(1, level);
                ps.setString(2, item);
                ps.executeUpdate();
            }
            st.execute("PREPARE TRANSACTION '" + gid + "'");
            c.setAutoCommit(true);
            try (PreparedStatement pending = c.prepareStatement("SELECT 1 FROM pg_prepared_xacts WHERE gid = ?")) {
                pending.setString(1, gid);
                while (true) {
                    try (ResultSet rs = pending.executeQuery()) {
                        if (!rs.next()) {
                            break;
                        }
                    }
                    Thread.sleep(1);
                }
            }
        }
        return (System.nanoTime() - start) / 1_000;
    }

    private static Throughput throughput(SyncConfig config, List<String> items, int seconds, boolean withCritical, RunningService service)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong changes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Long> criticalMicros = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int offset = w;
            threads.add(new Thread(() -> {
                try (Connection c = PgConnections.open(config.postgres(), "bench writer");
                     PreparedStatement ps = c.prepareStatement("UPDATE content_items SET view_count = view_count + 1 WHERE id = ?::uuid")) {
                    // Each writer its own half of the items, the critical writer the first hundred: nobody waits on another's lock.
                    for (long i = 0; !stop.get(); i++) {
                        ps.setString(1, items.get(100 + (int) ((i * WRITERS + offset) % (items.size() - 100))));
                        ps.executeUpdate();
                        changes.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "writer-" + w));
        }
        if (withCritical) {
            threads.add(new Thread(() -> {
                try (Connection c = PgConnections.open(config.postgres(), "bench critical writer")) {
                    for (int i = 0; !stop.get(); i++) {
                        criticalMicros.add(critical(c, items.get(i % 100), i % 2 == 0 ? "private" : "tenant", "tp-" + i));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "critical-writer"));
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(seconds * 1_000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a writer failed", failure.get());
        }
        CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, Duration.ofMinutes(5));
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] micros = toArray(criticalMicros);
        return new Throughput(withCritical ? WRITERS + " writers + critical writes back to back" : WRITERS + " writers alone",
                changes.get(), changes.get() / elapsed, micros.length, Percentiles.of(micros));
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void print(Options options, Latencies latencies, List<Throughput> throughput) {
        System.out.println();
        System.out.println("## nexus-sync critical writes");
        System.out.println();
        System.out.println("Command: `" + System.getProperty("bench.command", "java -cp ... " + CriticalBenchmark.class.getName()) + "`");
        System.out.println();
        System.out.printf("Embedded PostgreSQL 17, embedded Neo4j 5, the service in one JVM; Java %s, %d CPUs; %,d content items; "
                        + "NEXUS_SYNC_* settings passed through: %s.%n%n", System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors(), ITEMS, BenchEnvironment.describePassedThrough());
        System.out.printf("### Latency of one access-level change (%,d of each, interleaved, after %d untimed)%n%n", options.ops(), WARM_UP_OPS);
        System.out.println("| how | p50 ms | p95 ms | p99 ms | max ms |");
        System.out.println("|---|---:|---:|---:|---:|");
        System.out.printf("| plain COMMIT (PostgreSQL only) | %s |%n", latencies.plainCommit().cells());
        System.out.printf("| plain COMMIT until the graph shows it | %s |%n", latencies.plainVisible().cells());
        System.out.printf("| critical write until no longer prepared (both sides) | %s |%n", latencies.critical().cells());
        System.out.println();
        System.out.printf("### Ordinary changes while critical writes run (%d s of writes each, then until the graph holds them)%n%n",
                options.seconds());
        System.out.println("| run | ordinary changes | ordinary changes/s applied | critical writes | critical p50 ms | p95 | p99 | max |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Throughput t : throughput) {
            System.out.printf("| %s | %,d | %,.0f | %,d | %s |%n", t.how(), t.changes(), t.changesPerSecond(), t.criticalOps(), t.critical().cells());
        }
        System.out.println();
        System.out.println("* each critical write waits for the batches in flight and its own graph transaction; ordinary batches wait "
                + "behind it meanwhile");
    }
}
