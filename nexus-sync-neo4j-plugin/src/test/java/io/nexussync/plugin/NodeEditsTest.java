package io.nexussync.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.TransactionFailureException;

/** The listener on node changes, on the real engine with the plugin loaded from the class path. */
class NodeEditsTest {
    private final PluginTestGraph graph = PluginTestGraph.shared();

    @BeforeEach
    void contentItem() {
        graph.reset();
        graph.asService("apply", "CREATE (:ContentItem {id: 'c1', pgId: 'c1', title: 'a', contentType: 'document', pgVersion: 3, "
                + "neo4jVersion: 0, relevanceWeight: 0.5})");
    }

    @Test
    void shouldBumpTheGraphVersionAndWriteOneEntryWithOldAndNewForAFlowingPropertyEdit() {
        graph.write("MATCH (c:ContentItem {id: 'c1'}) SET c.title = 'b'");

        JsonNode edit = graph.onlyEdit();
        assertThat(edit.get("kind").asText()).isEqualTo("node-updated");
        assertThat(edit.get("label").asText()).isEqualTo("ContentItem");
        assertThat(edit.get("id").asText()).isEqualTo("c1");
        assertThat(edit.get("elementId").asText()).isEqualTo(graph.value("MATCH (c:ContentItem {id: 'c1'}) RETURN elementId(c)"));
        assertThat(edit.get("basePgVersion").asLong()).isEqualTo(3);
        assertThat(edit.get("baseGraphVersion").asLong()).isZero();
        assertThat(edit.get("graphVersion").asLong()).isEqualTo(1);
        assertThat(edit.get("changes").toString()).isEqualTo("{\"title\":{\"old\":\"a\",\"new\":\"b\"}}");
        assertThat(graph.value("MATCH (c:ContentItem {id: 'c1'}) RETURN c.neo4jVersion")).isEqualTo(1L);
        assertThat(graph.outboxSeqs()).containsExactly(1L);
        assertThat(graph.value("MATCH (o:`_SyncOutbox`) RETURN o.committedAt.timezone")).isEqualTo("Z");

        graph.write("MATCH (c:ContentItem {id: 'c1'}) REMOVE c.contentType");
        JsonNode second = graph.outbox().get(1).get(0);
        assertThat(second.get("baseGraphVersion").asLong()).isEqualTo(1);
        assertThat(second.get("graphVersion").asLong()).isEqualTo(2);
        assertThat(second.get("changes").toString()).isEqualTo("{\"contentType\":{\"old\":\"document\",\"new\":null}}");
        assertThat(graph.outboxSeqs()).containsExactly(1L, 2L);
    }

    @Test
    void shouldWriteNothingForAGraphOnlyOrBookkeepingPropertyEditOrAnAssignmentOfTheSameValue() {
        graph.write("MATCH (c:ContentItem {id: 'c1'}) SET c.relevanceWeight = 0.9, c.lastSyncedAt = datetime()");
        graph.write("MATCH (c:ContentItem {id: 'c1'}) SET c.title = 'a'");

        assertThat(graph.outbox()).isEmpty();
        assertThat(graph.value("MATCH (c:ContentItem {id: 'c1'}) RETURN c.neo4jVersion")).isEqualTo(0L);
    }

    @Test
    void shouldNeitherWriteNorBumpInATransactionOfTheService() {
        graph.asService("apply", "MATCH (c:ContentItem {id: 'c1'}) SET c.title = 'from postgres' "
                + "CREATE (:ContentItem {id: 'c2', title: 'new'}) CREATE (:Tag {id: 't1', name: 'x'})");
        graph.asService("apply", "MATCH (c:ContentItem {id: 'c2'}) DETACH DELETE c");

        assertThat(graph.outbox()).isEmpty();
        assertThat(graph.value("MATCH (c:ContentItem {id: 'c1'}) RETURN c.neo4jVersion")).isEqualTo(0L);
        assertThat(graph.value("MATCH (c:ContentItem {id: 'c1'}) RETURN c.title")).isEqualTo("from postgres");
    }

    @Test
    void shouldRefuseTheDeleteOfANodePostgresOwnsKeepingTheNodeAndTellingTheCaller() {
        String refusal = "nexus-sync: ContentItem nodes are owned by PostgreSQL; delete its row in PostgreSQL instead";
        assertThatThrownBy(() -> graph.write("MATCH (c:ContentItem {id: 'c1'}) DETACH DELETE c"))
                .isInstanceOf(TransactionFailureException.class)
                .cause().hasMessage(refusal);

        assertThat(graph.value("MATCH (c:ContentItem {id: 'c1'}) RETURN c.title")).isEqualTo("a");
        assertThat(graph.outbox()).isEmpty();
        assertThat(graph.log.lines()).as("the server's log, where the line is prefixed with the database")
                .anySatisfy(line -> assertThat(line).startsWith("WARN ").endsWith(refusal + " (transaction rolled back)"));
    }

