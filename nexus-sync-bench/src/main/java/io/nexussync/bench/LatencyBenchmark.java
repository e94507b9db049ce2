package io.nexussync.bench;

import io.nexussync.app.config.ConfigLoader;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.bench.LagChart.Marker;
import io.nexussync.bench.LagChart.Panel;
import io.nexussync.bench.LagChart.Buckets;
import io.nexussync.bench.LagChart.Series;
import io.nexussync.bench.LatencyRecorder.Samples;
import io.nexussync.bench.PacedWorkload.Written;
import io.nexussync.core.mapping.Lane;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.postgres.PgConnections;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The commit-to-visible latency benchmark ({@code bench/run-latency.sh [RATE...] [--seconds N]}):
 * embedded PostgreSQL 17 and Neo4j 5 in this JVM, the service in-process, and for each rate the
 * contract workload paced at that many row changes per second on a fresh database. After a warm-up at
 * the same rate, every change committed during the measured window is timed by the pipeline's
 * {@link io.nexussync.core.pipeline.VisibilityListener}: from its PostgreSQL commit timestamp to the
 * commit of the Neo4j transaction that carries it (one clock: the same machine). Prints a Markdown
 * table and writes a PNG of lag over time per rate.
 */
public final class LatencyBenchmark {
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(30);

