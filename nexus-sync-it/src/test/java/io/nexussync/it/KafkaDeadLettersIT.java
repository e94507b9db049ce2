package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.components.KafkaApplyComponent;
import io.nexussync.app.service.KafkaRoleService;
import io.nexussync.it.testkit.InProcessRole;
import io.nexussync.it.testkit.KafkaClients;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dead letters in the apply role ({@link DeadLetterIT} for {@code run}): capture publishes, in one PostgreSQL transaction
 * among good rows, a row whose title Neo4j refuses (a uniqueness constraint the database does not have) and a row with a
 * timestamp the graph has no form for, then an update of the first (which must wait behind it) and more good rows. Apply,
 * started once all of it is in the topic, so the refused changes sit in a batch with good ones, must keep going: the good
 * rows are in the graph, each refused change is a dead letter naming the topic, partition and offset it was consumed at
 * (the record there is its entity's), the graph's offsets reach the topic's end, and the graph equals the database except
 * for the two refused rows. Once the rows are fixed in PostgreSQL, {@code dlq retry} brings the graph equal to the
 * database. Run, capture and apply run on threads of this JVM, as the CLI builds them.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaDeadLettersIT {
    private static final int PARTITIONS = 3;
    private static final Pattern CONSUMED_AT = Pattern.compile(" consumed at (.+)-(\\d+)@(\\d+) \\(group (.+)\\)$");

    @Test
    void shouldDeadLetterTheChangesTheGraphRefusesAndApplyTheRestOfTheirPartitions() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("kafka_dead_letters")) {
            env.setup();
            String tenant = UUID.randomUUID().toString();
            String taken = "taken " + tenant;
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?::uuid, ?::uuid, ?)", tenant, tenant, taken);
            String topic = KafkaClients.uniqueTopic("kafka-dl-changes");
            String group = KafkaClients.uniqueTopic("kafka-dl-group");
            Map<String, String> environment = env.environment();
            environment.put("NEXUS_SYNC_KAFKA_BOOTSTRAP_SERVERS", TestServers.kafka().bootstrapServers());
            environment.put("NEXUS_SYNC_KAFKA_TOPIC", topic);
            environment.put("NEXUS_SYNC_KAFKA_PROGRESS_TOPIC", KafkaClients.uniqueTopic("kafka-dl-progress"));
            environment.put("NEXUS_SYNC_KAFKA_GROUP", group);
            environment.put("NEXUS_SYNC_KAFKA_PARTITIONS", String.valueOf(PARTITIONS));
            environment.put("NEXUS_SYNC_KAFKA_REPLICATION_FACTOR", "1");

            // run takes the snapshot (the row whose title is taken is in the graph), then the roles take over.
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(90));
            env.stopService();
            SyncEnvironment.CliRun setup = env.cli("setup", "--kafka");
            assertThat(setup.exit()).as("setup --kafka: %s %s", setup.out(), setup.err()).isZero();
            env.cypher("CREATE CONSTRAINT kafka_dl_title_unique IF NOT EXISTS FOR (c:ContentItem) REQUIRE c.title IS UNIQUE");
            String duplicate = UUID.randomUUID().toString();
            String infinite = UUID.randomUUID().toString();
            try (InProcessRole capture = InProcessRole.start(KafkaRoleService.capture(env.config()), "capture")) {
                try (var c = env.connect()) {
                    c.setAutoCommit(false);
                    for (int i = 0; i < 20; i++) {
                        insert(c, UUID.randomUUID().toString(), tenant, "before " + i + " " + tenant, "now()");
                    }
                    insert(c, duplicate, tenant, taken, "now()");
                    insert(c, infinite, tenant, "forever " + tenant, "'infinity'");
                    for (int i = 0; i < 20; i++) {
                        insert(c, UUID.randomUUID().toString(), tenant, "after " + i + " " + tenant, "now()");
                    }
                    c.commit();
                }
                env.sql("UPDATE content_items SET view_count = 7 WHERE id = ?::uuid", duplicate);
                env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT ?::uuid, ?::uuid, 'later ' || g || ' ' || ? "
                        + "FROM generate_series(1, 20) g", tenant, tenant, tenant);
                // Capture confirms the slot past this point only once all of it is committed in Kafka.
                env.awaitCaughtUp(Duration.ofSeconds(60));

                try (InProcessRole apply = InProcessRole.start(KafkaRoleService.apply(env.config(), KafkaApplyComponent.Format.NEXUS_SYNC), "apply")) {
                    KafkaClients.awaitGraphOffsetsAtEnd(env, topic, Duration.ofSeconds(60), Duration.ofSeconds(1), apply);

                    DeadLetterQueue queue = new DeadLetterQueue(env.config().postgres());
                    List<DeadLetterQueue.Entry> open = queue.list("open", 10);
                    assertThat(open).as("the two refused changes, heads").hasSize(2);
                    Map<String, ConsumerRecord<String, String>> records = recordsByPosition(topic);
                    for (DeadLetterQueue.Entry letter : open) {
                        Matcher at = CONSUMED_AT.matcher(letter.position());
                        assertThat(at.find()).as("dead letter #%d names where it was consumed: %s", letter.id(), letter.position()).isTrue();
                        assertThat(at.group(1)).isEqualTo(topic);
                        assertThat(at.group(4)).isEqualTo(group);
                        ConsumerRecord<String, String> record = records.get(at.group(2) + "@" + at.group(3));
                        assertThat(record).as("a record at " + letter.position()).isNotNull();
                        assertThat(record.key()).as("the record at the dead letter's offset is its entity's")
                                .contains(letter.entityKey().substring(letter.entityKey().indexOf('=') + 1));
                    }
                    assertThat(open).extracting(DeadLetterQueue.Entry::entityKey).containsExactlyInAnyOrder("id=" + duplicate, "id=" + infinite);
                    assertThat(open).filteredOn(letter -> letter.entityKey().equals("id=" + duplicate)).singleElement()
                            .satisfies(letter -> assertThat(queue.parkedBehind(letter.id())).as("its later update waits behind it").hasSize(1));

                    assertThat(env.cypher("MATCH (c:ContentItem) WHERE c.title ENDS WITH $t RETURN count(c) AS n", Map.of("t", tenant)).get(0).get("n").asLong())
                            .as("every good row of the tenant, and the one whose title the refused row took").isEqualTo(61);
                    List<String> problems = env.discrepancies();
                    assertThat(problems).as("the graph differs from the database in the refused rows only").isNotEmpty()
                            .allSatisfy(problem -> assertThat(problem).containsAnyOf(duplicate, infinite));

                    // Fixed in PostgreSQL, then retried: the rows as they are now go through capture and apply to the graph.
                    env.sql("UPDATE content_items SET title = ? WHERE id = ?::uuid", "no longer taken " + tenant, duplicate);
                    env.sql("UPDATE content_items SET updated_at = now() WHERE id = ?::uuid", infinite);
                    // The fixes wait behind their dead letters too: only the retry's re-read rows can bring them to the graph.
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (open.stream().mapToInt(letter -> queue.parkedBehind(letter.id()).size()).sum() < 3) {
                        assertThat(System.nanoTime()).as("the fixes parked behind their dead letters").isLessThan(deadline);
                        apply.assertAlive();
                        Thread.sleep(200);
                    }
                    for (DeadLetterQueue.Entry letter : open) {
                        SyncEnvironment.CliRun retry = env.cli("dlq", "retry", String.valueOf(letter.id()), "--reason", "row fixed");
                        assertThat(retry.exit()).as("dlq retry: %s %s", retry.out(), retry.err()).isZero();
                    }
                    env.awaitCaughtUp(Duration.ofSeconds(60));
                    KafkaClients.awaitGraphOffsetsAtEnd(env, topic, Duration.ofSeconds(60), Duration.ofSeconds(1), apply);
                    assertThat(env.awaitNoDiscrepancies(Duration.ofSeconds(20), Duration.ofMillis(500))).as("graph == database after the retries").isEmpty();
                    assertThat(queue.list(null, 10)).as("nothing waits").isEmpty();
                    capture.assertAlive();
                }
            } finally {
                // The Neo4j server is shared by every IT: the constraint must not outlive this one.
                env.cypher("DROP CONSTRAINT kafka_dl_title_unique IF EXISTS");
            }
        }
    }

    private static void insert(java.sql.Connection c, String id, String tenant, String title, String updatedAt) throws Exception {
        SyncEnvironment.execute(c, "INSERT INTO content_items (id, tenant_id, project_id, title, updated_at) VALUES (?::uuid, ?::uuid, ?::uuid, ?, "
                + updatedAt + ")", id, tenant, tenant, title);
    }

    /** Every committed record of {@code topic} by "partition@offset". */
    private static Map<String, ConsumerRecord<String, String>> recordsByPosition(String topic) {
        Map<String, ConsumerRecord<String, String>> byPosition = new TreeMap<>();
        for (ConsumerRecord<String, String> record : KafkaClients.readAll(topic, IsolationLevel.READ_COMMITTED)) {
            byPosition.put(record.partition() + "@" + record.offset(), record);
        }
        return byPosition;
    }

}