    @Test
    void shouldRefuseTakingAMappedLabelAwayLikeADelete() {
        assertThatThrownBy(() -> graph.write("MATCH (c:ContentItem {id: 'c1'}) REMOVE c:ContentItem"))
                .hasStackTraceContaining("ContentItem nodes are owned by PostgreSQL");

        assertThat(graph.value("MATCH (c:ContentItem {id: 'c1'}) RETURN count(c)")).isEqualTo(1L);
    }

    @Test
    void shouldSendTheDeleteOfANodeWhoseLabelAllowsIt() {
        graph.asService("apply", "CREATE (:Tag {id: 't1', pgId: 't1', name: 'x', pgVersion: 2, neo4jVersion: 4})");
        String elementId = (String) graph.value("MATCH (t:Tag) RETURN elementId(t)");

        graph.write("MATCH (t:Tag {id: 't1'}) DELETE t");

        assertThat(graph.onlyEdit().toString()).isEqualTo("{\"kind\":\"node-deleted\",\"label\":\"Tag\",\"id\":\"t1\",\"elementId\":\""
                + elementId + "\",\"basePgVersion\":2,\"baseGraphVersion\":4}");
    }

    @Test
    void shouldSendACreatedNodeWithItsFlowingPropertiesAndGraphVersionOne() {
        graph.write("CREATE (:ContentItem {title: 'new', contentType: 'note', relevanceWeight: 1.0})");

        JsonNode edit = graph.onlyEdit();
        assertThat(edit.get("kind").asText()).isEqualTo("node-created");
        assertThat(edit.get("id").isNull()).isTrue();
        assertThat(edit.get("graphVersion").asLong()).isEqualTo(1);
        assertThat(edit.get("properties").toString()).isEqualTo("{\"title\":\"new\",\"contentType\":\"note\"}");
        assertThat(edit.get("elementId").asText()).isEqualTo(graph.value("MATCH (c:ContentItem {title: 'new'}) RETURN elementId(c)"));
        assertThat(graph.value("MATCH (c:ContentItem {title: 'new'}) RETURN c.neo4jVersion")).isEqualTo(1L);

        graph.write("CREATE (:ContentItem {id: 'chosen', title: 'keyed'})");
        assertThat(graph.outbox().get(1).get(0).get("id").asText()).isEqualTo("chosen");
    }

    @Test
    void shouldTreatAMappedLabelGivenToANodeLikeACreate() {
        graph.asService("apply", "CREATE (:Draft {title: 'drafted', note: 'graph only'})");

        graph.write("MATCH (d:Draft) SET d:ContentItem");

        JsonNode edit = graph.onlyEdit();
        assertThat(edit.get("kind").asText()).isEqualTo("node-created");
        assertThat(edit.get("properties").toString()).isEqualTo("{\"title\":\"drafted\"}");
        assertThatThrownBy(() -> graph.write("MATCH (d:Draft) SET d:Thread")).cause().hasMessageContaining("Thread nodes are created in PostgreSQL");
    }

    @Test
    void shouldRefuseCreatingANodeOfALabelCreatedOnlyInPostgres() {
        assertThatThrownBy(() -> graph.write("CREATE (:Thread {title: 'x'})"))
                .hasStackTraceContaining("nexus-sync: Thread nodes are created in PostgreSQL; insert its row in PostgreSQL instead");

        assertThat(graph.value("MATCH (t:Thread) RETURN count(t)")).isEqualTo(0L);
    }

    @Test
    void shouldDoNothingWithoutPublishedRules() {
        graph.asService("config-publish", "MATCH (r) WHERE r:`_SyncReverseNode` OR r:`_SyncReverseRelationship` DELETE r");

        graph.write("MATCH (c:ContentItem {id: 'c1'}) SET c.title = 'b'");
        graph.write("MATCH (c:ContentItem {id: 'c1'}) DETACH DELETE c");

        assertThat(graph.outbox()).isEmpty();
    }

    @Test
    void shouldAnswerTheServicesProbeWithItsVersion() {
        graph.asService("plugin-probe", "MERGE (p:`_SyncReverseProbe` {id: 'probe'}) SET p.probedAt = datetime()");

        assertThat(graph.value("MATCH (p:`_SyncReverseProbe`) RETURN p.pluginVersion")).isEqualTo(PluginVersion.VALUE).isNotEqualTo("unknown");
        assertThat(graph.outbox()).isEmpty();
    }

    @Test
    void shouldKeepOneEditPerNodeForSeveralChangesInOneTransaction() {
        graph.write(tx -> {
            Node node = tx.findNode(Label.label("ContentItem"), "id", "c1");
            node.setProperty("title", "b");
            node.setProperty("viewCount", 7L);
            node.setProperty("title", "c");
        });

        JsonNode edit = graph.onlyEdit();
        assertThat(edit.get("changes").toString()).isEqualTo("{\"title\":{\"old\":\"a\",\"new\":\"c\"},\"viewCount\":{\"old\":null,\"new\":7}}");
        assertThat(edit.get("graphVersion").asLong()).isEqualTo(1);
        assertThat(graph.rows("MATCH (c:ContentItem {id: 'c1'}) RETURN c.neo4jVersion AS v")).containsExactly(Map.of("v", 1L));
    }
}
