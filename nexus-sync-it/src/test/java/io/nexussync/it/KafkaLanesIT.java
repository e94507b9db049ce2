package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.KafkaClients;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lanes survive the Kafka hop ({@link LanesIT} for {@code run}): with apply stopped, 20,000 view-count updates (the low
 * lane) go through capture into the change topic, then one access-level change (critical: it revokes access). Apply,
 * started only then, must write the access-level change in its first graph batch, ahead of the backlog it was committed
 * after, and end with the graph equal to the database. Capture and apply are child JVMs of the real executable on the
 * in-process KRaft broker; the order is read from the transaction log's rows (each batch's consumed offsets), so
 * nothing is timed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaLanesIT {
    private static final int ROWS = 2_000;
    private static final int ROUNDS = 10;

    @Test
    void shouldApplyACriticalChangeBeforeTheBacklogItWasCommittedAfter() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("kafka_lanes")) {
            env.setup();
            UUID tenant = UUID.randomUUID();
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT ?, ?, 'item ' || g FROM generate_series(1, " + ROWS + ") g",
                    tenant, tenant);
            String target = (String) env.query("SELECT id::text AS id FROM content_items ORDER BY id LIMIT 1").get(0).get("id");
            String topic = KafkaClients.uniqueTopic("kafka-lanes-changes");
            String criticalTopic = topic + ".critical";
            Map<String, String> environment = env.environment();
            environment.put("NEXUS_SYNC_KAFKA_BOOTSTRAP_SERVERS", TestServers.kafka().bootstrapServers());
            environment.put("NEXUS_SYNC_KAFKA_TOPIC", topic);
            environment.put("NEXUS_SYNC_KAFKA_PROGRESS_TOPIC", KafkaClients.uniqueTopic("kafka-lanes-progress"));
            environment.put("NEXUS_SYNC_KAFKA_GROUP", KafkaClients.uniqueTopic("kafka-lanes-group"));
            environment.put("NEXUS_SYNC_KAFKA_PARTITIONS", "3");
            environment.put("NEXUS_SYNC_KAFKA_REPLICATION_FACTOR", "1");
            environment.put("NEXUS_SYNC_BATCH_SIZE", "500");
            // The user's own client settings (here an id the broker shows) reach the roles' clients (TLS and SASL go the same way).
            Path clientSettings = Files.createTempFile("kafka-lanes-client", ".properties");
            Files.writeString(clientSettings, "client.id=kafka-lanes-user-client\n");
            environment.put("NEXUS_SYNC_KAFKA_CLIENT_PROPERTIES", clientSettings.toString());

            // run takes the snapshot; then capture carries every change while apply is not running yet.
            ChildService first = ChildService.start(environment, ChildService.logFile("kafka-lanes-run"));
            env.awaitCaughtUp(Duration.ofSeconds(90));
            assertThat(first.terminate()).isIn(0, 143);
            ChildService.Command setup = ChildService.command(environment, Duration.ofSeconds(90), "setup", "--kafka");
            assertThat(setup.exit()).as("setup --kafka: %s %s", setup.out(), setup.err()).isZero();
            assertThat(setup.out()).contains(criticalTopic);

            Path captureLog = ChildService.logFile("kafka-lanes-capture");
            Path applyLog = ChildService.logFile("kafka-lanes-apply");
            ChildService capture = ChildService.start(environment, captureLog, "capture", "--to", "kafka");
            ChildService apply = null;
            try {
                try (var c = env.connect(); var st = c.createStatement()) {
                    for (int round = 0; round < ROUNDS; round++) {
                        st.execute("UPDATE content_items SET view_count = view_count + 1");
                    }
                }
                env.sql("UPDATE content_items SET access_level = 'private' WHERE id = ?::uuid", target);
                // Capture has published everything once the slot is confirmed past a marker written now.
                env.awaitCaughtUp(Duration.ofSeconds(120));
                assertThat(capture.isAlive()).as("capture died; see %s", captureLog).isTrue();

                List<ConsumerRecord<String, String>> critical = KafkaClients.readAll(criticalTopic, IsolationLevel.READ_COMMITTED);
                assertThat(critical).as("the critical topic holds the access-level change alone").singleElement()
                        .satisfies(r -> assertThat(r.key()).contains(target));
                assertThat(KafkaClients.readAll(topic, IsolationLevel.READ_COMMITTED)).as("the backlog, in the change topic")
                        .hasSize(ROWS * ROUNDS);

                int adminPort;
                try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                    adminPort = free.getLocalPort();
                }
                Map<String, String> withAdmin = new java.util.HashMap<>(environment);
                withAdmin.put("NEXUS_SYNC_ADMIN_PORT", String.valueOf(adminPort));
                apply = ChildService.start(withAdmin, applyLog, "apply", "--from", "kafka");
                List<String> problems = env.awaitNoDiscrepancies(Duration.ofSeconds(120), Duration.ofMillis(1000));
                assertThat(problems).as("graph == database; apply's log: %s", applyLog).isEmpty();
                try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                        Map.<String, Object>of("bootstrap.servers", TestServers.kafka().bootstrapServers()))) {
                    String group = environment.get("NEXUS_SYNC_KAFKA_GROUP");
                    var members = admin.describeConsumerGroups(List.of(group)).all().get(30, java.util.concurrent.TimeUnit.SECONDS)
                            .get(group).members();
                    assertThat(members).as("apply's consumer, with the client settings of " + clientSettings).isNotEmpty()
                            .allSatisfy(member -> assertThat(member.clientId()).isEqualTo("kafka-lanes-user-client"));
                }

                // Operations see both topics: status per topic and partition, apply's gauge labelled with the topic.
                ChildService.Command status = ChildService.command(environment, Duration.ofSeconds(60), "status");
                assertThat(status.exit()).as("status: %s", status.err()).isZero();
                assertThat(status.out()).as("status").contains("criticalLag: 0\n")
                        .contains(criticalTopic + " partition 0: ", criticalTopic + " partition 1: ", criticalTopic + " partition 2: ");
                String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics.lines().filter(line -> line.startsWith("nexus_sync_kafka_partition_lag{")).toList())
                        .as("apply's per-partition lag").anySatisfy(line -> assertThat(line).contains("topic=\"" + criticalTopic + "\""))
                        .anySatisfy(line -> assertThat(line).contains("topic=\"" + topic + "\""));
            } finally {
                for (ChildService child : java.util.Arrays.asList(capture, apply)) {
                    if (child != null && child.isAlive()) {
                        child.terminate();
                    }
                }
            }

            List<JsonNode> batches = consumedByBatch(env);
            assertThat(batches).as("apply's batches, as logged").hasSizeGreaterThan(ROWS * ROUNDS / 500 / 2);
            assertThat(topicsOf(batches.get(0))).as("the first batch written carries the critical topic's record alone; all: %s", batches)
                    .containsExactly(criticalTopic);
            assertThat(batches.subList(1, batches.size())).as("the backlog, all after it")
                    .allSatisfy(batch -> assertThat(topicsOf(batch)).containsOnly(topic));
            assertThat(env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.accessLevel AS a", Map.of("id", target)).get(0).get("a").asString())
                    .isEqualTo("private");
            assertThat(env.cypher("MATCH (c:ContentItem) RETURN sum(c.viewCount) AS v").get(0).get("v").asLong())
                    .isEqualTo((long) ROWS * ROUNDS);
        }
    }

    /** Each logged apply batch's consumed offsets ({"topic/partition": [from, next]}), in the order they were written. */
    private static List<JsonNode> consumedByBatch(SyncEnvironment env) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> batches = new ArrayList<>();
        for (Map<String, Object> row : env.query("SELECT summary::text AS s FROM nexus_sync.transaction_log WHERE kind = 'batch' "
                + "AND summary -> 'consumed' IS NOT NULL ORDER BY id")) {
            batches.add(json.readTree((String) row.get("s")).get("consumed"));
        }
        return batches;
    }

    private static List<String> topicsOf(JsonNode consumed) {
        List<String> topics = new ArrayList<>();
        consumed.fieldNames().forEachRemaining(key -> {
            String name = key.substring(0, key.lastIndexOf('/'));
            if (!topics.contains(name)) {
                topics.add(name);
            }
        });
        return topics;
    }

}