    /**
     * @param fresh              measure as a user who has just restarted the service sees it: the workload runs from the
     *                           moment the service streams, and the measured window opens {@code warmUpSeconds} (default 5)
     *                           later, with no wait for the graph to catch up in between
     * @param warmServersSeconds with {@code fresh}: before the measured service starts, a service in a JVM of its own syncs
     *                           the workload at the same rate for this many seconds on a database of its own and stops, so
     *                           that PostgreSQL and Neo4j are warm and only the service starts cold (a service restart
     *                           against servers that keep running); 0: the servers start cold with the service
     */
    record Options(List<Integer> rates, int seconds, int warmUpSeconds, boolean fresh, int warmServersSeconds) {
        static Options parse(String[] args) {
            List<Integer> rates = new ArrayList<>();
            int seconds = 60;
            Integer warmUp = null;
            boolean fresh = false;
            int warmServers = 0;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = positive(args, ++i);
                    case "--warmup" -> warmUp = Integer.parseInt(args[++i]);
                    case "--fresh" -> fresh = true;
                    case "--warm-servers" -> warmServers = positive(args, ++i);
                    default -> rates.add(positive(args, i));
                }
            }
            if (warmServers > 0 && !fresh) {
                throw new IllegalArgumentException("--warm-servers goes with --fresh: it warms the servers for a service that starts cold");
            }
            return new Options(rates.isEmpty() ? List.of(1_000, 5_000) : rates, seconds, warmUp != null ? warmUp : fresh ? 5 : 10, fresh,
                    warmServers);
        }

        private static int positive(String[] args, int i) {
            int value = i < args.length ? Integer.parseInt(args[i].replace("_", "")) : -1;
            if (value < 1) {
                throw new IllegalArgumentException("usage: LatencyBenchmark [RATE...] [--seconds N] [--warmup N] [--fresh]");
            }
            return value;
        }
    }

    record Result(SyncConfig config, int targetRate, int connections, Written written, long walChanges, long batches, Percentiles latency,
                  Map<Lane, Integer> lanes, double catchUpSeconds, String batchLog, Path plot) {}

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedNeo4jServer neo4j;
    private final Path results;

    private LatencyBenchmark(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, Path results) {
        this.postgres = postgres;
        this.neo4j = neo4j;
        this.results = results;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        int status = 1;
        Path neo4jHome = null;
        try {
            Options options = Options.parse(args);
            Path results = Path.of(System.getProperty("bench.results", "bench/results"));
            neo4jHome = Files.createTempDirectory("nexus-sync-bench-latency");
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0)) {
                LatencyBenchmark bench = new LatencyBenchmark(postgres, neo4j, results);
                List<Result> all = new ArrayList<>();
                for (int rate : options.rates()) {
                    all.add(bench.measure(rate, options));
                }
                print(options, all);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        System.exit(status);
    }

    /**
     * Runs the workload at {@code rate} for {@code seconds} through a service in a child JVM (the launcher's JIT flags,
     * the same as this JVM's), on a database of its own, until that service has caught up; then stops it and drops its
     * slot. PostgreSQL and Neo4j keep what a running server has: compiled code, query plans, page cache, a graph.
     */
    private void warmServers(int rate, int seconds) throws Exception {
        String name = "latency_warm_" + rate;
        Map<String, String> environment = BenchEnvironment.freshEnvironment(postgres, neo4j, name);
        SyncConfig config = ConfigLoader.load(null, environment);
        Path log = Files.createTempFile("nexus-sync-bench-warm-servers", ".log");
        List<String> jitAndHeap = ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(flag -> flag.startsWith("-X")).toList();
        Process child = BenchEnvironment.startServiceProcess(environment, jitAndHeap, log);
        Runnable checkAlive = () -> {
            if (!child.isAlive()) {
                throw new IllegalStateException("the warming service exited; see " + log);
            }
        };
        try {
            awaitSlotActive(config, checkAlive);
            try (PacedWorkload workload = new PacedWorkload(config.postgres(), PacedWorkload.connectionsFor(rate), 1_000L + rate)) {
                workload.seed(1_000, 100, 50);
                workload.run(rate, Duration.ofSeconds(seconds));
            }
            CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), checkAlive, CATCH_UP_LIMIT);
        } finally {
            child.destroy();
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
            }
        }
        try (Connection c = PgConnections.open(config.postgres(), "bench warm servers"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot('" + config.postgres().slot() + "')");
        }
    }

    private static void awaitSlotActive(SyncConfig config, Runnable checkAlive) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (Connection c = PgConnections.open(config.postgres(), "bench warm servers");
             PreparedStatement active = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            active.setString(1, config.postgres().slot());
            while (true) {
                try (ResultSet rs = active.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
                checkAlive.run();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the warming service did not start streaming within 2 minutes");
                }
                Thread.sleep(100);
            }
        }
    }

    private Result measure(int rate, Options options) throws Exception {
        if (options.warmServersSeconds() > 0) {
            warmServers(rate, options.warmServersSeconds());
        }
        SyncConfig config = BenchEnvironment.freshDatabase(postgres, neo4j, "latency_" + rate);
        LatencyRecorder recorder = new LatencyRecorder();
        int connections = PacedWorkload.connectionsFor(rate);
        Instant start;
        Instant end;
        Written written;
        long batches;
        double catchUp;
        try (RunningService service = RunningService.start(config, recorder)) {
            service.awaitStreaming(Duration.ofMinutes(2));
            try (PacedWorkload workload = new PacedWorkload(config.postgres(), connections, 2_000L + rate)) {
                workload.seed(1_000, 100, 50);
                // untimed: JIT, Neo4j's query plans and page cache, the graph's first thousands of nodes
                workload.run(rate, Duration.ofSeconds(options.warmUpSeconds()));
                if (!options.fresh()) {
                    // the measured window starts with the service caught up, not with the warm-up's (cold, slower) tail
                    CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, CATCH_UP_LIMIT);
                }
                long batchesBefore = service.progress().batchesApplied();
                start = Instant.now();
                written = workload.run(rate, Duration.ofSeconds(options.seconds()));
                end = Instant.now();
                long endNanos = System.nanoTime();
                CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, CATCH_UP_LIMIT);
                catchUp = (System.nanoTime() - endNanos) / 1e9;
                batches = service.progress().batchesApplied() - batchesBefore;
            }
        }
        // every change committed in the measured window; all are visible after the catch-up wait
        Samples samples = recorder.samples();
        long from = LatencyRecorder.micros(start);
        long to = LatencyRecorder.micros(end);
        List<Integer> window = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            if (samples.committedMicros()[i] >= from && samples.committedMicros()[i] < to) {
                window.add(i);
            }
        }
        long[] latencies = new long[window.size()];
        double[] seconds = new double[window.size()];
        Map<Lane, Integer> lanes = new EnumMap<>(Lane.class);
        for (int k = 0; k < window.size(); k++) {
            int i = window.get(k);
            latencies[k] = samples.latencyMicros(i);
            seconds[k] = (samples.committedMicros()[i] - from) / 1e6;
            lanes.merge(samples.lane(i), 1, Integer::sum);
        }
        Percentiles latency = Percentiles.of(latencies);
        Path plot = results.resolve("latency-" + rate + ".png");
        Buckets perSecond = Buckets.perSecond(seconds, latencies);
        LagChart.write(plot, String.format("nexus-sync commit-to-visible latency at %,d changes/s (target), %d s", rate, options.seconds()),
                List.of(new Panel(String.format("achieved %,.0f WAL row changes/s; p50 %s ms, p99 %s ms, max %s ms over %,d changes",
                        window.size() / ((to - from) / 1e6), Percentiles.ms(latency.p50()), Percentiles.ms(latency.p99()),
                        Percentiles.ms(latency.max()), latency.count()),
                        "seconds into the measured run (by PostgreSQL commit time)", "commit-to-visible latency, ms", false, options.seconds(),
                        List.of(new Series("max per second", LagChart.RED, perSecond.x(), perSecond.max(), false),
                                new Series("p99 per second", LagChart.ORANGE, perSecond.x(), perSecond.p99(), false),
                                new Series("p50 per second", LagChart.BLUE, perSecond.x(), perSecond.p50(), false)),
                        List.<Marker>of())));
        return new Result(config, rate, connections, written, window.size(), batches, latency, lanes, catchUp,
                BatchLog.between(config.postgres(), start, end), plot);
    }

    private static void print(Options options, List<Result> results) {
        Result any = results.get(0);
        System.out.println();
        System.out.println("## nexus-sync commit-to-visible latency");
        System.out.println();
        System.out.println("Command: `" + System.getProperty("bench.command", "java -cp ... " + LatencyBenchmark.class.getName()) + "`");
        System.out.println();
        System.out.printf("The service in the benchmark JVM (%s), embedded PostgreSQL 17 and Neo4j 5 (a child JVM, -Xmx2g) on loopback; "
                        + "NEXUS_SYNC_* settings passed through: %s. Each rate: a fresh database, the contract workload "
                        + "(ContextNexusWorkload) paced to the rate, %s, then %d s measured. Latency: PostgreSQL commit "
                        + "timestamp to the commit of the Neo4j transaction holding the change (VisibilityListener), for every change "
                        + "committed in the measured window.%n%n",
                BenchEnvironment.describeJvm(),
                BenchEnvironment.describePassedThrough(),
                options.fresh() ? (options.warmServersSeconds() > 0
                        ? "PostgreSQL and Neo4j first warmed by " + options.warmServersSeconds() + " s of the same workload synced by a "
                                + "service in a JVM of its own (stopped before the measured one starts: a service restart against running servers); "
                        : "PostgreSQL and Neo4j started cold with the service; ")
                        + "from the moment the service (started fresh, in this JVM) streams; the measured window opens "
                        + options.warmUpSeconds() + " s later, with no wait for the graph to catch up"
                        : options.warmUpSeconds() + " s warm-up and a wait until the graph has caught up",
                options.seconds());
        System.out.println("| target changes/s | achieved (app) | achieved (WAL) | changes timed | Neo4j transactions | p50 ms | p95 ms | p99 ms | max ms | plot |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Result r : results) {
            System.out.printf("| %,d | %,.0f | %,.0f | %,d | %,d | %s | %s |%n", r.targetRate(), r.written().rate(),
                    r.walChanges() / (r.written().nanos() / 1e9), r.walChanges(), r.batches(), r.latency().cells(), r.plot().getFileName());
        }
        System.out.println();
        System.out.println("* app: the row changes the workload's statements reported; WAL: the changes the listener timed (cascaded deletes "
                + "included), over the measured window");
        for (Result r : results) {
            System.out.printf("* %,d/s: %d application connection(s), %,d transactions committed, %,d rolled back (lost a race); "
                            + "lanes reported by the pipeline: %s; caught up %.2f s after the workload stopped%n",
                    r.targetRate(), r.connections(), r.written().transactions(), r.written().rolledBack(), r.lanes(), r.catchUpSeconds());
            System.out.printf("* %,d/s: %s%n", r.targetRate(), r.batchLog());
        }
        System.out.printf("* nexus-sync: batch %,d changes / %d ms (a batch is cut when it is full or its first change has waited the delay)%n",
                any.config().batchSize(), any.config().batchDelay().toMillis());
    }
}
