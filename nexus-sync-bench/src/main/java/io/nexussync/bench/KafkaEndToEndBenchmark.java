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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * {@code run} against capture + 1 apply and capture + 2 apply instances over Kafka ({@code bench/run-kafka-e2e.sh [CHANGES]}):
 * embedded PostgreSQL 17, Neo4j 5 and a KRaft broker in this JVM, each nexus-sync process a JVM of its own (as deployed),
 * the end-to-end benchmark's workload ({@link WorkloadWriter}, 4 writers flat out) on a fresh database and graph per
 * configuration. Per configuration:
 * <ul>
 *   <li>throughput: the workload's row changes over the time from its first write until the graph holds the last one
 *       ({@code run}: the slot is confirmed past a marker written after the load; over Kafka: capture has confirmed the slot
 *       past that marker, so the topic holds everything, and the group's offsets in the graph reach every partition's
 *       end);</li>
 *   <li>commit-to-visible latency, sampled the same way for all three: a probe thread updates one of {@value #PROBES}
 *       content items of its own (spread over the partitions) right after the previous probe was seen, times from the
 *       UPDATE's commit until the graph shows the new value (polled every {@value #POLL_MS} ms). The column is
 *       {@code content_type}, of the normal lane, as most of the workload's changes: {@code run} would carry a title
 *       (high lane) ahead of the backlog, which the Kafka roles do not yet do. {@link LatencyRecorder}
 *       hooks into an in-process pipeline and cannot see an apply role in another JVM, so it is not used here.</li>
 * </ul>
 * Prints a Markdown report.
 */
public final class KafkaEndToEndBenchmark {
    private static final int WRITERS = 4;
    private static final int PARTITIONS = 4;
    private static final int PROBES = 8;
    private static final int POLL_MS = 5;
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

    private record Result(Configuration configuration, long rowChanges, long nanos, Percentiles latency, String graph) {}

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
        long changes = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 100_000;
        int status = 1;
        Path neo4jHome = null;
        try {
            neo4jHome = Files.createTempDirectory("nexus-sync-bench-neo4j");
            Path logs = Files.createDirectories(Path.of(System.getProperty("bench.logs", "nexus-sync-bench/target/kafka-e2e-logs")));
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0);
                 EmbeddedKafka kafka = EmbeddedKafka.start();
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none())) {
                new KafkaEndToEndBenchmark(postgres, neo4j, kafka, driver, logs).run(changes);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        System.exit(status);
    }

    private void run(long changes) throws Exception {
        List<Result> results = new ArrayList<>();
        for (Configuration configuration : List.of(new Configuration("kafka_e2e_run", "`run` (one process)", 0),
                new Configuration("kafka_e2e_one", "capture + 1 apply", 1),
                new Configuration("kafka_e2e_two", "capture + 2 apply instances", 2))) {
            results.add(measure(configuration, changes));
        }
        print(changes, results);
    }

    private Result measure(Configuration configuration, long changes) throws Exception {
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
                try (ProbeLoop probe = ProbeLoop.start(settings, driver, probes)) {
                    long start = System.nanoTime();
                    WorkloadWriter.Written written = writer.writeUntil(changes);
                    awaitCaughtUp(configuration, settings, topic, group, processes);
                    long nanos = System.nanoTime() - start;
                    Percentiles latency = probe.stop();
                    return new Result(configuration, written.rowChanges(), nanos, latency, GraphCheck.compare(settings, driver, mapping));
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

    /** The graph holds everything written so far: for {@code run} the slot is past a marker; over Kafka, the group's offsets are at the topic's end too. */
    private void awaitCaughtUp(Configuration configuration, PgSettings settings, String topic, String group, List<Process> processes) throws Exception {
        Lsn marker = CatchUpWait.emitMarker(settings);
        CatchUpWait.await(settings, marker, () -> alive(processes), LIMIT);
        if (!configuration.kafka()) {
            return;
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(io.nexussync.kafka.KafkaConnection.of(kafka.bootstrapServers())))) {
            while (GroupLag.read(admin, topic, graphOffsets(group, topic), Duration.ofSeconds(30)).stream().mapToLong(GroupLag.PartitionLag::lag).sum() > 0) {
                alive(processes);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the apply group did not reach the topic's end within " + LIMIT);
                }
                Thread.sleep(10);
            }
        }
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

    /** One probe at a time: an UPDATE of a probe row's content_type, then the graph polled until it shows it. */
    private static final class ProbeLoop implements AutoCloseable {
        private final Thread thread;
        private final List<Long> micros = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopping;

        private ProbeLoop(PgSettings settings, Driver driver, List<String> probes) {
            thread = new Thread(() -> {
                try (Connection c = PgConnections.open(settings, "bench probe");
                     PreparedStatement update = c.prepareStatement("UPDATE content_items SET content_type = ? WHERE id = ?::uuid");
                     var session = driver.session()) {
                    for (long n = 0; !stopping; n++) {
                        String id = probes.get((int) (n % probes.size()));
                        String title = "probe-" + n;
                        update.setString(1, title);
                        update.setString(2, id);
                        update.executeUpdate();
                        long committed = System.nanoTime();
                        while (!stopping && !title.equals(session.run("MATCH (c:ContentItem {id: $id}) RETURN c.contentType AS t", Map.of("id", id)).single().get("t").asString(null))) {
                            Thread.sleep(POLL_MS);
                        }
                        if (!stopping) {
                            synchronized (micros) {
                                micros.add((System.nanoTime() - committed) / 1_000);
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "bench-probe");
        }

        static ProbeLoop start(PgSettings settings, Driver driver, List<String> probes) {
            ProbeLoop loop = new ProbeLoop(settings, driver, probes);
            loop.thread.start();
            return loop;
        }

        /** Stops the loop (a probe in flight is dropped) and returns the latencies of the probes seen. */
        Percentiles stop() throws InterruptedException {
            stopping = true;
            thread.join(60_000);
            if (failure.get() != null) {
                throw new IllegalStateException("the probe loop failed: " + failure.get().getMessage(), failure.get());
            }
            synchronized (micros) {
                return Percentiles.of(micros.stream().mapToLong(Long::longValue).toArray());
            }
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            thread.join(60_000);
        }
    }

    private void print(long changes, List<Result> results) {
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
                .append(WARM_UP_DIVISOR).append(" of the changes; then the timed load.\n\n");
        out.append("| configuration | row changes | first write to graph caught up | changes/s | probes | p50 ms | p95 ms | p99 ms | max ms |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            out.append(String.format("| %s | %,d | %.2f s | %,.0f | %,d | %s |%n", r.configuration().label(), r.rowChanges(), r.nanos() / 1e9,
                    r.rowChanges() / (r.nanos() / 1e9), r.latency().count(), r.latency().cells()));
        }
        out.append("\nLatency: commit of a probe row's UPDATE of `content_type` (normal lane; one probe at a time, ").append(PROBES)
                .append(" rows over the partitions) until the graph shows it, polled every ").append(POLL_MS)
                .append(" ms, while the timed load runs; the same measurement for all three.\n\n");
        for (Result r : results) {
            out.append("* ").append(r.configuration().label()).append(", graph after the run: ").append(r.graph()).append('\n');
        }
        System.out.print(out);
    }
}
