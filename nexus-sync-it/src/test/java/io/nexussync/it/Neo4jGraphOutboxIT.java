package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.reverse.EntityEdit;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.GraphOutbox;
import io.nexussync.core.reverse.PolledGraph;
import io.nexussync.core.reverse.ReverseCatalog;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jGraphOutbox;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.neo4j.Neo4jTransactions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The graph's side of reverse sync on the real Neo4j, with outbox entries written by hand as the plugin writes them: read
 * in seq order up to the seq the sequence shows and decoded, removed through a seq, counted with the oldest's commit time; keys given only to nodes without
 * one; removals; the plugin's configuration published whole and withdrawn; the polling fallback's read in identity order
 * with values in the outbox's form.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Neo4jGraphOutboxIT {
    private static final ReverseCatalog CATALOG = ReverseCatalog.of(MappingLoader.builtIn(), table -> switch (table.name()) {
        case "content_items" -> List.of("id", "title", "content_type", "access_level", "view_count", "created_at", "body", "pg_version",
                "neo4j_version", "neo4j_node_id");
        case "content_tags" -> List.of("content_id", "tag_id", "weight", "pg_version");
        default -> List.of();
    });

    private SyncEnvironment env;
    private Neo4jGraphOutbox outbox;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("neo4j_graph_outbox");
        Neo4jSchema.ensureConstraints(env.driver(), null, MappingLoader.builtIn());
        outbox = new Neo4jGraphOutbox(env.driver(), null);
    }

    @BeforeEach
    void emptyGraph() {
        // As the service: a plugin configuration a failed test left published would have the plugin refuse a user's delete.
        try (var session = env.driver().session()) {
            session.run("MATCH (n) DETACH DELETE n", Neo4jTransactions.config("test-reset")).consume();
        }
    }

    @AfterAll
    void close() throws Exception {
        env.close();
    }

    @Test
    void shouldReadEntriesInSeqOrderRemoveThemThroughASeqAndCountWhatWaits() {
        assertThat(outbox.backlog()).isEqualTo(new GraphOutbox.Backlog(0, null));
        env.cypher("CREATE (:`_SyncOutboxSequence` {name: 'outbox', next: 3})");
        for (long seq : new long[] {3, 1, 2}) {
            env.cypher("CREATE (:`_SyncOutbox` {seq: $seq, committedAt: datetime($at), edits: $edits})", Map.of("seq", seq,
                    "at", "2026-12-06T10:00:0" + seq + ".123Z", "edits", "[{\"kind\":\"node-updated\",\"label\":\"ContentItem\",\"id\":\"" + seq
                            + "\",\"elementId\":\"4:x:" + seq + "\",\"basePgVersion\":2,\"baseGraphVersion\":0,\"graphVersion\":1,"
                            + "\"changes\":{\"title\":{\"old\":\"a\",\"new\":\"b\"}}}]"));
        }

        List<GraphEdit> first = outbox.next(2);

        assertThat(first).extracting(GraphEdit::seq).containsExactly(1L, 2L);
        assertThat(first.get(0).committedAt()).isEqualTo(Instant.parse("2026-12-06T10:00:01.123Z"));
        EntityEdit.NodeUpdated edit = (EntityEdit.NodeUpdated) first.get(0).edits().get(0);
        assertThat(edit.id()).isEqualTo("1");
        assertThat(edit.changes().get("title").newValue()).isEqualTo("b");
        assertThat(outbox.backlog()).isEqualTo(new GraphOutbox.Backlog(3, Instant.parse("2026-12-06T10:00:01.123Z")));
        outbox.removeThrough(2);
        assertThat(outbox.next(10)).extracting(GraphEdit::seq).containsExactly(3L);
        assertThat(outbox.backlog()).isEqualTo(new GraphOutbox.Backlog(1, Instant.parse("2026-12-06T10:00:03.123Z")));
        outbox.removeThrough(3);
        assertThat(outbox.next(10)).isEmpty();
    }

    @Test
    void shouldReadOnlyEntriesUpToTheSeqTheSequenceShowsSoThatNoneBelowIsMissing() {
        env.cypher("CREATE (:`_SyncOutbox` {seq: 1, committedAt: datetime(), edits: '[]'}), (:`_SyncOutbox` {seq: 2, committedAt: datetime(), edits: '[]'})");
        assertThat(outbox.next(10)).as("no sequence yet: nothing is known to be committed").isEmpty();

        env.cypher("CREATE (:`_SyncOutboxSequence` {name: 'outbox', next: 1})");

        assertThat(outbox.next(10)).as("seq 2 is beyond what the sequence shows (as a scan can meet n+1 before n)")
                .extracting(GraphEdit::seq).containsExactly(1L);
    }

    @Test
    void shouldStopAtAnEntryItCannotReadNamingItsSeq() {
        env.cypher("CREATE (:`_SyncOutboxSequence` {name: 'outbox', next: 7})");
        env.cypher("CREATE (:`_SyncOutbox` {seq: 7, committedAt: datetime(), edits: '{\"kind\": \"node-updated\"}'})");

        assertThatThrownBy(() -> outbox.next(10)).isInstanceOf(SyncException.class).hasMessageContaining("outbox entry 7 cannot be read")
                .satisfies(e -> assertThat(((SyncException) e).isRetryable()).isFalse());
    }

    @Test
    void shouldGiveAKeyOnlyToANodeWithoutOneAndSayWhatItHolds() {
        String made = env.cypher("CREATE (c:ContentItem {title: 'made in the graph'}) RETURN elementId(c) AS e").get(0).get("e").asString();
        String keyed = env.cypher("CREATE (c:ContentItem {id: 'k-1', pgId: 'k-1'}) RETURN elementId(c) AS e").get(0).get("e").asString();

        assertThat(outbox.keyOf("ContentItem", "id", made)).isNull();
        assertThat(outbox.assignKey("ContentItem", "id", made, "k-2")).isEqualTo("k-2");
        assertThat(outbox.assignKey("ContentItem", "id", made, "k-3")).as("a key already given (an earlier try) is kept").isEqualTo("k-2");
        assertThat(outbox.assignKey("ContentItem", "id", keyed, "k-4")).isEqualTo("k-1");
        assertThat(outbox.keyOf("ContentItem", "id", made)).isEqualTo("k-2");
        assertThat(env.cypher("MATCH (c:ContentItem {id: 'k-2'}) RETURN c.pgId AS p").get(0).get("p").asString()).isEqualTo("k-2");
        assertThat(outbox.assignKey("Tag", "id", made, "k-5")).as("found by label and elementId").isNull();

        outbox.removeNode("ContentItem", made);
        assertThat(outbox.keyOf("ContentItem", "id", made)).isNull();
        assertThat(outbox.assignKey("ContentItem", "id", made, "k-6")).as("gone").isNull();
    }

    @Test
    void shouldRemoveTheRelationshipBetweenTwoIdentifiedNodes() {
        env.cypher("CREATE (c:ContentItem {id: 'c1'})-[:TAGGED_WITH]->(t:Tag {id: 't1'}), (c)-[:TAGGED_WITH]->(:Tag {id: 't2'})");

        outbox.removeRelationship(CATALOG.relationship("TAGGED_WITH").orElseThrow(), "c1", "t1");

        assertThat(env.cypher("MATCH (:ContentItem {id: 'c1'})-[:TAGGED_WITH]->(t) RETURN t.id AS t").stream().map(r -> r.get("t").asString()))
                .containsExactly("t2");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReplaceThePluginsConfigurationWholeAndWithdrawIt() {
        env.cypher("CREATE (:`_SyncReverseNode` {label: 'Stale'})");

        outbox.publish(CATALOG);

        var nodes = env.cypher("MATCH (c:`_SyncReverseNode`) RETURN c ORDER BY c.label");
        assertThat(nodes).extracting(r -> r.get("c").get("label").asString()).containsExactly("ContentItem", "Message", "Tag", "Thread");
        Map<String, Object> item = nodes.get(0).get("c").asMap();
        assertThat(item).containsEntry("idProperty", "id").containsEntry("pgIdProperty", "pgId").containsEntry("versionProperty", "pgVersion")
                .containsEntry("graphVersionProperty", "neo4jVersion").containsEntry("onDelete", "refuse").containsEntry("create", true);
        assertThat((List<Object>) item.get("properties")).contains("title", "accessLevel").doesNotContain("body", "pgVersion", "neo4jVersion", "id");
        var includes = env.cypher("MATCH (c:`_SyncReverseRelationship` {type: 'INCLUDES'}) RETURN c").get(0).get("c").asMap();
        assertThat(includes).containsEntry("fromLabel", "Thread").containsEntry("toLabel", "ContentItem").containsEntry("versionProperty", "version")
                .containsEntry("temporal", true);

        outbox.withdraw();
        assertThat(env.cypher("MATCH (c) WHERE c:`_SyncReverseNode` OR c:`_SyncReverseRelationship` RETURN count(c) AS n").get(0).get("n").asLong())
                .isZero();
    }

    @Test
    void shouldNotTakeAnOldAnswerToTheProbeForTheServersPlugin() {
        env.cypher("MERGE (p:`_SyncReverseProbe` {id: 'probe'}) SET p.pluginVersion = 'left by an earlier server'");

        Optional<String> answer = outbox.pluginVersion();

        // The embedded server may load the plugin (then it answers the probe anew); without it there is no answer.
        assertThat(answer).isNotEqualTo(Optional.of("left by an earlier server"));
        assertThat(outbox.pluginInstalled()).isEqualTo(answer.isPresent());
    }

    @Test
    void shouldReadNodesAGraphWriterMarkedInIdentityOrderWithValuesInTheOutboxsForm() {
        env.cypher("CREATE (:ContentItem {id: 'b', pgVersion: 3, neo4jVersion: 2, title: 'B', viewCount: 7, createdAt: datetime('2026-12-06T10:00:00.5+01:00'), "
                + "relevanceWeight: 0.3}), (:ContentItem {id: 'a', pgVersion: 1, neo4jVersion: 1, title: 'A'}), "
                + "(:ContentItem {id: 'c', pgVersion: 1, neo4jVersion: 0, title: 'C'}), (:ContentItem {id: 'd', pgVersion: 1, title: 'D'})");
        ReverseCatalog.NodeRules items = CATALOG.node("ContentItem").orElseThrow();

        List<PolledGraph.NodeState> first = outbox.nodesWithGraphVersion(items, null, 1);
        List<PolledGraph.NodeState> rest = outbox.nodesWithGraphVersion(items, "a", 10);

        assertThat(first).extracting(PolledGraph.NodeState::id).containsExactly("a");
        assertThat(rest).extracting(PolledGraph.NodeState::id).as("graph version above 0 only, after 'a'").containsExactly("b");
        PolledGraph.NodeState b = rest.get(0);
        assertThat(b.pgVersion()).isEqualTo(3L);
        assertThat(b.graphVersion()).isEqualTo(2L);
        assertThat(b.properties()).containsEntry("title", "B").containsEntry("viewCount", 7L).containsEntry("createdAt", "2026-12-06T10:00:00.5+01:00")
                .as("flowing properties only").doesNotContainKey("relevanceWeight").doesNotContainKey("id");
    }
}
