package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;

/** Every table of the reference schema, inserted, updated and deleted, appears in Neo4j exactly as shared/contract/ says. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ContractMappingIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);
    private SyncEnvironment env;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.streaming("contract_mapping");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldMirrorInsertsUpdatesAndDeletesOfEveryTable() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        UUID thread = UUID.randomUUID();
        UUID content = UUID.randomUUID();
        UUID message = UUID.randomUUID();
        UUID tag = UUID.randomUUID();
        env.sql("INSERT INTO threads (id, tenant_id, project_id, title, created_by) VALUES (?, ?, ?, 'Design review', ?)", thread, tenant, project, UUID.randomUUID());
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, body, metadata, access_level, view_count, created_by) "
                + "VALUES (?, ?, ?, 'Spec', 'secret body', '{\"z\": 1, \"a\": {\"y\": true, \"b\": [1, 2]}}', 'private', 7, ?)", content, tenant, project, UUID.randomUUID());
        env.sql("INSERT INTO messages (id, thread_id, tenant_id, role, body, token_count) VALUES (?, ?, ?, 'user', 'hello', 12)", message, thread, tenant);
        env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'architecture')", tag, tenant);
        env.sql("INSERT INTO content_tags (content_id, tag_id, weight) VALUES (?, ?, 0.75)", content, tag);
        env.sql("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, 0.5, 3)", thread, content);
        env.awaitCaughtUp(CATCH_UP);

        Record item = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c", Map.of("id", content.toString())).get(0);
        Map<String, Object> c = item.get("c").asMap();
        assertThat(c).containsEntry("title", "Spec").containsEntry("pgId", content.toString()).containsEntry("tenantId", tenant.toString())
                .containsEntry("accessLevel", "private").containsEntry("viewCount", 7L).containsEntry("pgVersion", 1L)
                .containsEntry("neo4jVersion", 0L).containsEntry("contentType", "document")
                .containsEntry("metadata", "{\"a\":{\"b\":[1,2],\"y\":true},\"z\":1}")
                .doesNotContainKeys("body", "createdBy", "neo4jNodeId");
        assertThat(c.get("createdAt")).isInstanceOf(ZonedDateTime.class);
        assertThat(c.get("lastSyncedAt")).isInstanceOf(ZonedDateTime.class);
        Map<String, Object> m = env.cypher("MATCH (t:Thread {id: $t})-[:HAS_MESSAGE]->(m:Message) RETURN m", Map.of("t", thread.toString())).get(0).get("m").asMap();
        assertThat(m).containsEntry("id", message.toString()).containsEntry("role", "user").containsEntry("tokenCount", 12L).doesNotContainKeys("body", "threadId");
        Map<String, Object> tagged = env.cypher("MATCH (:ContentItem {id: $c})-[r:TAGGED_WITH]->(:Tag {id: $t}) RETURN r",
                Map.of("c", content.toString(), "t", tag.toString())).get(0).get("r").asMap();
        assertThat(tagged).containsEntry("weight", 0.75).containsEntry("pgVersion", 1L).containsKey("createdAt");
        Map<String, Object> includes = env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) "
                + "WHERE r.validTo = datetime('9999-12-31T00:00:00Z') RETURN r", Map.of("t", thread.toString(), "c", content.toString())).get(0).get("r").asMap();
        assertThat(includes).containsEntry("relevanceScore", 0.5).containsEntry("position", 3L).containsEntry("version", 1L).containsKeys("validFrom", "addedAt");
        assertThat(env.discrepancies()).isEmpty();

        env.sql("UPDATE content_items SET title = 'Spec v2', access_level = 'public' WHERE id = ?", content);
        env.sql("UPDATE threads SET status = 'archived' WHERE id = ?", thread);
        env.sql("UPDATE messages SET role = 'assistant' WHERE id = ?", message);
        env.sql("UPDATE tags SET name = 'arch' WHERE id = ?", tag);
        env.sql("UPDATE content_tags SET weight = 0.25 WHERE content_id = ?", content);
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.title AS t, c.accessLevel AS a, c.pgVersion AS v", Map.of("id", content.toString())).get(0).asMap())
                .containsEntry("t", "Spec v2").containsEntry("a", "public").containsEntry("v", 2L);
        assertThat(env.cypher("MATCH (t:Thread {id: $id}) RETURN t.status AS s", Map.of("id", thread.toString())).get(0).get("s").asString()).isEqualTo("archived");
        assertThat(env.cypher("MATCH (:ContentItem {id: $c})-[r:TAGGED_WITH]->() RETURN r.weight AS w, r.pgVersion AS v", Map.of("c", content.toString())).get(0).asMap()).containsEntry("w", 0.25).containsEntry("v", 2L);
        assertThat(env.discrepancies()).isEmpty();

        env.sql("DELETE FROM content_tags WHERE content_id = ?", content);
        env.sql("DELETE FROM messages WHERE id = ?", message);
        env.sql("DELETE FROM tags WHERE id = ?", tag);
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.cypher("MATCH (m:Message {id: $id}) RETURN m", Map.of("id", message.toString()))).isEmpty();
        assertThat(env.cypher("MATCH (n)-[r:HAS_MESSAGE|TAGGED_WITH]-() WHERE n.id IN $ids RETURN r",
                Map.of("ids", java.util.List.of(content.toString(), thread.toString())))).isEmpty();
        env.sql("DELETE FROM content_items WHERE id = ?", content);
        env.sql("DELETE FROM threads WHERE id = ?", thread);
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.cypher("MATCH (n) WHERE n.id IN $ids RETURN n",
                Map.of("ids", java.util.List.of(content.toString(), thread.toString(), message.toString(), tag.toString())))).isEmpty();
        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    void shouldMoveMessageToItsNewThread() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        UUID message = UUID.randomUUID();
        env.sql("INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'one'), (?, ?, ?, 'two')", first, tenant, tenant, second, tenant, tenant);
        env.sql("INSERT INTO messages (id, thread_id, tenant_id, role) VALUES (?, ?, ?, 'user')", message, first, tenant);
        env.sql("UPDATE messages SET thread_id = ? WHERE id = ?", second, message);
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.cypher("MATCH (t:Thread)-[:HAS_MESSAGE]->(:Message {id: $m}) RETURN t.id AS t", Map.of("m", message.toString())))
                .extracting(r -> r.get("t").asString()).containsExactly(second.toString());
        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    void shouldKeepToastedValuesWhenAnotherColumnChanges() throws Exception {
        UUID id = UUID.randomUUID();
        String body = randomText(1_000_000);
        String bigMetadata = "{\"blob\": \"" + randomText(300_000) + "\"}";
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, body, metadata) VALUES (?, ?, ?, 'big', ?, ?::jsonb)",
                id, id, id, body, bigMetadata);
        env.awaitCaughtUp(CATCH_UP);
        String metadataBefore = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.metadata AS m", Map.of("id", id.toString())).get(0).get("m").asString();
        assertThat(metadataBefore).hasSizeGreaterThan(300_000);

        env.sql("UPDATE content_items SET title = 'big, renamed' WHERE id = ?", id);
        env.awaitCaughtUp(CATCH_UP);
        Map<String, Object> node = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c", Map.of("id", id.toString())).get(0).get("c").asMap();
        assertThat(node).containsEntry("title", "big, renamed").containsEntry("pgVersion", 2L).containsEntry("metadata", metadataBefore).doesNotContainKey("body");
        assertThat(env.query("SELECT length(body) AS n FROM content_items WHERE id = ?", id).get(0).get("n")).isEqualTo(1_000_000);
        assertThat(env.discrepancies()).isEmpty();
    }

    private static String randomText(int length) {
        var random = new java.util.Random(length);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) ('a' + random.nextInt(26)));
        }
        return out.toString();
    }
}
