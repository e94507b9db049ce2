package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;

/** thread_content keeps its history: a change closes the current INCLUDES and opens a new one; a delete closes it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TemporalIncludesIT {
    private static final ZonedDateTime OPEN = ZonedDateTime.parse("9999-12-31T00:00:00Z");
    private SyncEnvironment env;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("temporal_includes");
        env.setup();
        try (var c = env.connect()) {
            TemporalHistory.installAudit(c);
        }
        env.startService();
        // The audit's changes must all reach the graph through the stream, not fold into the first snapshot.
        env.awaitCaughtUp(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldCloseTheCurrentVersionAndOpenANewOneOnEachChange() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID content = UUID.randomUUID();
        includeNewPair(thread, content);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        env.sql("UPDATE thread_content SET position = 2 WHERE thread_id = ?", thread);
        // Two changes in quick succession usually share a batch: both versions must still be kept.
        try (var c = env.connect(); var st = c.createStatement()) {
            st.execute("UPDATE thread_content SET relevance_score = 0.9 WHERE thread_id = '" + thread + "'");
            st.execute("UPDATE thread_content SET position = 3 WHERE thread_id = '" + thread + "'");
        }
        env.awaitCaughtUp(Duration.ofSeconds(60));

        List<Record> versions = history(thread, content);
        assertThat(versions).extracting(r -> r.get("version").asLong()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(versions).extracting(r -> r.get("position").asLong()).containsExactly(1L, 2L, 2L, 3L);
        for (int i = 0; i < versions.size() - 1; i++) {
            assertThat(versions.get(i).get("validTo").asZonedDateTime()).isEqualTo(versions.get(i + 1).get("validFrom").asZonedDateTime());
        }
        assertThat(versions.get(3).get("validTo").asZonedDateTime()).isEqualTo(OPEN);
        assertThat(env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(c:ContentItem {id: $c}) WHERE r.validFrom <= $asOf < r.validTo RETURN r.position AS p",
                Map.of("t", thread.toString(), "c", content.toString(), "asOf", versions.get(1).get("validFrom").asZonedDateTime())))
                .extracting(r -> r.get("p").asLong()).containsExactly(2L);

        env.sql("DELETE FROM thread_content WHERE thread_id = ?", thread);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        List<Record> after = history(thread, content);
        assertThat(after).hasSize(4);
        assertThat(after).allSatisfy(r -> assertThat(r.get("validTo").asZonedDateTime()).isBefore(OPEN));
        assertThat(env.discrepancies()).isEmpty();
    }

    /** The check the crash tests rely on finds each way a history can be wrong (a check that cannot fail proves nothing). */
    @Test
    void shouldReportEachWayAHistoryCanBreakTheContract() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID content = UUID.randomUUID();
        includeNewPair(thread, content);
        env.sql("UPDATE thread_content SET position = 2 WHERE thread_id = ?", thread);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(env.discrepancies()).isEmpty();
        Map<String, Object> pair = Map.of("t", thread.toString(), "c", content.toString());
        String match = "MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) ";

        // A version applied twice: the same interval again.
        env.cypher(match + "WHERE r.version = 1 WITH r, startNode(r) AS a, endNode(r) AS b CREATE (a)-[d:INCLUDES]->(b) SET d = properties(r)", pair);
        assertThat(String.join("\n", env.discrepancies())).contains("3 versions for 2", "overlaps", "exists twice");
        env.cypher(match + "WITH r ORDER BY elementId(r) DESC LIMIT 1 DELETE r", pair);
        assertThat(env.discrepancies()).isEmpty();

        // A newer version closed by an older change: the interval inverted, and no version open for a row that exists.
        env.cypher(match + "WHERE r.version = 2 SET r.validTo = r.validFrom - duration('PT1S')", pair);
        assertThat(String.join("\n", env.discrepancies())).contains("ends before it begins", "no version is open");
        env.cypher(match + "WHERE r.version = 2 SET r.validTo = datetime('9999-12-31T00:00:00Z')", pair);

        // Two open versions.
        env.cypher(match + "WHERE r.version = 1 SET r.closedAt = r.validTo, r.validTo = datetime('9999-12-31T00:00:00Z')", pair);
        assertThat(String.join("\n", env.discrepancies())).contains("2 open versions");
        env.cypher(match + "WHERE r.version = 1 SET r.validTo = r.closedAt REMOVE r.closedAt", pair);
        assertThat(env.discrepancies()).isEmpty();
    }

    /** A new thread and content item, and the row that includes the one in the other (relevance 0.1, position 1). */
    private void includeNewPair(UUID thread, UUID content) throws Exception {
        env.sql("INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 't')", thread, thread, thread);
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'c')", content, content, content);
        env.sql("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, 0.1, 1)", thread, content);
    }

    private List<Record> history(UUID thread, UUID content) {
        return env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) "
                + "RETURN r.version AS version, r.position AS position, r.validFrom AS validFrom, r.validTo AS validTo ORDER BY r.validFrom, r.version",
                Map.of("t", thread.toString(), "c", content.toString()));
    }
}
