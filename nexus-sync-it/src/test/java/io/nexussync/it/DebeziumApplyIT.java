package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.nexussync.app.components.KafkaApplyComponent;
import io.nexussync.app.service.KafkaRoleService;
import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.IncludesChurn;
import io.nexussync.it.testkit.InProcessRole;
import io.nexussync.it.testkit.KafkaClients;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import io.nexussync.it.testkit.TestServers;
import java.net.URI;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18's proof that a Debezium user can adopt nexus-sync's apply side: Debezium embedded 3.6.1 (its PostgreSQL
 * connector on pgoutput, its own slot on the service's publication, {@code snapshot.mode=initial}) captures the
 * contract workload and an INCLUDES churn from the real PostgreSQL, and every record it gives is written, as a Kafka
 * Connect worker writes it (JsonConverter, {@code schemas.enable} on and off, the record key hashed to a partition), to
 * a real topic of 4 partitions on the in-process KRaft broker. The connector's tables are routed into that one topic by
 * Debezium's own {@code ByLogicalTableRouter}, as apply reads one topic. {@code apply --from kafka --format debezium}
 * (the real role, in this JVM) consumes it into an empty graph, which then must:
 * <ul>
 *   <li>equal the database by the contract, INCLUDES history included ({@link TemporalHistory}'s audit; the
 *       connector's snapshot records stand for the rows written before it started);</li>
 *   <li>hold no value written as Debezium's {@code __debezium_unavailable_value}: content items whose large title and
 *       metadata are stored out of line (TOAST) are updated without touching them, which the topic carries as the
 *       placeholder (checked to be there), and the graph must keep the values the snapshot or the insert gave;</li>
 *   <li>have applied the topic to its end: the graph's offsets equal the topic's end offsets.</li>
 * </ul>
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DebeziumApplyIT {
    private static final String PLACEHOLDER = "__debezium_unavailable_value";
    private static final String MARKER_PREFIX = "debezium-apply-it-end";
    private static final int PARTITIONS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "schemas.enable={0}")
    @ValueSource(booleans = {true, false})
    void shouldGiveTheDatabasesGraphFromDebeziumsOwnEvents(boolean schemas) throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create(schemas ? "debezium_apply_schemas" : "debezium_apply_plain")) {
            env.setup();
            try (Connection c = env.connect()) {
                // Rows written before the connector starts reach the topic as its snapshot (op r), folding their changes.
                TemporalHistory.installAudit(c, true);
            }
            UUID tenant = UUID.randomUUID();
            UUID toastedBeforeSnapshot = insertToastedItem(env, tenant);
            String topic = KafkaClients.uniqueTopic("debezium-changes");
            try (var admin = KafkaClients.admin()) {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Map<String, String> environment = env.environment();
            environment.put("NEXUS_SYNC_KAFKA_BOOTSTRAP_SERVERS", TestServers.kafka().bootstrapServers());
            environment.put("NEXUS_SYNC_KAFKA_TOPIC", topic);
            environment.put("NEXUS_SYNC_KAFKA_GROUP", KafkaClients.uniqueTopic("debezium-apply-group"));
            environment.put("NEXUS_SYNC_BATCH_SIZE", "50");

            try (DebeziumToKafka debezium = DebeziumToKafka.start(env, topic, schemas);
                 InProcessRole apply = InProcessRole.start(KafkaRoleService.apply(env.config(), KafkaApplyComponent.Format.DEBEZIUM), "apply-debezium")) {
                try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 3, 18, 6);
                     IncludesChurn churn = new IncludesChurn(env.config().postgres(), 19, 4)) {
                    UUID toastedWhileStreaming = insertToastedItem(env, tenant);
                    for (int i = 0; i < 3; i++) {
                        Thread.sleep(2_500);
                        // Neither statement touches title or metadata: both arrive as the placeholder.
                        env.sql("UPDATE content_items SET view_count = view_count + 1 WHERE id = ?", toastedBeforeSnapshot);
                        env.sql("UPDATE content_items SET access_level = ? WHERE id = ?", i % 2 == 0 ? "tenant" : "public", toastedWhileStreaming);
                    }
                    Thread.sleep(5_000);
                    assertThat(workload.transactions()).isGreaterThan(100);
                    assertThat(churn.changes()).isGreaterThan(100);
                }
                debezium.awaitMarker(env, Duration.ofSeconds(90));
                // The echoes of apply's own write-back of cross-references (row updates the connector captures too) arrive meanwhile.
                KafkaClients.awaitGraphOffsetsAtEnd(env, topic, Duration.ofSeconds(120), Duration.ofSeconds(3), apply);
            }

            // every check, so that a run shows each one that fails
            List<String> problems = new java.util.ArrayList<>(env.discrepancies());
            long nodesWithPlaceholder = env.cypher("MATCH (n) WHERE any(k IN keys(n) WHERE toString(n[k]) CONTAINS $p) RETURN count(n) AS c",
                    Map.of("p", PLACEHOLDER)).get(0).get("c").asLong();
            long relationshipsWithPlaceholder = env.cypher("MATCH ()-[r]->() WHERE any(k IN keys(r) WHERE toString(r[k]) CONTAINS $p) "
                    + "RETURN count(r) AS c", Map.of("p", PLACEHOLDER)).get(0).get("c").asLong();
            if (nodesWithPlaceholder + relationshipsWithPlaceholder > 0) {
                problems.add(nodesWithPlaceholder + " node(s) and " + relationshipsWithPlaceholder + " relationship(s) hold Debezium's " + PLACEHOLDER);
            }
            Map<String, Integer> ops = operationsInTopic(topic, schemas);
            System.out.printf("Debezium apply (schemas.enable=%s): the topic held %s%n", schemas, ops);
            for (String kind : List.of("r", "c", "u", "d")) {
                if (!ops.containsKey(kind)) {
                    problems.add("the topic holds no op " + kind + " record: " + ops);
                }
            }
            if (ops.getOrDefault("placeholder", 0) < 6) {
                problems.add("the topic holds " + ops.getOrDefault("placeholder", 0) + " records with the placeholder, fewer than the 6 "
                        + "updates that left the TOASTed title and metadata unchanged");
            }
            assertThat(problems).as("graph == database by the contract (INCLUDES history included), no placeholder written, "
                    + "the topic carrying every kind of event").isEmpty();
        }
    }

    /** A content item whose title and metadata are large and random, so PostgreSQL stores them out of line (TOAST). */
    private static UUID insertToastedItem(SyncEnvironment env, UUID tenant) throws Exception {
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, metadata) VALUES (?, ?, ?, "
                + "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 250)), "
                + "jsonb_build_object('blob', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 250))))",
                id, tenant, tenant);
        return id;
    }

    /** How many records of each op the topic holds, and how many carry the unavailable-value placeholder. */
    private static Map<String, Integer> operationsInTopic(String topic, boolean schemas) throws Exception {
        Map<String, Integer> ops = new TreeMap<>();
        for (ConsumerRecord<String, String> record : KafkaClients.readAll(topic, IsolationLevel.READ_COMMITTED)) {
            if (record.value() == null) {
                ops.merge("tombstone", 1, Integer::sum);
                continue;
            }
            JsonNode value = JSON.readTree(record.value());
            assertThat(value.has("schema")).as("a record written with schemas.enable=%s", schemas).isEqualTo(schemas);
            JsonNode payload = schemas ? value.get("payload") : value;
            ops.merge(payload.path("op").asText("none"), 1, Integer::sum);
            if (record.value().contains(PLACEHOLDER)) {
                ops.merge("placeholder", 1, Integer::sum);
            }
        }
        return ops;
    }

    /**
     * Debezium embedded's PostgreSQL connector, each poll batch written to the topic as a Kafka Connect worker would
     * (JsonConverter for key and value, the key's bytes deciding the partition) and acknowledged to the engine once the
     * broker has it.
     */
    private static final class DebeziumToKafka implements AutoCloseable {
        private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
        private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "debezium-embedded"));
        private final KafkaProducer<byte[], byte[]> producer;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean markerSeen;

        private DebeziumToKafka(SyncEnvironment env, String topic, boolean schemas) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers(),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
            JsonConverter keys = new JsonConverter();
            keys.configure(Map.of("schemas.enable", schemas), true);
            JsonConverter values = new JsonConverter();
            values.configure(Map.of("schemas.enable", schemas), false);
            engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(properties(env, topic))
                    .notifying((records, committer) -> {
                        try {
                            for (RecordChangeEvent<SourceRecord> event : records) {
                                SourceRecord r = event.record();
                                byte[] key = keys.fromConnectData(r.topic(), r.keySchema(), r.key());
                                byte[] value = values.fromConnectData(r.topic(), r.valueSchema(), r.value());
                                producer.send(new ProducerRecord<>(r.topic(), key, value));
                                if (value != null && new String(value, java.nio.charset.StandardCharsets.UTF_8).contains(MARKER_PREFIX)) {
                                    markerSeen = true;
                                }
                            }
                            producer.flush();
                            for (RecordChangeEvent<SourceRecord> event : records) {
                                committer.markProcessed(event);
                            }
                            committer.markBatchFinished();
                        } catch (RuntimeException e) {
                            failure.compareAndSet(null, e);
                            throw e;
                        }
                    })
                    .using((success, message, error) -> {
                        if (!success) {
                            failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
                        }
                    })
                    .build();
            executor.execute(engine);
        }

        static DebeziumToKafka start(SyncEnvironment env, String topic, boolean schemas) {
            return new DebeziumToKafka(env, topic, schemas);
        }

        /** The connector as a Debezium user configures it, its tables routed into the one topic apply reads. */
        private static Properties properties(SyncEnvironment env, String topic) {
            Map<String, String> e = env.environment();
            URI url = URI.create(e.get("NEXUS_SYNC_PG_URL").substring("jdbc:".length()));
            Properties p = new Properties();
            p.setProperty("name", "debezium-apply-it");
            p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
            p.setProperty("offset.flush.interval.ms", "1000");
            p.setProperty("topic.prefix", "dbz");
            p.setProperty("database.hostname", url.getHost());
            p.setProperty("database.port", String.valueOf(url.getPort()));
            p.setProperty("database.dbname", url.getPath().substring(1));
            p.setProperty("database.user", e.get("NEXUS_SYNC_PG_USER"));
            p.setProperty("database.password", e.get("NEXUS_SYNC_PG_PASSWORD"));
            p.setProperty("plugin.name", "pgoutput");
            p.setProperty("slot.name", e.get("NEXUS_SYNC_SLOT").replace("_slot", "_dbz"));
            p.setProperty("slot.drop.on.stop", "true");
            p.setProperty("publication.name", e.get("NEXUS_SYNC_PUBLICATION"));
            p.setProperty("publication.autocreate.mode", "disabled");
            p.setProperty("snapshot.mode", "initial");
            p.setProperty("transforms", "route");
            p.setProperty("transforms.route.type", "io.debezium.transforms.ByLogicalTableRouter");
            p.setProperty("transforms.route.topic.regex", "dbz\\..*");
            p.setProperty("transforms.route.topic.replacement", topic);
            // the record key stays the row's key: no table identifier added (one table's rows share no key with another's)
            p.setProperty("transforms.route.key.enforce.uniqueness", "false");
            return p;
        }

        /** Writes a logical decoding message now and waits until the connector has put it in the topic. */
        void awaitMarker(SyncEnvironment env, Duration atMost) throws Exception {
            env.query("SELECT pg_logical_emit_message(true, ?, 'end')::text AS lsn", MARKER_PREFIX);
            long deadline = System.nanoTime() + atMost.toNanos();
            while (!markerSeen) {
                assertAlive();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Debezium did not write the end marker to the topic within " + atMost);
                }
                Thread.sleep(200);
            }
            assertAlive();
        }

        private void assertAlive() {
            if (failure.get() != null) {
                throw new AssertionError("Debezium embedded failed", failure.get());
            }
        }

        @Override
        public void close() throws Exception {
            try {
                engine.close();
            } finally {
                executor.shutdown();
                executor.awaitTermination(1, TimeUnit.MINUTES);
                producer.close(Duration.ofSeconds(10));
            }
        }
    }

}
