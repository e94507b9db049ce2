package io.nexussync.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The listener on a join table's relationships (TAGGED_WITH: not temporal): what it sends, and what it leaves alone. */
class RelationshipEditsTest {
    private final PluginTestGraph graph = PluginTestGraph.shared();

    @BeforeEach
    void tagged() {
        graph.reset();
        graph.asService("apply", "CREATE (c:ContentItem {id: 'c1', title: 'a'}), (:ContentItem {id: 'c2', title: 'b'}), "
                + "(t:Tag {id: 't1', name: 'x'}), (c)-[:TAGGED_WITH {weight: 0.5, pgVersion: 4}]->(t)");
    }

    @Test
    void shouldSendACreatedRelationshipBetweenIdentifiedNodesAndKeepIt() {
        graph.write("MATCH (c:ContentItem {id: 'c2'}), (t:Tag {id: 't1'}) CREATE (c)-[:TAGGED_WITH {weight: 2.0, note: 'graph only'}]->(t)");

        assertThat(graph.onlyEdit().toString())
                .isEqualTo("{\"kind\":\"relationship-created\",\"type\":\"TAGGED_WITH\",\"from\":\"c2\",\"to\":\"t1\",\"properties\":{\"weight\":2.0}}");
        assertThat(graph.value("MATCH (:ContentItem {id: 'c2'})-[r:TAGGED_WITH]->(:Tag) RETURN count(r)")).isEqualTo(1L);
    }

    @Test
    void shouldSendADeletedRelationshipWithTheRowVersionItWasBasedOn() {
        graph.write("MATCH (:ContentItem {id: 'c1'})-[r:TAGGED_WITH]->(:Tag {id: 't1'}) DELETE r");

        assertThat(graph.onlyEdit().toString())
                .isEqualTo("{\"kind\":\"relationship-deleted\",\"type\":\"TAGGED_WITH\",\"from\":\"c1\",\"to\":\"t1\",\"basePgVersion\":4}");
    }

    @Test
    void shouldSendAFlowingPropertyEditOfARelationship() {
        graph.write("MATCH (:ContentItem {id: 'c1'})-[r:TAGGED_WITH]->(:Tag) SET r.weight = 0.75, r.note = 'graph only'");

        assertThat(graph.onlyEdit().toString()).isEqualTo("{\"kind\":\"relationship-updated\",\"type\":\"TAGGED_WITH\",\"from\":\"c1\","
                + "\"to\":\"t1\",\"basePgVersion\":4,\"changes\":{\"weight\":{\"old\":0.5,\"new\":0.75}}}");
        assertThat(graph.value("MATCH (:ContentItem {id: 'c1'})-[r:TAGGED_WITH]->(:Tag) RETURN r.weight")).isEqualTo(0.75);
    }

    @Test
    void shouldSendOnlyTheNodeDeleteWhenARelationshipGoesWithItsNode() {
        graph.write("MATCH (t:Tag {id: 't1'}) DETACH DELETE t");

        JsonNode edit = graph.onlyEdit();
        assertThat(edit.get("kind").asText()).isEqualTo("node-deleted");
        assertThat(edit.get("label").asText()).isEqualTo("Tag");
    }

    @Test
    void shouldSendNothingForARelationshipToANodeWithoutIdentityOrOfAnotherType() {
        graph.asService("apply", "CREATE (:Tag {name: 'no id yet'})");
        graph.write("MATCH (c:ContentItem {id: 'c1'}), (t:Tag {name: 'no id yet'}) CREATE (c)-[:TAGGED_WITH]->(t)");
        graph.write("MATCH (c:ContentItem {id: 'c1'}), (t:Tag {id: 't1'}) CREATE (c)-[:MENTIONS]->(t)");
        graph.write("MATCH (c:ContentItem {id: 'c1'}), (d:ContentItem {id: 'c2'}) CREATE (c)-[:TAGGED_WITH]->(d)");

        assertThat(graph.outbox()).isEmpty();
    }
}
