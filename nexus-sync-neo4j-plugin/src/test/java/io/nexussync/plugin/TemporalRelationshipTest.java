package io.nexussync.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.graphdb.TransactionFailureException;

/**
 * The listener on a temporal type (INCLUDES): PostgreSQL owns its history, so the graph proposes and the stream brings
 * back the one new version. An edit of the current version is recorded and undone; a created one is recorded and
 * removed; a deleted current version is recorded and put back; a closed version may not change at all.
 */
class TemporalRelationshipTest {
    private static final String HISTORY = "MATCH (:Thread {id: 'th1'})-[r:INCLUDES]->(:ContentItem {id: 'c1'}) "
            + "RETURN r.version AS version, r.relevanceScore AS score, r.position AS position, toString(r.validFrom) AS validFrom, "
            + "toString(r.validTo) AS validTo ORDER BY validFrom";

    private final PluginTestGraph graph = PluginTestGraph.shared();
    private List<Map<String, Object>> history;

    @BeforeEach
    void includes() {
        graph.reset();
        graph.asService("apply", """
                CREATE (th:Thread {id: 'th1'}), (c:ContentItem {id: 'c1'}), (:ContentItem {id: 'c2'}),
                       (th)-[:INCLUDES {version: 1, relevanceScore: 0.1, position: 1,
                                        validFrom: datetime('2026-01-01T00:00:00Z'), validTo: datetime('2026-01-02T00:00:00Z')}]->(c),
                       (th)-[:INCLUDES {version: 2, relevanceScore: 0.5, position: 1,
                                        validFrom: datetime('2026-01-02T00:00:00Z'), validTo: datetime('9999-12-31T00:00:00Z')}]->(c)
                """);
        history = graph.rows(HISTORY);
    }

    @Test
    void shouldRecordAnEditOfTheCurrentVersionAndLeaveItsValuesAsTheyWere() {
        graph.write("MATCH (:Thread {id: 'th1'})-[r:INCLUDES]->(:ContentItem {id: 'c1'}) WHERE r.validTo.year = 9999 "
                + "SET r.relevanceScore = 0.9, r.position = 2");

        assertThat(graph.onlyEdit().toString()).isEqualTo("{\"kind\":\"relationship-updated\",\"type\":\"INCLUDES\",\"from\":\"th1\","
                + "\"to\":\"c1\",\"basePgVersion\":2,\"changes\":{\"relevanceScore\":{\"old\":0.5,\"new\":0.9},\"position\":{\"old\":1,\"new\":2}}}");
        assertThat(graph.rows(HISTORY)).isEqualTo(history);
    }

    @Test
    void shouldRecordACreatedVersionAndRemoveIt() {
        graph.write("MATCH (th:Thread {id: 'th1'}), (c:ContentItem {id: 'c2'}) CREATE (th)-[:INCLUDES {relevanceScore: 0.7, position: 3}]->(c)");

        assertThat(graph.onlyEdit().toString()).isEqualTo("{\"kind\":\"relationship-created\",\"type\":\"INCLUDES\",\"from\":\"th1\","
                + "\"to\":\"c2\",\"properties\":{\"relevanceScore\":0.7,\"position\":3}}");
        assertThat(graph.value("MATCH (:Thread)-[r:INCLUDES]->(:ContentItem {id: 'c2'}) RETURN count(r)")).isEqualTo(0L);
    }

    @Test
    void shouldRecordTheDeleteOfTheCurrentVersionAndPutItBack() {
        graph.write("MATCH (:Thread {id: 'th1'})-[r:INCLUDES]->(:ContentItem {id: 'c1'}) WHERE r.validTo.year = 9999 DELETE r");

        assertThat(graph.onlyEdit().toString()).isEqualTo("{\"kind\":\"relationship-deleted\",\"type\":\"INCLUDES\",\"from\":\"th1\","
                + "\"to\":\"c1\",\"basePgVersion\":2}");
        assertThat(graph.rows(HISTORY)).isEqualTo(history);
    }

    @Test
    void shouldRefuseAnyChangeToAClosedVersion() {
        String closed = "MATCH (:Thread {id: 'th1'})-[r:INCLUDES]->(:ContentItem {id: 'c1'}) WHERE r.validTo.year = 2026 ";

        assertThatThrownBy(() -> graph.write(closed + "SET r.relevanceScore = 0.2"))
                .isInstanceOf(TransactionFailureException.class)
                .cause().hasMessageStartingWith("nexus-sync: INCLUDES relationships keep their history in PostgreSQL; a closed version cannot be changed");
        assertThatThrownBy(() -> graph.write(closed + "SET r.validTo = datetime('2026-01-03T00:00:00Z')"))
                .cause().hasMessageContaining("a closed version cannot be changed");
        assertThatThrownBy(() -> graph.write(closed + "DELETE r"))
                .cause().hasMessageContaining("a closed version cannot be deleted");

        assertThat(graph.rows(HISTORY)).isEqualTo(history);
        assertThat(graph.outbox()).isEmpty();
    }

    @Test
    void shouldKeepTheHistoryWhenTheServiceWritesIt() {
        graph.asService("apply", "MATCH (:Thread {id: 'th1'})-[r:INCLUDES]->(:ContentItem {id: 'c1'}) WHERE r.validTo.year = 9999 "
                + "SET r.validTo = datetime('2026-01-03T00:00:00Z')");

        JsonNode versions = PluginTestGraph.JSON.valueToTree(graph.rows(HISTORY).stream().map(r -> r.get("validTo")).toList());
        assertThat(versions.toString()).isEqualTo("[\"2026-01-02T00:00:00Z\",\"2026-01-03T00:00:00Z\"]");
        assertThat(graph.outbox()).isEmpty();
    }
}
