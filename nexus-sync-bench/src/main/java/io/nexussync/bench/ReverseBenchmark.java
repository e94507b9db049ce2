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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * Reverse sync from the outside ({@code bench/run-reverse.sh [RATE...] [--seconds N] [--edits N]}): embedded PostgreSQL
 * 17, embedded Neo4j 5 with the nexus-sync plugin, the service in this JVM.
 * <ul>
 *   <li><b>Graph-edit-to-PostgreSQL latency</b> per rate: a graph user edits ContentItem titles with Cypher, one
 *       transaction per edit, paced to the rate from four connections; each edit is timed from the moment its graph
 *       transaction returned committed to the commit timestamp of the PostgreSQL transaction that wrote its title
 *       (an audit trigger notes each title; one clock: the same machine). A 5 s warm-up at the rate is not timed.</li>
 *   <li><b>What the plugin costs a graph write</b>: the same edits (one per transaction, and 100 per transaction) against
 *       this server, whose plugin records each into the outbox, and against a second embedded Neo4j without the plugin,
 *       holding the same nodes; edits per second on each, in the same run.</li>
 * </ul>
 */
public final class ReverseBenchmark {
    private static final int ITEMS = 2_000;
    private static final int CONNECTIONS = 4;
    private static final Duration WARM_UP = Duration.ofSeconds(5);

