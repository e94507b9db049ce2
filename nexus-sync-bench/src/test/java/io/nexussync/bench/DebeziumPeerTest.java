package io.nexussync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.bench.PeerStatements.PeerChange;
import io.nexussync.bench.PeerStatements.Statement;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.TableId;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/** The Debezium peer's loader: a poll batch's statements keep each key's changes in order, and TOAST placeholders never reach the graph. */
class DebeziumPeerTest {
    private static final TableId CONTENT = new TableId("public", "content_items");
    private static final TableId THREADS = new TableId("public", "threads");
    private static final TableId MESSAGES = new TableId("public", "messages");
    private static final TableId THREAD_CONTENT = new TableId("public", "thread_content");
    private static final TableId CONTENT_TAGS = new TableId("public", "content_tags");
    private static final OffsetDateTime T1 = OffsetDateTime.of(2026, 1, 1, 0, 0, 1, 0, ZoneOffset.UTC);
    private static final OffsetDateTime T2 = T1.plusSeconds(1);
    private static final OffsetDateTime T3 = T1.plusSeconds(2);

    private final PeerStatements statements = new PeerStatements(MappingLoader.builtIn());

    @Test
    void shouldDeleteAKeyBeforeWritingItsLastStateWhenItIsDeletedAndInsertedAgainInOneBatch() {
        List<Statement> plan = statements.plan(List.of(
                upsert(CONTENT, T1, Map.of("id", "c1", "title", "first", "view_count", 1L)),
                delete(CONTENT, T2, Map.of("id", "c1")),
                upsert(CONTENT, T3, Map.of("id", "c1", "title", "again"))));

        assertThat(plan).hasSize(2);
        assertThat(plan.get(0).cypher()).contains("DETACH DELETE");
        assertThat(plan.get(0).rows()).containsExactly("c1");
        assertThat(plan.get(1).cypher()).contains("MERGE (n:`ContentItem`");
        assertThat(plan.get(1).rows()).hasSize(1);
        // the re-inserted row only: nothing of the deleted one's values survives the delete
        assertThat(props(plan.get(1))).containsEntry("title", "again").containsEntry("pgId", "c1").doesNotContainKey("viewCount");
    }

    @Test
    void shouldWriteNothingOfAKeyWhoseLastChangeDeletesIt() {
        List<Statement> plan = statements.plan(List.of(
                upsert(CONTENT, T1, Map.of("id", "c1", "title", "first")),
                delete(CONTENT, T2, Map.of("id", "c1"))));

        assertThat(plan).hasSize(1);
        assertThat(plan.get(0).cypher()).contains("DETACH DELETE");
    }

    @Test
    void shouldKeepAnEarlierValueOfAColumnThatALaterUpdateLeftOutAsUnchangedToast() {
        List<Statement> plan = statements.plan(List.of(
                upsert(CONTENT, T1, Map.of("id", "c1", "title", "long title", "view_count", 1L)),
                upsert(CONTENT, T2, Map.of("id", "c1", "view_count", 2L))));

        assertThat(plan).hasSize(1);
        assertThat(props(plan.get(0))).containsEntry("title", "long title").containsEntry("viewCount", 2L);
    }

    @Test
    void shouldWriteEveryVersionOfATemporalRelationshipEachOpenUntilTheKeysNextChange() {
        List<Statement> plan = statements.plan(List.of(
                upsert(THREAD_CONTENT, T1, Map.of("thread_id", "t1", "content_id", "c1", "position", 1L, "pg_version", 1L)),
                upsert(THREAD_CONTENT, T2, Map.of("thread_id", "t1", "content_id", "c1", "position", 2L, "pg_version", 2L)),
                delete(THREAD_CONTENT, T3, Map.of("thread_id", "t1", "content_id", "c1"))));

        assertThat(plan).hasSize(1);
        assertThat(plan.get(0).rows()).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) plan.get(0).rows().get(0);
        assertThat(row).containsEntry("from", "t1").containsEntry("to", "c1").containsEntry("closeAt", T1);
        assertThat(row.get("versions")).isEqualTo(List.of(
                Map.of("position", 1L, "version", 1L, "validFrom", T1, "validTo", T2),
                Map.of("position", 2L, "version", 2L, "validFrom", T2, "validTo", T3)));
    }

    @Test
    void shouldRunRelationshipDeletesThenNodeDeletesThenParentsBeforeChildrenThenRelationships() {
        List<Statement> plan = statements.plan(List.of(
                upsert(MESSAGES, T1, Map.of("id", "m1", "thread_id", "t1", "role", "user")),
                upsert(THREAD_CONTENT, T1, Map.of("thread_id", "t1", "content_id", "c1", "position", 1L)),
                upsert(THREADS, T1, Map.of("id", "t1", "title", "a thread")),
                delete(CONTENT_TAGS, T2, Map.of("content_id", "c1", "tag_id", "g1")),
                delete(CONTENT, T2, Map.of("id", "c2"))));

        assertThat(plan).extracting(Statement::cypher).satisfiesExactly(
                s -> assertThat(s).contains("[x:`TAGGED_WITH`]").endsWith("DELETE x"),
                s -> assertThat(s).contains(":`ContentItem`").endsWith("DETACH DELETE n"),
                s -> assertThat(s).contains("MERGE (n:`Thread`"),
                s -> assertThat(s).contains("MERGE (n:`Message`").contains("HAS_MESSAGE"),
                s -> assertThat(s).contains("CREATE (a)-[x:`INCLUDES`]->(b)"));
        @SuppressWarnings("unchecked")
        Map<String, Object> message = (Map<String, Object>) plan.get(3).rows().get(0);
        assertThat(message.get("parents")).isEqualTo(List.of("t1"));
    }

    @Test
    void shouldLeaveOutTheToastPlaceholderAndConvertDebeziumTypesToTheContractsGraphTypes() {
        Schema row = SchemaBuilder.struct()
                .field("id", SchemaBuilder.string().name("io.debezium.data.Uuid").build())
                .field("title", Schema.STRING_SCHEMA)
                .field("metadata", SchemaBuilder.string().name("io.debezium.data.Json").optional().build())
                .field("updated_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
                .field("weight", Schema.FLOAT32_SCHEMA)
                .field("position", Schema.INT32_SCHEMA)
                .build();
        Struct value = new Struct(row)
                .put("id", "6f1c0000-0000-0000-0000-000000000001")
                .put("title", DebeziumPeer.UNAVAILABLE)
                .put("metadata", "{\"b\": 1, \"a\": [true, 1.50]}")
                .put("updated_at", "2026-01-01T10:00:00.123456Z")
                .put("weight", 0.1f)
                .put("position", 3);

        Map<String, Object> values = DebeziumPeer.values(value);

        assertThat(values).doesNotContainKey("title").containsOnlyKeys("id", "metadata", "updated_at", "weight", "position");
        assertThat(values).containsEntry("metadata", "{\"a\":[true,1.50],\"b\":1}")
                .containsEntry("updated_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 123_456_000, ZoneOffset.UTC))
                .containsEntry("weight", 0.1)
                .containsEntry("position", 3L);
    }

    private static PeerChange upsert(TableId table, OffsetDateTime at, Map<String, Object> values) {
        return new PeerChange(table, false, new HashMap<>(values), at);
    }

    private static PeerChange delete(TableId table, OffsetDateTime at, Map<String, Object> key) {
        return new PeerChange(table, true, new HashMap<>(key), at);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> props(Statement statement) {
        return (Map<String, Object>) ((Map<String, Object>) statement.rows().get(0)).get("props");
    }
}
