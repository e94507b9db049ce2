package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.neo4j.Neo4jTransactions;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;
import org.neo4j.driver.exceptions.ClientException;

/**
 * The nexus-sync Neo4j plugin in the embedded server, loaded from the engine's class path, seen over Bolt as the service
 * and a graph user see it: a user's edit of a mapped node becomes an outbox entry; a transaction carrying the service's
 * metadata does not, and neither does anything the real graph writer writes (the loop guard).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Neo4jPluginIT {
    private static final String CONTENT_1 = "00000000-0000-0000-0000-0000000000c1";
    private static final String CONTENT_2 = "00000000-0000-0000-0000-0000000000c2";
    private static final String TAG = "00000000-0000-0000-0000-0000000000f1";
    private static final String THREAD = "00000000-0000-0000-0000-0000000000a1";
    private static final String TENANT = "00000000-0000-0000-0000-000000000001";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String RULES = """
            CREATE (:`_SyncReverseNode` {label: 'ContentItem', idProperty: 'id', pgIdProperty: 'pgId', versionProperty: 'pgVersion',
                    graphVersionProperty: 'neo4jVersion', onDelete: 'refuse', create: true,
                    properties: ['title', 'contentType', 'accessLevel', 'viewCount']})
            CREATE (:`_SyncReverseNode` {label: 'Tag', idProperty: 'id', pgIdProperty: 'pgId', versionProperty: 'pgVersion',
                    graphVersionProperty: 'neo4jVersion', onDelete: 'refuse', create: true, properties: ['name']})
            CREATE (:`_SyncReverseNode` {label: 'Thread', idProperty: 'id', pgIdProperty: 'pgId', versionProperty: 'pgVersion',
                    graphVersionProperty: 'neo4jVersion', onDelete: 'refuse', create: true, properties: ['title', 'status']})
            CREATE (:`_SyncReverseRelationship` {type: 'INCLUDES', fromLabel: 'Thread', fromIdProperty: 'id', toLabel: 'ContentItem',
                    toIdProperty: 'id', versionProperty: 'version', temporal: true, properties: ['relevanceScore', 'position']})
            CREATE (:`_SyncReverseRelationship` {type: 'TAGGED_WITH', fromLabel: 'ContentItem', fromIdProperty: 'id', toLabel: 'Tag',
                    toIdProperty: 'id', versionProperty: 'pgVersion', temporal: false, properties: ['weight']})
            """;

    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());
    private SyncEnvironment env;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("neo4j_plugin");
        Neo4jSchema.ensureConstraints(env.driver(), null, MappingLoader.builtIn());
    }

    /** The rules go with the class: other classes on this server write mapped nodes as graph users. */
    @AfterAll
    void stop() throws Exception {
        try {
            asService("test-reset", "MATCH (n) DETACH DELETE n");
        } finally {
            env.close();
        }
    }

    @BeforeEach
    void rulesOnly() {
        asService("test-reset", "MATCH (n) DETACH DELETE n");
        asService("config-publish", RULES);
    }

    @Test
    void shouldTurnAUsersPropertyEditIntoAnOutboxEntryAndBumpTheGraphVersion() {
        asService(Neo4jTransactions.APPLY, "CREATE (:ContentItem {id: 'c1', title: 'a', pgVersion: 2, neo4jVersion: 0})");

        env.cypher("MATCH (c:ContentItem {id: 'c1'}) SET c.title = 'edited in the graph'");

        List<Record> outbox = env.cypher("MATCH (o:`_SyncOutbox`) RETURN o.seq AS seq, o.edits AS edits, o.committedAt IS NOT NULL AS dated");
        assertThat(outbox).hasSize(1);
        assertThat(outbox.get(0).get("seq").asLong()).isEqualTo(1);
        assertThat(outbox.get(0).get("dated").asBoolean()).isTrue();
        assertThat(outbox.get(0).get("edits").asString()).startsWith("[{\"kind\":\"node-updated\",\"label\":\"ContentItem\",\"id\":\"c1\",")
                .endsWith("\"basePgVersion\":2,\"baseGraphVersion\":0,\"graphVersion\":1,"
                        + "\"changes\":{\"title\":{\"old\":\"a\",\"new\":\"edited in the graph\"}}}]");
        assertThat(env.cypher("MATCH (c:ContentItem {id: 'c1'}) RETURN c.neo4jVersion AS v").get(0).get("v").asLong()).isEqualTo(1);
    }

    @Test
    void shouldSkipATransactionCarryingTheServicesMetadata() {
        asService(Neo4jTransactions.APPLY, "CREATE (:ContentItem {id: 'c1', title: 'a', pgVersion: 2, neo4jVersion: 0})");

        asService(Neo4jTransactions.APPLY, "MATCH (c:ContentItem {id: 'c1'}) SET c.title = 'from postgres'");
        try (var session = env.driver().session()) {
            session.executeWrite(tx -> tx.run("MATCH (c:ContentItem {id: 'c1'}) SET c.viewCount = 5").consume(),
                    Neo4jTransactions.config(Neo4jTransactions.APPLY));
        }

        assertThat(outboxSize()).isZero();
        assertThat(env.cypher("MATCH (c:ContentItem {id: 'c1'}) RETURN c.neo4jVersion AS v").get(0).get("v").asLong()).isZero();
    }

    @Test
    void shouldTellTheClientWhyADeleteIsRefusedAndKeepTheNode() {
        asService(Neo4jTransactions.APPLY, "CREATE (:ContentItem {id: 'c1', title: 'a'})");

        assertThatThrownBy(() -> env.cypher("MATCH (c:ContentItem {id: 'c1'}) DETACH DELETE c"))
                .isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.code()).isEqualTo("Neo.ClientError.Transaction.TransactionHookFailed"))
                .hasMessageContaining("nexus-sync: ContentItem nodes are owned by PostgreSQL; delete its row in PostgreSQL instead");

        assertThat(env.cypher("MATCH (c:ContentItem {id: 'c1'}) RETURN c.title AS t").get(0).get("t").asString()).isEqualTo("a");
    }

    @Test
    void shouldHaveTheOutboxConstraintsTheSchemaStepCreates() {
        assertThat(env.cypher("SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties WHERE name STARTS WITH 'nexus_sync_outbox' "
                        + "RETURN name, labelsOrTypes[0] + '.' + properties[0] AS on ORDER BY name").stream()
                .map(r -> r.get("name").asString() + " " + r.get("on").asString()).toList())
                .containsExactly("nexus_sync_outbox_seq _SyncOutbox.seq", "nexus_sync_outbox_sequence _SyncOutboxSequence.name");
    }

    @Test
    void shouldAnswerTheProbeWithThePluginsVersion() {
        asService(Neo4jTransactions.PLUGIN_PROBE, "MERGE (p:`_SyncReverseProbe` {id: 'probe'}) SET p.probedAt = datetime()");

        Value version = env.cypher("MATCH (p:`_SyncReverseProbe` {id: 'probe'}) RETURN p.pluginVersion AS v").get(0).get("v");
        assertThat(version.isNull()).as("the plugin answered").isFalse();
        assertThat(version.asString()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    /**
     * The service's own writes through the real writer (inserts, updates, a delete PostgreSQL owns, join rows, a temporal
     * version, the checkpoint, a repair and a checkpoint reset): none is refused, none is sent back, no version is bumped.
     */
    @Test
    void shouldNeverSeeWhatTheGraphWriterWrites() {
        Neo4jGraphWriter writer = new Neo4jGraphWriter(env.driver(), null, "neo4j_plugin_slot");

        writer.apply(planner.plan(tx(1,
                insert("threads", thread()),
                insert("content_items", contentItem(CONTENT_1, "first", 1)),
                insert("content_items", contentItem(CONTENT_2, "second", 1)),
                insert("tags", tag(1)),
                insert("content_tags", contentTag(0.5f, 1)),
                insert("thread_content", threadContent(0.25, 1)))), Checkpoint.after(Lsn.valueOf("0/1000")));
        writer.apply(planner.plan(tx(2,
                update("content_items", contentItem(CONTENT_1, "renamed", 2)),
                update("content_tags", contentTag(0.75f, 2)),
                update("thread_content", threadContent(0.5, 2)),
                delete("content_items", Map.of("id", CONTENT_2)))), Checkpoint.after(Lsn.valueOf("0/2000")));
        writer.applyRepair(planner.plan(tx(3, update("tags", tag(2)))).asRefresh(), "repair-1");
        writer.resetCheckpoint();

        assertThat(outboxSize()).isZero();
        assertThat(env.cypher("MATCH (c:ContentItem) RETURN c.id AS id, c.title AS title, c.neo4jVersion AS v").stream()
                .map(r -> r.get("id").asString() + " " + r.get("title").asString() + " " + r.get("v").asLong()).toList())
                .containsExactly(CONTENT_1 + " renamed 0");
        assertThat(env.cypher("MATCH (:Thread)-[r:INCLUDES]->(:ContentItem) RETURN r.relevanceScore AS s ORDER BY r.validFrom")
                .stream().map(r -> r.get("s").asDouble()).toList()).as("both versions, none removed or undone").containsExactly(0.25, 0.5);
        assertThat(env.cypher("MATCH (:ContentItem)-[r:TAGGED_WITH]->(:Tag) RETURN r.weight AS w").get(0).get("w").asDouble()).isEqualTo(0.75);
    }

    private long outboxSize() {
        return env.cypher("MATCH (o:`_SyncOutbox`) RETURN count(o) AS n").get(0).get("n").asLong();
    }

    private void asService(String purpose, String cypher) {
        try (var session = env.driver().session()) {
            session.run(cypher, Neo4jTransactions.config(purpose)).consume();
        }
    }

    private static List<SourceChange> tx(int number, RowChange... changes) {
        List<SourceChange> out = new ArrayList<>();
        for (RowChange change : changes) {
            out.add(new SourceChange(change, Lsn.of(0x1000L * number), T0.plusSeconds(number)));
        }
        return out;
    }

    private static RowChange insert(String table, Map<String, Object> row) {
        return new RowChange.Insert(TableId.parse(table), row);
    }

    private static RowChange update(String table, Map<String, Object> row) {
        return new RowChange.Update(TableId.parse(table), null, row);
    }

    private static RowChange delete(String table, Map<String, Object> key) {
        return new RowChange.Delete(TableId.parse(table), key);
    }

    private static Map<String, Object> thread() {
        return row("id", THREAD, "tenant_id", TENANT, "project_id", TENANT, "title", "a thread", "status", "active", "created_by", null,
                "created_at", time(), "updated_at", time(), "neo4j_node_id", null, "pg_version", 1L, "neo4j_version", 0L);
    }

    private static Map<String, Object> contentItem(String id, String title, long version) {
        return row("id", id, "tenant_id", TENANT, "project_id", TENANT, "title", title, "body", "a long body",
                "content_type", "document", "metadata", new JsonText("{}"), "access_level", "project",
                "view_count", 0L, "created_by", null, "created_at", time(), "updated_at", time(),
                "neo4j_node_id", null, "pg_version", version, "neo4j_version", 0L);
    }

    private static Map<String, Object> tag(long version) {
        return row("id", TAG, "tenant_id", TENANT, "name", "tag", "created_at", time(), "neo4j_node_id", null, "pg_version", version,
                "neo4j_version", 0L);
    }

    private static Map<String, Object> contentTag(float weight, long version) {
        return row("content_id", CONTENT_1, "tag_id", TAG, "weight", weight, "created_at", time(), "pg_version", version);
    }

    private static Map<String, Object> threadContent(double score, long version) {
        return row("thread_id", THREAD, "content_id", CONTENT_1, "relevance_score", score, "position", 1, "added_at", time(),
                "pg_version", version);
    }

    private static OffsetDateTime time() {
        return T0.atOffset(ZoneOffset.UTC);
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }
}
