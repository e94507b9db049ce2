package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Position;
import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.CrashRuns;
import io.nexussync.it.testkit.IncludesChurn;
import io.nexussync.it.testkit.KafkaClients;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import io.nexussync.it.testkit.TestServers;
import io.nexussync.kafka.records.ChangeRecordCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code run} split in two over a real Kafka broker (in-process KRaft): {@code capture --to kafka} and
 * {@code apply --from kafka} (two instances, or one with {@code -Dkafka.applyInstances=1}), each a child JVM of the real
 * executable, under the contract workload and an INCLUDES churn, while capture and an apply instance die by SIGKILL again
 * and again at random moments (their partitions assigned anew at each restart; with two, the survivor takes the dead
 * one's over, and back). Afterwards:
 * <ul>
 *   <li>the graph equals the database by the contract, INCLUDES history included (an audit trigger recorded every
 *       change; {@link TemporalHistory});</li>
 *   <li>the topic holds every change once: no two records at one stream position (a capture that published a
 *       transaction again after a crash), and each partition's positions only grow;</li>
 *   <li>no record was applied twice: the transaction log's batches of each partition cover disjoint offset ranges,
 *       and the graph's offset of each partition is at or past every logged batch of it;</li>
 *   <li>{@code nexus-sync status} and the last apply instance's {@code /status} and {@code /metrics} show a lag of 0.</li>
 * </ul>
 * {@code -Dkafka.runs=N} repeats it with seeds from {@code kafka.seed} ({@code bench/run-kafka-crash.sh}); CI runs one.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class KafkaRolesIT {
    private static final int KILLS = 6;
    private static final int PARTITIONS = 4;
    /**
     * Apply instances: two, one killed and restarted while the other takes its partitions over and gives them back, their
     * batches concurrent (a delete in one meeting an older change of the node in the other: {@code DeletionMarkersIT});
     * {@code -Dkafka.applyInstances=1} for one, killed and restarted, its partitions assigned anew each time.
     */
    private static final int APPLY_INSTANCES = Integer.getInteger("kafka.applyInstances", 2);

    @Test
    void shouldLoseNothingAndApplyNothingTwiceAcrossKillsOfCaptureAndApply() throws Exception {
        CrashRuns.repeat("kafka roles", "kafka", 3, "runs whose graph differs from the database after the kills", this::oneRun);
    }

    private List<String> oneRun(long seed) throws Exception {
        Random random = new Random(seed);
        try (SyncEnvironment env = SyncEnvironment.create("kafka_roles")) {
            env.setup();
            try (Connection c = env.connect()) {
                TemporalHistory.installAudit(c);
            }
            String topic = KafkaClients.uniqueTopic("kafka-roles-changes");
            Map<String, String> environment = env.environment();
            environment.put("NEXUS_SYNC_KAFKA_BOOTSTRAP_SERVERS", TestServers.kafka().bootstrapServers());
            environment.put("NEXUS_SYNC_KAFKA_TOPIC", topic);
            environment.put("NEXUS_SYNC_KAFKA_PROGRESS_TOPIC", KafkaClients.uniqueTopic("kafka-roles-progress"));
            environment.put("NEXUS_SYNC_KAFKA_GROUP", KafkaClients.uniqueTopic("kafka-roles-group"));
            environment.put("NEXUS_SYNC_KAFKA_PARTITIONS", String.valueOf(PARTITIONS));
            environment.put("NEXUS_SYNC_KAFKA_REPLICATION_FACTOR", "1");
            environment.put("NEXUS_SYNC_BATCH_SIZE", "50");
            System.out.printf("kafka roles run (seed %d): capture and %d apply instance(s)%n", seed, APPLY_INSTANCES);
            // run takes the (empty) snapshot; from then on, capture and apply carry every change.
            ChildService first = ChildService.start(environment, ChildService.logFile("kafka-roles-run-" + seed));
            env.awaitCaughtUp(Duration.ofSeconds(90));
            assertThat(first.terminate()).isIn(0, 143);
            ChildService.Command setup = ChildService.command(environment, Duration.ofSeconds(90), "setup", "--kafka");
            assertThat(setup.exit()).as("setup --kafka: %s %s", setup.out(), setup.err()).isZero();

            Path captureLog = ChildService.logFile("kafka-roles-capture-" + seed);
            Path applyLog = ChildService.logFile("kafka-roles-apply-" + seed);
            Path survivorLog = ChildService.logFile("kafka-roles-apply-survivor-" + seed);
            ChildService capture = startCapture(environment, captureLog);
            // The instance that lives to the end serves its admin API, to be read once the graph has caught up.
            int adminPort;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                adminPort = free.getLocalPort();
            }
            Map<String, String> withAdmin = new HashMap<>(environment);
            withAdmin.put("NEXUS_SYNC_ADMIN_PORT", String.valueOf(adminPort));
            Map<String, String> killedEnvironment = APPLY_INSTANCES == 1 ? withAdmin : environment;
            ChildService apply = startApply(killedEnvironment, applyLog);
            ChildService survivor = APPLY_INSTANCES == 1 ? null : startApply(withAdmin, survivorLog);
            List<String> problems = new ArrayList<>();
            try {
                try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 3, seed * 31, 6);
                     IncludesChurn churn = new IncludesChurn(env.config().postgres(), seed * 37, 4)) {
                    for (int i = 0; i < KILLS; i++) {
                        Thread.sleep(1_500 + random.nextInt(3_000));
                        if ((i + seed) % 2 == 0) {
                            assertThat(capture.isAlive()).as("capture died on its own; see %s", captureLog).isTrue();
                            capture.kill();
                            Thread.sleep(random.nextInt(2_000));
                            capture = startCapture(environment, captureLog);
                        } else {
                            assertThat(apply.isAlive()).as("apply died on its own; see %s", applyLog).isTrue();
                            apply.kill();
                            // Down long enough for the group to move its partitions to the survivor, at times.
                            Thread.sleep(random.nextInt(8_000));
                            apply = startApply(killedEnvironment, applyLog);
                        }
                    }
                    assertThat(workload.transactions()).isGreaterThan(100);
                    assertThat(churn.changes()).isGreaterThan(100);
                    System.out.printf("kafka roles run (seed %d): %d workload transactions, %d thread_content churn changes%n",
                            seed, workload.transactions(), churn.changes());
                }
                // Capture has published everything once the slot is confirmed past a marker written now.
                env.awaitCaughtUp(Duration.ofSeconds(120));
                problems.addAll(env.awaitNoDiscrepancies(Duration.ofSeconds(180), Duration.ofMillis(2000)));
                if (survivor != null) {
                    assertThat(survivor.isAlive()).as("the surviving apply instance died on its own; see %s", survivorLog).isTrue();
                }
                problems.addAll(lagReadsZero(environment, adminPort));
            } finally {
                for (ChildService child : java.util.Arrays.asList(capture, apply, survivor)) {
                    if (child != null && child.isAlive()) {
                        child.terminate();
                    }
                }
            }
            problems.addAll(topicHoldsEachChangeOnce(env, topic));
            problems.addAll(noRecordAppliedTwice(env, topic));
            if (!problems.isEmpty()) {
                problems.add("logs: " + captureLog.toAbsolutePath() + ", " + applyLog.toAbsolutePath() + ", " + survivorLog.toAbsolutePath());
            }
            return problems;
        }
    }

    private static ChildService startCapture(Map<String, String> environment, Path log) throws Exception {
        return ChildService.start(environment, log, "capture", "--to", "kafka");
    }

    private static ChildService startApply(Map<String, String> environment, Path log) throws Exception {
        return ChildService.start(environment, log, "apply", "--from", "kafka");
    }

    /**
     * Once the graph has caught up: {@code nexus-sync status} shows a lag of 0 for the group, and the survivor's own
     * {@code /status} and {@code /metrics} show its partitions' lag (0 by the time its next poll has run).
     */
    private static List<String> lagReadsZero(Map<String, String> environment, int adminPort) throws Exception {
        List<String> problems = new ArrayList<>();
        ChildService.Command status = ChildService.command(environment, Duration.ofSeconds(60), "status");
        if (status.exit() != 0 || !status.out().contains("kafka:") || !status.out().contains("  lag: 0\n")) {
            problems.add("nexus-sync status does not show a lag of 0 (exit " + status.exit() + "):\n" + status.out() + status.err());
        }
        var http = java.net.http.HttpClient.newHttpClient();
        String metrics = "";
        String adminStatus = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            adminStatus = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/status")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (metrics.matches("(?s).*\nnexus_sync_kafka_consumer_lag\\{[^}]*\\} 0\\.0\n.*")) {
                break;
            }
            Thread.sleep(500);
        }
        if (!metrics.matches("(?s).*\nnexus_sync_kafka_consumer_lag\\{[^}]*\\} 0\\.0\n.*") || !metrics.contains("nexus_sync_kafka_partition_lag{")) {
            problems.add("the survivor's /metrics has no consumer lag of 0: " + metrics.lines().filter(l -> l.contains("kafka")).toList());
        }
        if (!adminStatus.contains("\"lagByPartition\"") || !adminStatus.contains("\"state\":\"streaming\"")) {
            problems.add("the survivor's /status lacks its streaming state or lag by partition: " + adminStatus);
        }
        return problems;
    }

    private static List<String> topicHoldsEachChangeOnce(SyncEnvironment env, String topic) {
        ChangeRecordCodec codec = new ChangeRecordCodec(env.config().loadMapping());
        List<String> problems = new ArrayList<>();
        Set<Position> seen = new HashSet<>();
        Map<String, Position> lastPerPartition = new HashMap<>();
        // The critical topic holds the changes that overtake (a node's delete, a whole critical update): once in either topic.
        List<ConsumerRecord<String, String>> records = new ArrayList<>(KafkaClients.readAll(topic, IsolationLevel.READ_COMMITTED));
        records.addAll(KafkaClients.readAll(topic + ".critical", IsolationLevel.READ_COMMITTED));
        for (ConsumerRecord<String, String> record : records) {
            Position position = codec.decode(record.value().getBytes(StandardCharsets.UTF_8)).position();
            if (!seen.add(position)) {
                problems.add("the change at " + position + " is in the topic twice (partition " + record.partition() + ", offset " + record.offset() + ")");
            }
            Position before = lastPerPartition.put(record.topic() + "/" + record.partition(), position);
            if (before != null && before.compareTo(position) >= 0) {
                problems.add(record.topic() + " partition " + record.partition() + " holds " + position + " after " + before + " (offset " + record.offset() + ")");
            }
        }
        if (records.size() < 100) {
            problems.add("the topic holds only " + records.size() + " changes");
        }
        return problems;
    }

    private static List<String> noRecordAppliedTwice(SyncEnvironment env, String topic) throws Exception {
        List<String> problems = new ArrayList<>();
        Map<String, TreeMap<Long, Long>> batches = new HashMap<>();
        var rows = env.query("SELECT summary::text AS s FROM nexus_sync.transaction_log WHERE kind = 'batch' AND summary -> 'consumed' IS NOT NULL ORDER BY id");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (Map<String, Object> row : rows) {
            var consumed = json.readTree((String) row.get("s")).get("consumed");
            for (var partitions = consumed.fields(); partitions.hasNext(); ) {
                var entry = partitions.next();
                long from = entry.getValue().get(0).asLong();
                long next = entry.getValue().get(1).asLong();
                Long earlier = batches.computeIfAbsent(entry.getKey(), p -> new TreeMap<>()).put(from, next);
                if (earlier != null) {
                    problems.add(entry.getKey() + ": two batches start at offset " + from);
                }
            }
        }
        if (batches.values().stream().mapToInt(Map::size).sum() < KILLS) {
            problems.add("the transaction log holds only " + batches.values().stream().mapToInt(Map::size).sum() + " apply batches");
        }
        for (var partition : batches.entrySet()) {
            long end = -1;
            for (var range : partition.getValue().entrySet()) {
                if (range.getKey() < end) {
                    problems.add(partition.getKey() + ": the batch of offsets [" + range.getKey() + ", " + range.getValue()
                            + ") re-applies records a batch before it applied (up to " + end + ")");
                }
                end = Math.max(end, range.getValue());
            }
            String[] topicAndPartition = partition.getKey().split("/");
            var stored = env.cypher("MATCH (o:`_SyncKafkaOffset` {topic: $topic, partition: $partition}) RETURN o.next AS next",
                    Map.of("topic", topicAndPartition[0], "partition", Long.parseLong(topicAndPartition[1])));
            if (stored.isEmpty() || stored.get(0).get("next").asLong() < end) {
                problems.add(partition.getKey() + ": the graph's offset " + (stored.isEmpty() ? "is missing" : stored.get(0).get("next").asLong())
                        + ", behind the logged batches' end " + end);
            }
        }
        if (!batches.keySet().stream().allMatch(p -> p.startsWith(topic + "/") || p.startsWith(topic + ".critical/"))) {
            problems.add("batches of other topics logged: " + batches.keySet());
        }
        return problems;
    }
}
