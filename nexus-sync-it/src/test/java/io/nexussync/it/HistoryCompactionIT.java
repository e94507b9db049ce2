package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jClosedVersions;
import io.nexussync.neo4j.Neo4jSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;
import org.neo4j.driver.summary.Plan;

/**
 * History retention against the real servers with the service streaming: a known sequence of thread_content changes, each
 * in its own transaction, with a PostgreSQL time read between two of them as the cut; {@code nexus-sync history compact
 * --before CUT} then removes exactly the versions that ended before it, in transactions of 1,000, every as-of answer at or
 * after the cut stays the same, no current version is touched, and the stream goes on (a restart included) with the graph
 * equal to the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class HistoryCompactionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPEN_END = "datetime('9999-12-31T00:00:00Z')";
    private static final String INDEX = "nexus_sync_INCLUDES_validTo";
    /** More pairs than one compaction transaction takes, so the loop must come back for the rest. */
    private static final int BULK = 1_500;
    private SyncEnvironment env;
    /** The cut: PostgreSQL's clock after the last change before it committed and before the first after it. */
    private OffsetDateTime cut;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("history_compaction");
        env.setup();
        env.startService();
        env.awaitCaughtUp(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldRemoveOnlyVersionsThatEndedBeforeTheCutAndLeaveEveryLaterAsOfAnswerAndTheStreamAsTheyWere() throws Exception {
        UUID bulkThread = UUID.randomUUID();
        UUID thread = UUID.randomUUID();
        UUID kept = UUID.randomUUID();
        UUID deleted = UUID.randomUUID();
        env.sql("INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'bulk'), (?, ?, ?, 'small')",
                bulkThread, bulkThread, bulkThread, thread, thread, thread);
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title) SELECT gen_random_uuid(), ?, ?, 'bulk-' || g FROM generate_series(1, "
                + BULK + ") g", bulkThread, bulkThread);
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'kept'), (?, ?, ?, 'deleted')",
                kept, kept, kept, deleted, deleted, deleted);

        // Before the cut: each bulk pair opens a version and closes it; one pair changes, one is deleted (its whole history ends).
        env.sql("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) SELECT ?, id, 0.1, 1 FROM content_items "
                + "WHERE title LIKE 'bulk-%'", bulkThread);
        OffsetDateTime beforeCut = pgNow();
        env.sql("UPDATE thread_content SET position = 2 WHERE thread_id = ?", bulkThread);
        env.sql("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, 0.2, 1), (?, ?, 0.3, 2)",
                thread, kept, thread, deleted);
        env.sql("UPDATE thread_content SET relevance_score = 0.25 WHERE thread_id = ? AND content_id = ?", thread, kept);
        env.sql("DELETE FROM thread_content WHERE thread_id = ? AND content_id = ?", thread, deleted);
        cut = pgNow();
        // After the cut: versions that end now must stay, however soon after the cut they ended.
        env.sql("UPDATE thread_content SET position = 3 WHERE thread_id = ? AND content_id IN (SELECT id FROM content_items WHERE title LIKE 'bulk-1%')",
                bulkThread);
        OffsetDateTime between = pgNow();
        env.sql("UPDATE thread_content SET position = 5 WHERE thread_id = ? AND content_id = ?", thread, kept);
        env.awaitCaughtUp(Duration.ofSeconds(120));
        assertThat(env.discrepancies()).isEmpty();

        Map<String, String> versionsBefore = versions();
        List<OffsetDateTime> asOfTimes = asOfTimesFrom(cut, between);
        Map<OffsetDateTime, List<String>> answersBefore = answers(asOfTimes);
        long endedBeforeCut = countEndedBefore(cut);
        // 1,500 first bulk versions, the kept pair's first version, the deleted pair's only one.
        assertThat(endedBeforeCut).isEqualTo(BULK + 2);
        assertThat(asOf(beforeCut)).hasSize(BULK);

        // setup created the validTo index; a dry run without it (dropped here): counts, removes nothing.
        assertThat(env.cypher("SHOW INDEXES YIELD name WHERE name = $n RETURN name", Map.of("n", INDEX))).hasSize(1);
        env.cypher("DROP INDEX " + INDEX);
        JsonNode dry = compact(cut, "--dry-run");
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        assertThat(dry.get("versions").asLong()).isEqualTo(endedBeforeCut);
        assertThat(versions()).isEqualTo(versionsBefore);

        // Without the index the removal plans no index seek; with it created again by setup's own code, an index seek on validTo.
        Neo4jClosedVersions graphSide = new Neo4jClosedVersions(env.driver(), null);
        RelationshipMapping includesMapping = MappingLoader.builtIn().relationshipByType("INCLUDES").orElseThrow();
        assertThat(operators(graphSide.removeStatement(includesMapping))).noneMatch(op -> op.contains("IndexSeek"));
        Neo4jSchema.ensureConstraints(env.driver(), null, MappingLoader.builtIn());
        env.cypher("CALL db.awaitIndexes(60)");
        assertThat(operators(graphSide.removeStatement(includesMapping))).anyMatch(op -> op.contains("RelationshipIndexSeekByRange"));

        JsonNode done = compact(cut);

        // (a) every as-of answer at or after the cut is unchanged
        assertThat(answers(asOfTimes)).isEqualTo(answersBefore);
        // (b) no current version was touched, and (c) exactly the versions that ended before the cut are gone
        Map<String, String> versionsAfter = versions();
        Map<String, String> expected = new TreeMap<>(versionsBefore);
        expected.values().removeIf(v -> v.contains("ended-before-cut"));
        assertThat(versionsAfter).isEqualTo(expected);
        assertThat(versionsAfter.values()).filteredOn(v -> v.contains("current")).hasSize(BULK + 1);
        assertThat(countEndedBefore(cut)).isZero();
        assertThat(asOf(beforeCut)).isEmpty();
        assertThat(pairVersions(thread, deleted)).isEmpty();
        // What the command reported: the same count, in two transactions (1,000 and 502).
        assertThat(done.get("dryRun").asBoolean()).isFalse();
        assertThat(done.get("versions").asLong()).isEqualTo(endedBeforeCut);
        JsonNode includes = done.get("types").get(0);
        assertThat(includes.get("type").asText()).isEqualTo("INCLUDES");
        assertThat(includes.get("transactions").asInt()).isEqualTo(2);
        // Nothing left to do: a second compaction at the same cut removes nothing.
        assertThat(compact(cut).get("versions").asLong()).isZero();

        // (d) the stream goes on: a change opens one new version, a pair whose history was all removed comes back as one
        // version, and a restart (the checkpoint, not the history, keeps replays out) applies nothing again.
        env.sql("UPDATE thread_content SET relevance_score = 0.75 WHERE thread_id = ? AND content_id = ?", thread, kept);
        env.sql("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, 0.5, 7)", thread, deleted);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(pairVersions(thread, kept)).hasSize(3);
        assertThat(openVersions(thread, kept)).extracting(r -> r.get("score").asDouble()).containsExactly(0.75);
        assertThat(pairVersions(thread, deleted)).hasSize(1);
        assertThat(openVersions(thread, deleted)).extracting(r -> r.get("position").asLong()).containsExactly(7L);
        Map<String, String> beforeRestart = versions();
        env.stopService();
        env.startService();
        env.awaitCaughtUp(Duration.ofSeconds(120));
        assertThat(versions()).isEqualTo(beforeRestart);
        assertThat(env.discrepancies()).isEmpty();
    }

    /** PostgreSQL's clock between two transactions: after the commit before it, before the commit after it. */
    private OffsetDateTime pgNow() throws Exception {
        try (Connection c = env.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC);
        }
    }

    private JsonNode compact(OffsetDateTime cut, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("history", "compact", "--before", cut.toInstant().toString(), "--json"));
        args.addAll(List.of(more));
        SyncEnvironment.CliRun run = env.cli(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    /** Every INCLUDES version by elementId: its values, and whether it is current, ended before the cut or after. */
    private Map<String, String> versions() {
        Map<String, String> byId = new TreeMap<>();
        for (Record r : env.cypher("MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) RETURN elementId(r) AS id, t.id + '->' + c.id + ' v' + r.version "
                + "+ ' p' + r.position + ' s' + r.relevanceScore + ' [' + toString(r.validFrom) + ', ' + toString(r.validTo) + ') ' + "
                + "CASE WHEN r.validTo = " + OPEN_END + " THEN 'current' WHEN r.validTo < $cut THEN 'ended-before-cut' ELSE 'ended-after-cut' END AS v",
                Map.of("cut", cut))) {
            byId.put(r.get("id").asString(), r.get("v").asString());
        }
        return byId;
    }

    /** Every operator of the statement's plan (EXPLAIN: nothing runs). */
    private List<String> operators(String statement) {
        try (var session = env.driver().session()) {
            List<String> found = new ArrayList<>();
            collect(session.run("EXPLAIN " + statement, Map.of("cut", cut, "limit", 1000)).consume().plan(), found);
            return found;
        }
    }

    private static void collect(Plan plan, List<String> into) {
        into.add(plan.operatorType());
        plan.children().forEach(child -> collect(child, into));
    }

    private long countEndedBefore(OffsetDateTime cut) {
        return env.cypher("MATCH (:Thread)-[r:INCLUDES]->(:ContentItem) WHERE r.validTo < $cut RETURN count(r) AS n", Map.of("cut", cut))
                .get(0).get("n").asLong();
    }

    /** The cut, the recorded time between two later changes, every version boundary from the cut on, and now. */
    private List<OffsetDateTime> asOfTimesFrom(OffsetDateTime cut, OffsetDateTime between) {
        TreeSet<OffsetDateTime> times = new TreeSet<>(List.of(cut, between, OffsetDateTime.now(ZoneOffset.UTC)));
        for (Record r : env.cypher("MATCH (:Thread)-[r:INCLUDES]->(:ContentItem) UNWIND [r.validFrom, r.validTo] AS t WITH DISTINCT t "
                + "WHERE t >= $cut AND t <> " + OPEN_END + " RETURN t", Map.of("cut", cut))) {
            ZonedDateTime t = r.get("t").asZonedDateTime();
            times.add(t.toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC));
        }
        assertThat(times.size()).as("as-of times at or after the cut").isGreaterThanOrEqualTo(5);
        return List.copyOf(times);
    }

    private Map<OffsetDateTime, List<String>> answers(List<OffsetDateTime> times) {
        Map<OffsetDateTime, List<String>> answers = new TreeMap<>();
        times.forEach(t -> answers.put(t, asOf(t)));
        return answers;
    }

    /** The as-of answer: every pair's version valid at {@code at}, as the documented Cypher asks it. */
    private List<String> asOf(OffsetDateTime at) {
        return env.cypher("MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) WHERE r.validFrom <= $at AND $at < r.validTo "
                + "RETURN t.id + '->' + c.id + ' v' + r.version + ' p' + r.position + ' s' + r.relevanceScore AS v ORDER BY v", Map.of("at", at))
                .stream().map(r -> r.get("v").asString()).toList();
    }

    private List<Record> pairVersions(UUID thread, UUID content) {
        return env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) RETURN r ORDER BY r.validFrom",
                Map.of("t", thread.toString(), "c", content.toString()));
    }

    private List<Record> openVersions(UUID thread, UUID content) {
        return env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WHERE r.validTo = " + OPEN_END
                + " RETURN r.relevanceScore AS score, r.position AS position", Map.of("t", thread.toString(), "c", content.toString()));
    }
}
