package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jGraphWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The temporal statements themselves, on the real Neo4j, without the checkpoint that normally keeps a
 * replay away: whatever the order in which already-applied transactions come again (a retry after an
 * ambiguous commit, a replay after a crash), the history of a pair stays exactly what applying each
 * transaction once made it, including across a delete and a re-insert whose row version starts over.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TemporalReplayIT {
    private static final TableId THREAD_CONTENT = TableId.parse("thread_content");
    private static final String THREAD = "00000000-0000-0000-0000-0000000000a1";
    private static final String CONTENT = "00000000-0000-0000-0000-0000000000c1";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.000001Z");

    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());
    private SyncEnvironment env;
    private Neo4jGraphWriter writer;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("temporal_replay");
        writer = new Neo4jGraphWriter(env.driver(), null, "temporal_replay_slot");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @BeforeEach
    void emptyGraph() {
        env.cypher("MATCH (n) DETACH DELETE n");
    }

    /** Insert; update; two updates in one transaction; delete; insert again (version 1 again); update. */
    private List<List<SourceChange>> transactions() {
        return List.of(
                tx(1, RowChangeOf.insert(0.1, 1, 1)),
                tx(2, RowChangeOf.update(0.2, 2, 2)),
                tx(3, RowChangeOf.update(0.3, 3, 3), RowChangeOf.update(0.4, 4, 4)),
                tx(4, RowChangeOf.delete()),
                tx(5, RowChangeOf.insert(0.5, 9, 1)),
                tx(6, RowChangeOf.update(0.6, 10, 2)));
    }

    @Test
    void shouldLeaveTheHistoryAsItWasWhenAppliedTransactionsComeAgainInAnyOrder() {
        List<List<SourceChange>> transactions = transactions();
        for (List<SourceChange> tx : transactions) {
            apply(tx);
        }
        List<String> once = history();
        assertThat(once).containsExactly(
                version(1, 0.1, 1, 2),
                version(2, 0.2, 2, 3),
                version(3, 0.3, 3, 3),
                version(4, 0.4, 3, 4),
                version(1, 0.5, 5, 6),
                version(2, 0.6, 6, -1));

        Random random = new Random(11);
        for (int round = 0; round < 20; round++) {
            List<List<SourceChange>> replay = new ArrayList<>(transactions);
            Collections.shuffle(replay, random);
            for (List<SourceChange> tx : replay.subList(0, 1 + random.nextInt(replay.size()))) {
                apply(tx);
            }
            assertThat(history()).as("after replay round %d", round).isEqualTo(once);
        }
    }

    @Test
    void shouldNotLetAReplayedDeleteCloseTheVersionOfARowInsertedAgainLater() {
        List<List<SourceChange>> transactions = transactions();
        for (List<SourceChange> tx : transactions.subList(0, 5)) {
            apply(tx);
        }
        apply(transactions.get(3));
        apply(transactions.get(0));
        assertThat(history()).as("the re-inserted row's version stays open, and the first insert opens nothing new").containsExactly(
                version(1, 0.1, 1, 2),
                version(2, 0.2, 2, 3),
                version(3, 0.3, 3, 3),
                version(4, 0.4, 3, 4),
                version(1, 0.5, 5, -1));
    }

    @Test
    void shouldApplyAWholeBatchAgainWithoutAddingAVersion() {
        List<SourceChange> all = new ArrayList<>();
        transactions().forEach(all::addAll);
        apply(all);
        List<String> once = history();
        apply(all);
        assertThat(history()).hasSize(6).isEqualTo(once);
    }

    private void apply(List<SourceChange> changes) {
        GraphWritePlan plan = planner.plan(changes);
        writer.apply(plan, Checkpoint.after(Lsn.valueOf("0/1")));
    }

    private List<String> history() {
        return env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) "
                        + "RETURN r.version AS v, r.relevanceScore AS s, r.validFrom AS f, r.validTo AS t ORDER BY f, t, v",
                Map.of("t", THREAD, "c", CONTENT)).stream()
                .map(r -> r.get("v").asLong() + "@" + r.get("s").asDouble() + " [" + r.get("f").asZonedDateTime().toInstant() + ", "
                        + (r.get("t").asZonedDateTime().getYear() == 9999 ? "open" : r.get("t").asZonedDateTime().toInstant().toString()) + ")")
                .toList();
    }

    /** @param toTx -1 for the open version */
    private static String version(long version, double score, int fromTx, int toTx) {
        return version + "@" + score + " [" + at(fromTx) + ", " + (toTx < 0 ? "open" : at(toTx).toString()) + ")";
    }

    private static Instant at(int tx) {
        return T0.plusSeconds(tx);
    }

    private static List<SourceChange> tx(int number, RowChange... changes) {
        List<SourceChange> out = new ArrayList<>();
        for (RowChange change : changes) {
            out.add(new SourceChange(change, Lsn.of(0x1000L * number), at(number)));
        }
        return out;
    }

    private static final class RowChangeOf {
        static RowChange insert(double score, int position, long version) {
            return new RowChange.Insert(THREAD_CONTENT, row(score, position, version));
        }

        static RowChange update(double score, int position, long version) {
            return new RowChange.Update(THREAD_CONTENT, null, row(score, position, version));
        }

        static RowChange delete() {
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("thread_id", THREAD);
            key.put("content_id", CONTENT);
            return new RowChange.Delete(THREAD_CONTENT, key);
        }

        private static Map<String, Object> row(double score, int position, long version) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("thread_id", THREAD);
            row.put("content_id", CONTENT);
            row.put("relevance_score", score);
            row.put("position", position);
            row.put("added_at", OffsetDateTime.ofInstant(T0, ZoneOffset.UTC));
            row.put("pg_version", version);
            return row;
        }
    }
}
