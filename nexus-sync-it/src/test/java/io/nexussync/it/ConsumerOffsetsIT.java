package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.ConsumedOffsets.PartitionRange;
import io.nexussync.core.apply.OffsetsMovedException;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.it.testkit.TestServers;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.neo4j.Neo4jTransactions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * A Kafka consumer group's offsets kept in the real Neo4j, in each batch's own transaction: a batch stores its partitions'
 * next offsets with its writes; a batch that does not start where the graph stands (a zombie's after a rebalance, a retry
 * after its partition moved, a gap) is refused whole, its writes and offsets alike; two batches racing from one offset
 * serialize, and exactly one commits. Only Neo4j is needed: the graph writer is driven directly, with plans from the planner
 * over the built-in mapping. Its nodes (content items with ids of its own, offsets of its own groups) are removed before
 * each test and after the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsumerOffsetsIT {
    private static final String GROUP = "consumer-offsets-it";
    private static final String OTHER_GROUP = "consumer-offsets-it-other";
    private static final String TOPIC = "nexus.changes";
    private static final String CRITICAL_TOPIC = "nexus.changes.critical";
    /** Every content item this class writes has an id that starts so. */
    private static final String ID_PREFIX = "0ff5e700-";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int RACE_ROUNDS = 20;

    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());
    private Driver driver;
    private Neo4jGraphWriter writer;

    @BeforeAll
    void start() {
        driver = GraphDatabase.driver(TestServers.neo4j().boltUri(), AuthTokens.none());
        Neo4jSchema.ensureConstraints(driver, null, MappingLoader.builtIn());
        writer = new Neo4jGraphWriter(driver, null, "consumer_offsets_it_slot");
    }

    @BeforeEach
    void removeWhatThisClassWrote() {
        // As the service's own transactions: the nexus-sync plugin, if another class published reverse rules, leaves them be.
        cypher("MATCH (o:`_SyncKafkaOffset`) WHERE o.group STARTS WITH $group DELETE o", Map.of("group", GROUP));
        removeItems();
    }

    @AfterAll
    void stop() {
        removeWhatThisClassWrote();
        driver.close();
    }

    @Test
    void shouldStoreEachPartitionsNextOffsetWithTheBatchsWrites() {
        ApplyResult first = writer.applyConsumed(plan(item(1, "first", 1), item(2, "first", 1)),
                ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 0, 3), new PartitionRange(TOPIC, 2, 40, 41)));

        assertThat(first.nodeRows()).isEqualTo(2);
        assertThat(titles()).containsOnly(Map.entry(id(1), "first"), Map.entry(id(2), "first"));
        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEqualTo(Map.of(0, 3L, 2, 41L));

        // The next batch starts where the graph stands on the partitions it shares, anywhere on one the group has not had.
        writer.applyConsumed(plan(item(1, "second", 2)),
                ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 3, 7), new PartitionRange(TOPIC, 1, 12, 13)));

        assertThat(titles()).containsEntry(id(1), "second");
        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEqualTo(Map.of(0, 7L, 1, 13L, 2, 41L));
        assertThat(offsetRecords()).as("one record per partition, however often it moved").isEqualTo(3);
    }

    @Test
    void shouldRefuseAZombiesBatchWholeAndWriteNothingOfIt() {
        writer.applyConsumed(plan(item(1, "applied", 1)), ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 0, 5)));

        // The consumer the partition was taken from polled the same records before the rebalance and commits late; its batch
        // also holds a newer version of the item, another item, and a partition the group has never written.
        ConsumedOffsets zombie = ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 0, 8), new PartitionRange(TOPIC, 9, 0, 1));
        GraphWritePlan zombiePlan = plan(item(1, "zombie", 2), item(2, "zombie", 1));

        assertThatThrownBy(() -> writer.applyConsumed(zombiePlan, zombie)).isInstanceOfSatisfying(OffsetsMovedException.class, moved -> {
            assertThat(moved.isRetryable()).isFalse();
            assertThat(moved.group()).isEqualTo(GROUP);
            assertThat(moved.topic()).isEqualTo(TOPIC);
            assertThat(moved.partition()).isZero();
            assertThat(moved.expected()).isZero();
            assertThat(moved.found()).isEqualTo(5);
        });

        assertThat(titles()).as("the item unchanged, the other never made").containsOnly(Map.entry(id(1), "applied"));
        assertThat(pgVersion(1)).isEqualTo(1);
        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEqualTo(Map.of(0, 5L));
        assertThat(offsetRecords()).as("the new partition's record went with the rolled-back transaction").isEqualTo(1);
    }

    @Test
    void shouldRefuseABatchThatStartsPastTheStoredOffset() {
        writer.applyConsumed(plan(item(1, "applied", 1)), ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 0, 5)));

        assertThatThrownBy(() -> writer.applyConsumed(plan(item(1, "after a gap", 2)), ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 6, 9))))
                .isInstanceOfSatisfying(OffsetsMovedException.class, moved -> {
                    assertThat(moved.expected()).isEqualTo(6);
                    assertThat(moved.found()).isEqualTo(5);
                    assertThat(moved).hasMessageContaining("the batch skipped records");
                });

        assertThat(titles()).containsOnly(Map.entry(id(1), "applied"));
        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEqualTo(Map.of(0, 5L));
    }

    @Test
    void shouldRefuseTheWholeBatchWhenOnlyOneOfItsPartitionsMoved() {
        writer.applyConsumed(plan(item(1, "applied", 1)),
                ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 0, 5), new PartitionRange(CRITICAL_TOPIC, 0, 0, 2)));

        // Right on the normal topic, behind on the critical one.
        assertThatThrownBy(() -> writer.applyConsumed(plan(item(2, "half right", 1)),
                ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 5, 9), new PartitionRange(CRITICAL_TOPIC, 0, 1, 2))))
                .isInstanceOfSatisfying(OffsetsMovedException.class, moved -> assertThat(moved.topic()).isEqualTo(CRITICAL_TOPIC));

        assertThat(titles()).containsOnly(Map.entry(id(1), "applied"));
        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEqualTo(Map.of(0, 5L));
        assertThat(writer.loadOffsets(GROUP, CRITICAL_TOPIC)).isEqualTo(Map.of(0, 2L));
    }

    @Test
    void shouldLetExactlyOneOfTwoBatchesRacingFromOneOffsetCommit() throws Exception {
        writer.applyConsumed(GraphWritePlan.EMPTY, ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 0, 1)));
        long from = 1;
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < RACE_ROUNDS; round++) {
                long start = from;
                // Each racer's batch writes an item of its own, so only the offset record can make them wait for each other.
                long[] next = {from + 1, from + 2};
                GraphWritePlan plan0 = plan(item(raceItem(0, 0), "racer 0", 1));
                GraphWritePlan plan1 = plan(item(raceItem(0, 1), "racer 1", 1));
                Outcome[] outcomes = race(racers, List.of(
                        () -> writer.applyConsumed(plan0, ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, start, next[0]))),
                        () -> writer.applyConsumed(plan1, ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, start, next[1])))),
                        round);
                int winner = winner(outcomes, round);
                assertThat(writer.loadOffsets(GROUP, TOPIC)).as("round %d: the winner's offset", round).isEqualTo(Map.of(0, next[winner]));
                assertThat(titles()).as("round %d: only the winner's item", round).containsOnly(Map.entry(id(raceItem(0, winner)), "racer " + winner));
                removeItems();
                from = next[winner];
            }
        } finally {
            racers.shutdownNow();
        }
        assertThat(offsetRecords()).isEqualTo(1);
    }

    @Test
    void shouldLetExactlyOneOfTwoFirstBatchesOfAPartitionCommit() throws Exception {
        // Nothing held yet: the two racers meet on the record's creation, which the uniqueness constraint serializes.
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < RACE_ROUNDS; round++) {
                int partition = round;
                GraphWritePlan plan0 = plan(item(raceItem(partition, 0), "racer 0", 1));
                GraphWritePlan plan1 = plan(item(raceItem(partition, 1), "racer 1", 1));
                Outcome[] outcomes = race(racers, List.of(
                        () -> writer.applyConsumed(plan0, ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, partition, 0, 10))),
                        () -> writer.applyConsumed(plan1, ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, partition, 0, 20)))),
                        round);
                int winner = winner(outcomes, round);
                assertThat(writer.loadOffsets(GROUP, TOPIC)).as("round %d", round).containsEntry(partition, winner == 0 ? 10L : 20L);
                assertThat(titles()).as("round %d: only the winner's item", round).containsOnly(Map.entry(id(raceItem(partition, winner)), "racer " + winner));
                removeItems();
            }
        } finally {
            racers.shutdownNow();
        }
        assertThat(offsetRecords()).as("one record per partition").isEqualTo(RACE_ROUNDS);
    }

    @Test
    void shouldKeepGroupsAndTopicsApart() {
        writer.applyConsumed(plan(item(1, "graph a", 1)), ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 0, 5)));
        // Another group (another graph fed from the same topic) starts at its own offset: the first group's is not its own.
        writer.applyConsumed(plan(item(2, "graph b", 1)), ConsumedOffsets.of(OTHER_GROUP, new PartitionRange(TOPIC, 0, 0, 3)));
        // Partition 0 of another topic is another partition.
        writer.applyConsumed(GraphWritePlan.EMPTY, ConsumedOffsets.of(GROUP, new PartitionRange(CRITICAL_TOPIC, 0, 0, 2)));

        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEqualTo(Map.of(0, 5L));
        assertThat(writer.loadOffsets(OTHER_GROUP, TOPIC)).isEqualTo(Map.of(0, 3L));
        assertThat(writer.loadOffsets(GROUP, CRITICAL_TOPIC)).isEqualTo(Map.of(0, 2L));
        assertThat(writer.loadOffsets(OTHER_GROUP, CRITICAL_TOPIC)).isEmpty();
        assertThat(writer.loadOffsets(GROUP, "nexus.unknown")).isEmpty();

        // Each moves on from its own offset; the other group's offset is a moved one for this group.
        writer.applyConsumed(GraphWritePlan.EMPTY, ConsumedOffsets.of(OTHER_GROUP, new PartitionRange(TOPIC, 0, 3, 4)));
        assertThatThrownBy(() -> writer.applyConsumed(GraphWritePlan.EMPTY, ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 4, 6))))
                .isInstanceOf(OffsetsMovedException.class);
        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEqualTo(Map.of(0, 5L));
        assertThat(writer.loadOffsets(OTHER_GROUP, TOPIC)).isEqualTo(Map.of(0, 4L));

        // A reset forgets one group's offsets on every topic, and only that group's.
        writer.resetOffsets(GROUP);
        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEmpty();
        assertThat(writer.loadOffsets(GROUP, CRITICAL_TOPIC)).isEmpty();
        assertThat(writer.loadOffsets(OTHER_GROUP, TOPIC)).isEqualTo(Map.of(0, 4L));
        writer.applyConsumed(GraphWritePlan.EMPTY, ConsumedOffsets.of(GROUP, new PartitionRange(TOPIC, 0, 0, 1)));
        assertThat(writer.loadOffsets(GROUP, TOPIC)).isEqualTo(Map.of(0, 1L));
    }

    /** What one racer's call did: committed, or refused because the other had moved the offset. */
    private enum Outcome { COMMITTED, REFUSED }

    /** Runs the calls at once (a barrier releases them together) and says how each ended; any other failure fails the test. */
    private static Outcome[] race(ExecutorService racers, List<Runnable> calls, int round) throws Exception {
        CyclicBarrier start = new CyclicBarrier(calls.size());
        List<Future<Outcome>> results = new ArrayList<>();
        for (Runnable call : calls) {
            results.add(racers.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                try {
                    call.run();
                    return Outcome.COMMITTED;
                } catch (OffsetsMovedException refused) {
                    return Outcome.REFUSED;
                }
            }));
        }
        Outcome[] outcomes = new Outcome[calls.size()];
        for (int i = 0; i < outcomes.length; i++) {
            try {
                outcomes[i] = results.get(i).get(1, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                throw new AssertionError("round " + round + ": racer " + i + " failed otherwise than by a moved offset", e.getCause());
            }
        }
        return outcomes;
    }

    private static int winner(Outcome[] outcomes, int round) {
        assertThat(outcomes).as("round %d: exactly one racer commits, the other is refused", round)
                .containsExactlyInAnyOrder(Outcome.COMMITTED, Outcome.REFUSED);
        return outcomes[0] == Outcome.COMMITTED ? 0 : 1;
    }

    private static int raceItem(int partition, int racer) {
        return 1000 + partition * 10 + racer;
    }

    private void removeItems() {
        cypher("MATCH (n) WHERE n.id STARTS WITH $prefix DETACH DELETE n", Map.of("prefix", ID_PREFIX));
    }

    private static String id(int n) {
        return ID_PREFIX + String.format("0000-0000-0000-%012d", n);
    }

    /** A content item's row as PostgreSQL would send it, at row version {@code version}. */
    private static Map<String, Object> item(int n, String title, long version) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id(n));
        // No parents: a parent node two racers both MERGEd would make them wait for each other, not only the offset record.
        row.put("tenant_id", null);
        row.put("project_id", null);
        row.put("title", title);
        row.put("body", "body");
        row.put("content_type", "document");
        row.put("metadata", new JsonText("{}"));
        row.put("access_level", "private");
        row.put("view_count", 1L);
        row.put("created_by", null);
        row.put("created_at", T0.atOffset(ZoneOffset.UTC));
        row.put("updated_at", T0.atOffset(ZoneOffset.UTC));
        row.put("neo4j_node_id", null);
        row.put("pg_version", version);
        row.put("neo4j_version", 0L);
        return row;
    }

    @SafeVarargs
    private GraphWritePlan plan(Map<String, Object>... rows) {
        List<SourceChange> changes = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            changes.add(new SourceChange(new RowChange.Insert(TableId.parse("content_items"), row), Lsn.of(0x1000L), T0));
        }
        return planner.plan(changes);
    }

    private Map<String, String> titles() {
        Map<String, String> titles = new LinkedHashMap<>();
        for (Record r : cypher("MATCH (c:ContentItem) WHERE c.id STARTS WITH $prefix RETURN c.id AS id, c.title AS title", Map.of("prefix", ID_PREFIX))) {
            titles.put(r.get("id").asString(), r.get("title").asString());
        }
        return titles;
    }

    private long pgVersion(int n) {
        return cypher("MATCH (c:ContentItem {id: $id}) RETURN c.pgVersion AS v", Map.of("id", id(n))).get(0).get("v").asLong();
    }

    private long offsetRecords() {
        return cypher("MATCH (o:`_SyncKafkaOffset`) WHERE o.group STARTS WITH $group RETURN count(o) AS n", Map.of("group", GROUP))
                .get(0).get("n").asLong();
    }

    private List<Record> cypher(String query, Map<String, Object> parameters) {
        try (Session session = driver.session()) {
            return session.executeWrite(tx -> tx.run(query, parameters).list(), Neo4jTransactions.config("test-reset"));
        }
    }
}
