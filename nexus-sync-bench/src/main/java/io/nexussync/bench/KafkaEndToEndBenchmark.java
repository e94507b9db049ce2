package io.nexussync.bench;

import io.nexussync.app.config.ConfigLoader;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Lsn;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.kafka.KafkaClientConfigs;
import io.nexussync.kafka.apply.GroupLag;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import io.nexussync.testkit.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * {@code run} against capture + 1 apply and capture + 2 apply instances over Kafka
 * ({@code bench/run-kafka-e2e.sh [CHANGES] [--paced-rate N] [--paced-seconds N] [--probe-rate N]}): embedded PostgreSQL 17,
 * Neo4j 5 and a KRaft broker, each nexus-sync process a JVM of its own (as deployed), on a fresh database and graph per
 * configuration. Per configuration:
 * <ul>
 *   <li>throughput: the end-to-end benchmark's workload ({@link WorkloadWriter}, 4 writers flat out), its row changes over
 *       the time from its first write until the graph holds the last one ({@code run}: the slot is confirmed past a marker
 *       written after the load; over Kafka: capture has confirmed the slot past that marker, so the topic holds
 *       everything, and the group's offsets in the graph reach every partition's end);</li>
 *   <li>commit-to-visible latency, measured the same way for all three by a {@link VisibilityProbe} (paced probe UPDATEs
 *       of {@code content_type}, a normal-lane column, timed from the commit's return until a graph read shows them), in
 *       two phases: while that backlog is written and drained, and then in a steady phase where the contract workload
 *       is paced ({@link PacedWorkload}, as {@link LatencyBenchmark}) at a load all three keep up with.
 *       {@link LatencyRecorder} hooks into an in-process pipeline and cannot see an apply role in another JVM.</li>
 * </ul>
 * Prints a Markdown report and writes a PNG of the probes' latency over time.
 */
public final class KafkaEndToEndBenchmark {
    private static final int WRITERS = 4;
    private static final int PARTITIONS = 4;
    /** Probe rows: enough that each gets a probe only every few hundred ms, and the rows spread over the partitions. */
    private static final int PROBES = 16;
    private static final Duration PROBE_DRAIN_LIMIT = Duration.ofMinutes(2);
    /** Each configuration first writes this share of the changes untimed: its JVMs start cold, and so does the topic. */
    private static final int WARM_UP_DIVISOR = 10;
    private static final Duration LIMIT = Duration.ofHours(1);
    /** As the {@code ./nexus-sync} launcher starts the service: its JIT flag on two cores or fewer. */
    private static final List<String> CHILD_JVM = Runtime.getRuntime().availableProcessors() <= 2
            ? List.of("-Xmx1g", "-XX:TieredStopAtLevel=1") : List.of("-Xmx1g");

    private record Configuration(String name, String label, int applyInstances) {
        boolean kafka() {
            return applyInstances > 0;
        }
    }

    /**
     * @param changes      row changes of the flat-out load, per configuration
     * @param pacedRate    the steady phase's offered load, row changes per second
     * @param pacedSeconds the steady phase's measured window
     * @param pacedWarmUp  untimed seconds of the paced load before its window: its seed's burst and the new rows' first
     *                     statements settle (the in-process latency figures settle in about 25 s after a start)
     * @param probeRate    probe UPDATEs per second, in both phases
     */
    record Options(long changes, int pacedRate, int pacedSeconds, int pacedWarmUp, int probeRate) {
        static final String USAGE = "usage: KafkaEndToEndBenchmark [CHANGES] [--paced-rate N] [--paced-seconds N] [--paced-warmup N] [--probe-rate N]"
                + " (positive numbers; default 100000 --paced-rate 1000 --paced-seconds 60 --paced-warmup 30 --probe-rate 40)";

        static Options parse(String... args) {
            long changes = 100_000;
            int pacedRate = 1_000;
            int pacedSeconds = 60;
            int pacedWarmUp = 30;
            int probeRate = 40;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--paced-rate" -> pacedRate = (int) positive(args, ++i);
                    case "--paced-seconds" -> pacedSeconds = (int) positive(args, ++i);
                    case "--paced-warmup" -> pacedWarmUp = (int) positive(args, ++i);
                    case "--probe-rate" -> probeRate = (int) positive(args, ++i);
                    default -> changes = positive(args, i);
                }
            }
            return new Options(changes, pacedRate, pacedSeconds, pacedWarmUp, probeRate);
        }

        private static long positive(String[] args, int i) {
            long value;
            try {
                value = i < args.length ? Long.parseLong(args[i].replace("_", "")) : -1;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(USAGE + "; not a number: " + args[i]);
            }
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(USAGE);
            }
            return value;
        }
    }

    /**
     * One configuration's figures. Latency phases by the probes' commit times: {@code backlog} from the load's first write
     * until the graph held it all; {@code paced} the steady phase's measured window.
     */
    private record Result(Configuration configuration, long rowChanges, long nanos, Percentiles backlog, PacedWorkload.Written paced,
                          double pacedCatchUpSeconds, Percentiles pacedLatency, VisibilityProbe.Result probes, Timeline timeline, String graph) {}

    /** When the phases began and ended, on the probes' clock ({@link System#nanoTime()}). */
    private record Timeline(long loadStart, long caughtUp, long pacedStart, long pacedEnd) {}

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedNeo4jServer neo4j;
    private final EmbeddedKafka kafka;
    private final Driver driver;
    private final Mapping mapping = MappingLoader.builtIn();
    private final Path logs;

    private KafkaEndToEndBenchmark(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, EmbeddedKafka kafka, Driver driver, Path logs) {
        this.postgres = postgres;
        this.neo4j = neo4j;
        this.kafka = kafka;
        this.driver = driver;
        this.logs = logs;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        int status = 1;
        Path neo4jHome = null;
        try {
            Options options = Options.parse(args);
            neo4jHome = Files.createTempDirectory("nexus-sync-bench-neo4j");
            Path logs = Files.createDirectories(Path.of(System.getProperty("bench.logs", "nexus-sync-bench/target/kafka-e2e-logs")));
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0);
                 EmbeddedKafka kafka = EmbeddedKafka.start();
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                new KafkaEndToEndBenchmark(postgres, neo4j, kafka, driver, logs).run(options);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        System.exit(status);
    }

    private void run(Options options) throws Exception {
        List<Result> results = new ArrayList<>();
        for (Configuration configuration : List.of(new Configuration("kafka_e2e_run", "`run` (one process)", 0),
                new Configuration("kafka_e2e_one", "capture + 1 apply", 1),
                new Configuration("kafka_e2e_two", "capture + 2 apply instances", 2))) {
            results.add(measure(configuration, options));
        }
        Path plot = Path.of(System.getProperty("bench.results", "bench/results")).resolve("kafka-e2e-" + options.changes() + "-latency.png");
        plot(plot, options, results);
        print(options, results, plot);
    }

    private Result measure(Configuration configuration, Options options) throws Exception {
        long changes = options.changes();
        GraphReset.clear(driver);
        Neo4jSchema.ensureConstraints(driver, null, mapping);
        Map<String, String> environment = new HashMap<>(BenchEnvironment.freshEnvironment(postgres, neo4j, configuration.name()));
        String topic = configuration.name() + "-changes";
        String group = configuration.name() + "-apply";
        environment.put("NEXUS_SYNC_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        environment.put("NEXUS_SYNC_KAFKA_TOPIC", topic);
        environment.put("NEXUS_SYNC_KAFKA_PROGRESS_TOPIC", configuration.name() + "-progress");
        environment.put("NEXUS_SYNC_KAFKA_GROUP", group);
        environment.put("NEXUS_SYNC_KAFKA_PARTITIONS", String.valueOf(PARTITIONS));
        environment.put("NEXUS_SYNC_KAFKA_REPLICATION_FACTOR", "1");
        PgSettings settings = ConfigLoader.load(null, environment).postgres();
        List<Process> processes = new ArrayList<>();
        try {
            // run takes the (empty) snapshot; for the Kafka configurations it then hands over to the roles (README "Kafka").
            Process run = start(processes, environment, configuration.name() + "-run", "run");
            awaitSnapshot(settings.slot(), processes);
            CatchUpWait.await(settings, CatchUpWait.emitMarker(settings), () -> alive(processes), Duration.ofMinutes(3));
            if (configuration.kafka()) {
                run.destroy();
                if (!run.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("run did not stop within 60 s of SIGTERM");
                }
                processes.remove(run);
                Process setup = BenchEnvironment.startProcess(environment, CHILD_JVM, logs.resolve(configuration.name() + "-setup.log"), "setup", "--kafka");
                if (!setup.waitFor(2, TimeUnit.MINUTES) || setup.exitValue() != 0) {
                    throw new IllegalStateException("setup --kafka failed; see " + logs);
                }
                start(processes, environment, configuration.name() + "-capture", "capture", "--to", "kafka");
                for (int i = 1; i <= configuration.applyInstances(); i++) {
                    start(processes, environment, configuration.name() + "-apply-" + i, "apply", "--from", "kafka");
                }
            }
            List<String> probes;
            try (Connection c = PgConnections.open(settings, "bench probes")) {
                probes = BenchEnvironment.insertContentItems(c, PROBES);
            }
            awaitProbesVisible(probes, processes);
            try (WorkloadWriter writer = new WorkloadWriter(settings, WRITERS)) {
                writer.writeUntil(Math.max(1, changes / WARM_UP_DIVISOR));
                awaitCaughtUp(configuration, settings, topic, group, processes);
                try (VisibilityProbe probe = VisibilityProbe.start(settings, driver, probes, options.probeRate())) {
                    long start = System.nanoTime();
                    WorkloadWriter.Written written = writer.writeUntil(changes);
                    awaitCaughtUp(configuration, settings, topic, group, processes);
                    long loadCaughtUp = System.nanoTime();
                    try (PacedWorkload paced = new PacedWorkload(settings, PacedWorkload.connectionsFor(options.pacedRate()), 2_000L + options.pacedRate())) {
                        paced.seed(1_000, 100, 50);
                        // untimed: the seed's burst and the new workload's first rows behind us before the window opens
                        paced.run(options.pacedRate(), Duration.ofSeconds(options.pacedWarmUp()));
                        awaitCaughtUp(configuration, settings, topic, group, processes);
                        long pacedStart = System.nanoTime();
                        PacedWorkload.Written pacedWritten = paced.run(options.pacedRate(), Duration.ofSeconds(options.pacedSeconds()));
                        long pacedEnd = System.nanoTime();
                        awaitCaughtUp(configuration, settings, topic, group, processes);
                        double pacedCatchUp = (System.nanoTime() - pacedEnd) / 1e9;
                        VisibilityProbe.Result probed = probe.stop(PROBE_DRAIN_LIMIT);
                        Timeline timeline = new Timeline(start, loadCaughtUp, pacedStart, pacedEnd);
                        return new Result(configuration, written.rowChanges(), loadCaughtUp - start,
                                ProbeLedger.committedBetween(probed.samples(), start, loadCaughtUp), pacedWritten, pacedCatchUp,
                                ProbeLedger.committedBetween(probed.samples(), pacedStart, pacedEnd), probed, timeline,
                                GraphCheck.compare(settings, driver, mapping));
                    }
                }
            }
        } finally {
            for (Process process : processes) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }

    private Process start(List<Process> processes, Map<String, String> environment, String name, String... args) throws Exception {
        Process process = BenchEnvironment.startProcess(environment, CHILD_JVM, logs.resolve(name + ".log"), args);
        processes.add(process);
        return process;
    }

    private void alive(List<Process> processes) {
        for (Process process : processes) {
            if (!process.isAlive()) {
                throw new IllegalStateException("a nexus-sync process exited (" + process.exitValue() + "); see the logs in " + logs);
            }
        }
    }

    /**
     * The graph holds everything written so far: for {@code run} the slot is past a marker; over Kafka, the group's offsets
     * in the graph reach each partition's end as it was once capture had confirmed that marker. Not the topic's end now:
     * the latency probe keeps writing, so with a probe in flight most of the time a moment with no lag at all may not come.
     */
    private void awaitCaughtUp(Configuration configuration, PgSettings settings, String topic, String group, List<Process> processes) throws Exception {
        Lsn marker = CatchUpWait.emitMarker(settings);
        CatchUpWait.await(settings, marker, () -> alive(processes), LIMIT);
        if (!configuration.kafka()) {
            return;
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(io.nexussync.kafka.KafkaConnection.of(kafka.bootstrapServers())))) {
            Map<Integer, Long> ends = new HashMap<>();
            for (GroupLag.PartitionLag partition : GroupLag.read(admin, topic, graphOffsets(group, topic), Duration.ofSeconds(30))) {
                if (partition.lag() > 0) {
                    ends.put(partition.partition(), partition.endOffset());
                }
            }
            while (!reached(graphOffsets(group, topic), ends)) {
                alive(processes);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the apply group did not reach the topic's end " + ends + " within " + LIMIT);
                }
                Thread.sleep(10);
            }
        }
    }

    private static boolean reached(Map<Integer, Long> graphOffsets, Map<Integer, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> graphOffsets.getOrDefault(end.getKey(), -1L) >= end.getValue());
    }

    /**
     * Until {@code run}'s initial snapshot is in the graph: its slot, created after a marker written at its start, would
     * be confirmed past that marker at once.
     */
    private void awaitSnapshot(String slot, List<Process> processes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            try (var session = driver.session()) {
                if (session.run("MATCH (c:`_SyncCheckpoint`) WHERE c.slot = $slot OR c.slot STARTS WITH $slot + '/worker-' "
                        + "RETURN coalesce(max(c.committedEnd), 0) AS e", Map.of("slot", slot)).single().get("e").asLong() > 0) {
                    return;
                }
            }
            alive(processes);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("run's initial snapshot did not finish within 3 minutes; see the logs in " + logs);
            }
            Thread.sleep(50);
        }
    }

    private Map<Integer, Long> graphOffsets(String group, String topic) {
        Map<Integer, Long> offsets = new HashMap<>();
        try (var session = driver.session()) {
            session.run("MATCH (o:`_SyncKafkaOffset` {group: $group, topic: $topic}) WHERE o.next IS NOT NULL RETURN o.partition AS p, o.next AS n",
                    Map.of("group", group, "topic", topic)).forEachRemaining(r -> offsets.put(r.get("p").asInt(), r.get("n").asLong()));
        }
        return offsets;
    }

    private void awaitProbesVisible(List<String> probes, List<Process> processes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            try (var session = driver.session()) {
                if (session.run("MATCH (c:ContentItem) WHERE c.id IN $ids RETURN count(c) AS n", Map.of("ids", probes)).single().get("n").asInt() == probes.size()) {
                    return;
                }
            }
            alive(processes);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the probe rows did not reach the graph within 5 minutes; see the logs in " + logs);
            }
            Thread.sleep(50);
        }
    }

    /** Per configuration, the probes' latency per second by commit time (log scale: the backlog's seconds and the paced tens of ms). */
    private static void plot(Path file, Options options, List<Result> results) throws IOException {
        List<LagChart.Panel> panels = new ArrayList<>();
        for (Result r : results) {
            List<ProbeLedger.Sample> samples = r.probes().samples();
            double[] seconds = new double[samples.size()];
            long[] micros = new long[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                seconds[i] = (samples.get(i).committedNanos() - r.timeline().loadStart()) / 1e9;
                micros[i] = samples.get(i).latencyNanos() / 1_000;
            }
            LagChart.Buckets perSecond = LagChart.Buckets.perSecond(seconds, micros);
            Timeline t = r.timeline();
            panels.add(new LagChart.Panel(String.format("%s: backlog p99 %s ms, paced p99 %s ms", r.configuration().label().replace("`", ""),
                    Percentiles.ms(r.backlog().p99()), Percentiles.ms(r.pacedLatency().p99())),
                    "seconds from the load's first write (by the probe's commit)", "commit-to-visible, ms", true, 0,
                    // no p99 per second: at tens of probes a second it is the maximum
                    List.of(new LagChart.Series("max per second", LagChart.RED, perSecond.x(), perSecond.max(), false),
                            new LagChart.Series("p50 per second", LagChart.BLUE, perSecond.x(), perSecond.p50(), false)),
                    List.of(new LagChart.Marker(seconds(t, t.caughtUp()), "backlog drained"),
                            new LagChart.Marker(seconds(t, t.pacedStart()), "paced window"),
                            new LagChart.Marker(seconds(t, t.pacedEnd()), "end"))));
        }
        LagChart.write(file, String.format("Probe commit-to-visible latency: %,d changes flat out, then %,d changes/s paced (%d probes/s)",
                options.changes(), options.pacedRate(), options.probeRate()), panels);
    }

    private static double seconds(Timeline timeline, long at) {
        return (at - timeline.loadStart()) / 1e9;
    }

    private static void print(Options options, List<Result> results, Path plot) {
        long changes = options.changes();
        StringBuilder out = new StringBuilder();
        out.append("# `run` vs capture + apply over Kafka, ").append(String.format("%,d", changes)).append(" row changes\n\n");
        out.append("`").append(System.getProperty("bench.command", "bench/run-kafka-e2e.sh " + changes)).append("` on commit ")
                .append(System.getProperty("bench.commit", "unknown")).append(", ").append(System.getProperty("bench.date", "")).append("\n\n");
        out.append("Machine: ").append(System.getProperty("bench.machine", "")).append("; benchmark JVM: ").append(BenchEnvironment.describeJvm())
                .append("; each nexus-sync process a JVM of its own with ").append(String.join(" ", CHILD_JVM))
                .append("; settings passed through: ").append(BenchEnvironment.describePassedThrough()).append(".\n\n");
        out.append("Embedded PostgreSQL, Neo4j (a JVM of its own) and a KRaft Kafka broker (in the benchmark's JVM), all on this machine; ")
                .append(WRITERS).append(" application connections writing the end-to-end benchmark's workload flat out; the topic has ")
                .append(PARTITIONS).append(" partitions. Each configuration: a fresh database and graph, `run` takes the (empty) snapshot, "
                        + "then (over Kafka) `setup --kafka`, capture and the apply instance(s); an untimed warm-up of 1/")
                .append(WARM_UP_DIVISOR).append(" of the changes; then the timed load (the backlog phase), then the contract workload paced at ")
                .append(String.format("%,d", options.pacedRate())).append(" changes/s: ").append(options.pacedWarmUp())
                .append(" s untimed, a wait until the graph has caught up, then ").append(options.pacedSeconds()).append(" s measured (the paced phase).\n\n");
        out.append("## Throughput\n\n");
        out.append("| configuration | row changes | first write to graph caught up | changes/s |\n");
        out.append("|---|---:|---:|---:|\n");
        for (Result r : results) {
            out.append(String.format("| %s | %,d | %.2f s | %,.0f |%n", r.configuration().label(), r.rowChanges(), r.nanos() / 1e9,
                    r.rowChanges() / (r.nanos() / 1e9)));
        }
        out.append("\n## Commit-to-visible latency\n\n");
        out.append("| configuration | phase | offered load | probes | p50 ms | p95 ms | p99 ms | max ms |\n");
        out.append("|---|---|---|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            out.append(String.format("| %s | backlog | %,d changes flat out, until the graph held them (%.1f s) | %,d | %s |%n",
                    r.configuration().label(), r.rowChanges(), r.nanos() / 1e9, r.backlog().count(), r.backlog().cells()));
            out.append(String.format("| %s | paced | %,d changes/s (achieved %,.0f; caught up %.2f s after the window) | %,d | %s |%n",
                    r.configuration().label(), options.pacedRate(), r.paced().rate(), r.pacedCatchUpSeconds(), r.pacedLatency().count(),
                    r.pacedLatency().cells()));
        }
        out.append("\nLatency, the same measurement for all three: a probe writer commits ").append(options.probeRate())
                .append(" UPDATEs a second of `content_type` (a normal-lane column, as most of the workload's changes; `run` would carry "
                        + "a title in the high lane ahead of the backlog, which the Kafka roles do not yet do), round robin over ")
                .append(PROBES).append(" content items of its own (spread over the partitions), on a fixed schedule that never waits for "
                        + "the graph; a reader queries the graph for those items every ").append(VisibilityProbe.POLL_MS)
                .append(" ms. A probe's latency runs from its commit's return to the return of the first read that shows it (or a later "
                        + "probe of the same item). Samples are the probes committed in the phase: the backlog phase from the load's first "
                        + "write until the graph held it; the paced phase its measured window. The probes add ")
                .append(options.probeRate()).append(" changes/s to the load. Plot: `").append(plot.getFileName()).append("`.\n\n");
        for (Result r : results) {
            Percentiles gaps = r.probes().readGaps();
            out.append("* ").append(r.configuration().label()).append(": time between graph reads (the resolution) p50 ")
                    .append(Percentiles.ms(gaps.p50())).append(" ms, p99 ").append(Percentiles.ms(gaps.p99())).append(" ms, max ")
                    .append(Percentiles.ms(gaps.max())).append(" ms; probes never seen: ").append(r.probes().unresolved())
                    .append("; graph after the run: ").append(r.graph()).append('\n');
        }
        System.out.print(out);
    }
}