    record Options(List<Integer> rates, int seconds, int edits) {
        static Options parse(String[] args) {
            List<Integer> rates = new ArrayList<>();
            int seconds = 30;
            int edits = 20_000;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = positive(args, ++i);
                    case "--edits" -> edits = positive(args, ++i);
                    default -> rates.add(positive(args, i));
                }
            }
            return new Options(rates.isEmpty() ? List.of(100, 1_000) : rates, seconds, edits);
        }

        private static int positive(String[] args, int i) {
            int value = i < args.length ? Integer.parseInt(args[i].replace("_", "")) : -1;
            if (value < 1) {
                throw new IllegalArgumentException("usage: ReverseBenchmark [RATE...] [--seconds N] [--edits N]");
            }
            return value;
        }
    }

    record Latency(int rate, double achieved, int edits, int arrived, Percentiles percentiles) {}

    record Cost(String how, double withPlugin, double withoutPlugin) {}

    public static void main(String[] args) {
        int status = 1;
        Path home = null;
        Path plainHome = null;
        try {
            Options options = Options.parse(args);
            home = Files.createTempDirectory("nexus-sync-bench-reverse");
            plainHome = Files.createTempDirectory("nexus-sync-bench-reverse-plain");
            List<Latency> latencies = new ArrayList<>();
            List<Cost> costs = new ArrayList<>();
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(home, 0)) {
                SyncConfig config = BenchEnvironment.freshDatabase(postgres, neo4j, "reverse_bench");
                List<String> items;
                try (Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                    try (RunningService service = RunningService.start(config)) {
                        service.awaitStreaming(Duration.ofMinutes(2));
                        items = seed(config);
                        CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, Duration.ofMinutes(5));
                        awaitPublished(driver);
                        for (int rate : options.rates()) {
                            latencies.add(latency(config, driver, items, rate, options.seconds(), service));
                        }
                    }
                    try (EmbeddedNeo4jServer plain = EmbeddedNeo4jServer.startWithoutPlugin(plainHome, 0);
                         Driver plainDriver = GraphDatabase.driver(plain.boltUri(), AuthTokens.none())) {
                        copyNodes(driver, plainDriver);
                        // Both servers warmed alike (JIT, query plans, page cache) before either is timed; then timed in turn, twice.
                        for (Driver warm : List.of(driver, plainDriver)) {
                            editRate(warm, items, options.edits() / 2, 1);
                            editRate(warm, items, options.edits() / 2, 100);
                        }
                        double[] single = new double[2];
                        double[] bulk = new double[2];
                        for (int round = 0; round < 2; round++) {
                            single[0] += editRate(driver, items, options.edits(), 1) / 2;
                            single[1] += editRate(plainDriver, items, options.edits(), 1) / 2;
                            bulk[0] += editRate(driver, items, options.edits(), 100) / 2;
                            bulk[1] += editRate(plainDriver, items, options.edits(), 100) / 2;
                        }
                        costs.add(new Cost("one edit per transaction, " + CONNECTIONS + " connections", single[0], single[1]));
                        costs.add(new Cost("100 edits per transaction (UNWIND), " + CONNECTIONS + " connections", bulk[0], bulk[1]));
                    }
                }
            }
            print(options, latencies, costs);
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(home);
            BenchFiles.deleteQuietly(plainHome);
        }
        System.exit(status);
    }

    /** {@value #ITEMS} content items, and the audit of the titles the reverse applier writes. */
    private static List<String> seed(SyncConfig config) throws SQLException {
        List<String> items = new ArrayList<>();
        try (Connection c = PgConnections.open(config.postgres(), "bench seed")) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE bench_seen (title text PRIMARY KEY)");
                st.execute("CREATE FUNCTION bench_note_title() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "IF NEW.title LIKE 'rv-%' THEN INSERT INTO bench_seen VALUES (NEW.title) ON CONFLICT DO NOTHING; END IF; RETURN NEW; END $$");
                st.execute("CREATE TRIGGER bench_note_title AFTER UPDATE OF title ON content_items FOR EACH ROW EXECUTE FUNCTION bench_note_title()");
            }
            items.addAll(BenchEnvironment.insertContentItems(c, ITEMS));
        }
        return items;
    }

    private static void awaitPublished(Driver driver) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        try (var session = driver.session()) {
            while (session.run("MATCH (n:`_SyncReverseNode`) RETURN count(n) AS n").single().get("n").asLong() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the service did not tell the plugin what flows back within a minute");
                }
                Thread.sleep(50);
            }
        }
    }

    private static Latency latency(SyncConfig config, Driver driver, List<String> items, int rate, int seconds, RunningService service)
            throws Exception {
        paced(driver, items, rate, WARM_UP, "rv-warm-" + rate + "-");
        String prefix = "rv-" + rate + "-";
        Map<String, Long> committedMicros = paced(driver, items, rate, Duration.ofSeconds(seconds), prefix);
        Instant started = Instant.now();
        Map<String, Long> arrived = new HashMap<>();
        while (arrived.size() < committedMicros.size() && Duration.between(started, Instant.now()).toSeconds() < 120) {
            service.checkAlive();
            Thread.sleep(200);
            arrived = arrivals(config, prefix);
        }
        long[] micros = new long[arrived.size()];
        int k = 0;
        for (Map.Entry<String, Long> a : arrived.entrySet()) {
            micros[k++] = Math.max(0, a.getValue() - committedMicros.get(a.getKey()));
        }
        return new Latency(rate, committedMicros.size() / (double) seconds, committedMicros.size(), arrived.size(), Percentiles.of(micros));
    }

    /** Commit times in PostgreSQL of the titles noted with this prefix, in microseconds since the epoch. */
    private static Map<String, Long> arrivals(SyncConfig config, String prefix) throws SQLException {
        Map<String, Long> arrived = new HashMap<>();
        try (Connection c = PgConnections.open(config.postgres(), "bench arrivals");
             PreparedStatement ps = c.prepareStatement("SELECT title, (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000)::bigint "
                     + "FROM bench_seen WHERE title LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    arrived.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return arrived;
    }

    /** Title edits paced to {@code rate} per second for {@code length}; the moment each returned committed, by title. */
    private static Map<String, Long> paced(Driver driver, List<String> items, int rate, Duration length, String prefix) throws Exception {
        Map<String, Long> committed = new ConcurrentHashMap<>();
        AtomicLong next = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long total = rate * length.toSeconds();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CONNECTIONS; t++) {
            Thread thread = new Thread(() -> {
                java.util.Random random = new java.util.Random(Thread.currentThread().getId());
                try (var session = driver.session()) {
                    for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        long due = start + i * 1_000_000_000L / rate;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        String title = prefix + i;
                        String item = items.get(random.nextInt(items.size()));
                        session.executeWrite(tx -> tx.run("MATCH (c:ContentItem {id: $id}) SET c.title = $title",
                                Map.of("id", item, "title", title)).consume());
                        Instant now = Instant.now();
                        committed.put(title, now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "graph-user-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a graph edit failed", failure.get());
        }
        return committed;
    }

    /** Edits per second: {@code edits} title edits, {@code perTransaction} in each transaction, from four connections. */
    private static double editRate(Driver driver, List<String> items, int edits, int perTransaction) throws Exception {
        AtomicLong next = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long transactions = edits / perTransaction;
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CONNECTIONS; t++) {
            int offset = t;
            Thread thread = new Thread(() -> {
                try (var session = driver.session()) {
                    for (long i = next.getAndIncrement(); i < transactions; i = next.getAndIncrement()) {
                        List<Map<String, Object>> rows = new ArrayList<>();
                        for (int k = 0; k < perTransaction; k++) {
                            // each connection its own quarter of the items: contention is not what is measured
                            int index = (int) ((i * perTransaction + k) % (items.size() / CONNECTIONS)) * CONNECTIONS + offset;
                            rows.add(Map.of("id", items.get(index), "title", "cost-" + perTransaction + "-" + i + "-" + k));
                        }
                        session.executeWrite(tx -> tx.run("UNWIND $rows AS r MATCH (c:ContentItem {id: r.id}) SET c.title = r.title",
                                Map.of("rows", rows)).consume());
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "cost-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a graph edit failed", failure.get());
        }
        return transactions * perTransaction / ((System.nanoTime() - start) / 1e9);
    }

    /** The service's ContentItem nodes, as they are, into the server without the plugin (with the same index). */
    private static void copyNodes(Driver from, Driver to) {
        List<Map<String, Object>> nodes;
        try (var session = from.session()) {
            nodes = session.run("MATCH (c:ContentItem) RETURN properties(c) AS p").list(r -> r.get("p").asMap());
        }
        try (var session = to.session()) {
            session.run("CREATE CONSTRAINT bench_content_id IF NOT EXISTS FOR (c:ContentItem) REQUIRE c.id IS UNIQUE").consume();
            session.executeWrite(tx -> tx.run("UNWIND $nodes AS p CREATE (c:ContentItem) SET c = p", Map.of("nodes", nodes)).consume());
        }
    }

    private static void print(Options options, List<Latency> latencies, List<Cost> costs) {
        // (both servers are warmed with half as many edits of each kind first; each figure is the mean of two timed rounds)
        System.out.println();
        System.out.println("## nexus-sync reverse sync: graph edit to PostgreSQL");
        System.out.println();
        System.out.println("Command: `" + System.getProperty("bench.command", "java -cp ... " + ReverseBenchmark.class.getName()) + "`");
        System.out.println();
        System.out.printf("Embedded PostgreSQL 17, embedded Neo4j 5 with the nexus-sync plugin, the service in one JVM; Java %s, %d CPUs; "
                        + "%,d content items; NEXUS_SYNC_* settings passed through: %s. Each rate: a %d s warm-up, then %d s of title edits in "
                        + "Cypher, one per transaction, paced from %d connections. Latency: from the graph transaction's return to the "
                        + "commit timestamp of the PostgreSQL transaction that wrote the title.%n%n",
                System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors(), ITEMS,
                BenchEnvironment.describePassedThrough(), WARM_UP.toSeconds(), options.seconds(), CONNECTIONS);
        System.out.println("| target edits/s | achieved | edits | arrived | p50 ms | p95 ms | p99 ms | max ms |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Latency l : latencies) {
            System.out.printf("| %,d | %,.0f | %,d | %,d | %s |%n", l.rate(), l.achieved(), l.edits(), l.arrived(), l.percentiles().cells());
        }
        System.out.println();
        System.out.printf("### What the plugin costs a graph write (%,d title edits each, same run; both servers warmed alike first, "
                + "the mean of two alternating rounds)%n%n", options.edits());
        System.out.println("| edits | with the plugin, edits/s | without, edits/s | with / without |");
        System.out.println("|---|---:|---:|---:|");
        for (Cost c : costs) {
            System.out.printf("| %s | %,.0f | %,.0f | %.2f |%n", c.how(), c.withPlugin(), c.withoutPlugin(), c.withPlugin() / c.withoutPlugin());
        }
        System.out.println();
        System.out.println("* with the plugin: each transaction also raises neo4jVersion on the nodes it edits and writes one outbox entry, "
                + "whose sequence node serialises the transactions that edit mapped data; the service was stopped for this part, so the "
                + "outbox only grows");
    }
}
