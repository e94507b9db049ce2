package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.setup.Migrations;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code nexus-sync mapping init} on the ContextNexus schema. What the catalog shows, init gets right by
 * itself: every label, key, identity, sync column, link (HAS_MESSAGE, its direction) and both join tables
 * with their endpoints and directions; the generated file passes {@code mapping check}. What the catalog
 * cannot show is the user's edit: the join tables' verbs (INCLUDES, TAGGED_WITH), INCLUDES being temporal
 * with its version as {@code version}, and the PG-only columns. With exactly those edits the generated
 * mapping syncs the contract graph: the contract's own equality check finds no difference.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MappingInitIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);
    private SyncEnvironment env;
    private Path generated;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("mapping_init");
        Migrations.contextNexusTables(env.config().postgres());
        generated = Files.createTempFile("generated-mapping", ".yaml");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    @Order(1)
    void shouldGenerateWhatTheCatalogShowsAndPassCheck() {
        String[] result = run("mapping", "init", "--name", "contextnexus", "--out", generated.toString());
        assertThat(result[0]).isEqualTo("0");
        assertThat(result[2]).isEmpty();

        String[] check = run("mapping", "check", generated.toString());
        assertThat(check[2]).isEmpty();
        assertThat(check[0]).isEqualTo("0");
        assertThat(check[1]).contains("ok, 4 node table(s), 2 relationship table(s)");

        Mapping mapping = MappingLoader.load(generated);
        Mapping builtIn = MappingLoader.builtIn();
        assertThat(mapping.nodes()).hasSize(4);
        for (NodeMapping expected : builtIn.nodes()) {
            NodeMapping actual = mapping.node(expected.table()).orElseThrow();
            assertThat(actual.label()).isEqualTo(expected.label());
            assertThat(actual.keyColumns()).isEqualTo(expected.keyColumns());
            assertThat(actual.idProperty()).isEqualTo(expected.idProperty());
            assertThat(actual.versionColumn()).isEqualTo(expected.versionColumn());
            assertThat(actual.graphVersionColumn()).isEqualTo(expected.graphVersionColumn());
            assertThat(actual.crossReferenceColumn()).isEqualTo(expected.crossReferenceColumn());
            assertThat(actual.parentLinks()).isEqualTo(expected.parentLinks());
        }
        assertThat(mapping.relationships()).hasSize(2);
        for (RelationshipMapping expected : builtIn.relationships()) {
            RelationshipMapping actual = mapping.relationship(expected.table()).orElseThrow();
            assertThat(actual.from()).isEqualTo(expected.from());
            assertThat(actual.to()).isEqualTo(expected.to());
            assertThat(actual.versionColumn()).isEqualTo(expected.versionColumn());
            assertThat(actual.temporal()).isFalse();
        }
        // named after the tables: the verbs are the user's to choose
        assertThat(mapping.relationships()).extracting(RelationshipMapping::type).containsExactlyInAnyOrder("THREAD_CONTENT", "CONTENT_TAG");
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void shouldSyncTheContractGraphOnceTheUserNamesWhatTheCatalogCannotShow() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, Object> file = yaml.readValue(generated.toFile(), Map.class);
        Map<String, List<String>> pgOnly = Map.of("public.content_items", List.of("body", "created_by"), "public.threads", List.of("created_by"),
                "public.messages", List.of("body"));
        for (Map<String, Object> node : (List<Map<String, Object>>) file.get("nodes")) {
            if (pgOnly.containsKey(node.get("table"))) {
                node.put("pgOnly", pgOnly.get(node.get("table")));
            }
        }
        for (Map<String, Object> relationship : (List<Map<String, Object>>) file.get("relationships")) {
            if (relationship.get("table").equals("public.thread_content")) {
                relationship.put("type", "INCLUDES");
                relationship.put("temporal", true);
                relationship.put("versionProperty", "version");
            } else {
                relationship.put("type", "TAGGED_WITH");
            }
        }
        Path edited = Files.createTempFile("edited-mapping", ".yaml");
        yaml.writeValue(edited.toFile(), file);
        env.environment().put("NEXUS_SYNC_MAPPING", edited.toString());
        env.setup();
        env.startService();

        UUID tenant = UUID.randomUUID();
        UUID thread = UUID.randomUUID();
        UUID content = UUID.randomUUID();
        UUID message = UUID.randomUUID();
        UUID tag = UUID.randomUUID();
        env.sql("INSERT INTO threads (id, tenant_id, project_id, title, created_by) VALUES (?, ?, ?, 'Design review', ?)", thread, tenant, tenant, UUID.randomUUID());
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, body, metadata) VALUES (?, ?, ?, 'Spec', 'secret', '{\"z\": 1, \"a\": 2}')", content, tenant, tenant);
        env.sql("INSERT INTO messages (id, thread_id, tenant_id, role, body) VALUES (?, ?, ?, 'user', 'hello')", message, thread, tenant);
        env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'architecture')", tag, tenant);
        env.sql("INSERT INTO content_tags (content_id, tag_id, weight) VALUES (?, ?, 0.75)", content, tag);
        env.sql("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, 0.5, 3)", thread, content);
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.cypher("MATCH (t:Thread {id: $t})-[:HAS_MESSAGE]->(m:Message {id: $m}) RETURN m.pgId AS p",
                Map.of("t", thread.toString(), "m", message.toString())).get(0).get("p").asString()).isEqualTo(message.toString());
        assertThat(env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) RETURN r.version AS v, r.validTo AS to",
                Map.of("t", thread.toString(), "c", content.toString())).get(0).get("v").asLong()).isEqualTo(1L);
        assertThat(env.cypher("MATCH (:ContentItem {id: $c})-[r:TAGGED_WITH]->(:Tag {id: $t}) RETURN r.weight AS w",
                Map.of("c", content.toString(), "t", tag.toString())).get(0).get("w").asDouble()).isEqualTo(0.75);
        assertThat(env.discrepancies()).isEmpty();

        env.sql("UPDATE thread_content SET position = 4 WHERE thread_id = ?", thread);
        env.sql("UPDATE content_items SET title = 'Spec v2' WHERE id = ?", content);
        env.sql("UPDATE content_tags SET weight = 0.25 WHERE content_id = ?", content);
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->() RETURN count(r) AS n", Map.of("t", thread.toString())).get(0).get("n").asLong()).isEqualTo(2L);
        assertThat(env.discrepancies()).isEmpty();

        env.sql("DELETE FROM content_tags WHERE content_id = ?", content);
        env.sql("DELETE FROM messages WHERE id = ?", message);
        env.sql("DELETE FROM threads WHERE id = ?", thread);
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.discrepancies()).isEmpty();
        assertThat(env.cypher("MATCH (n) WHERE NOT n:_SyncCheckpoint RETURN DISTINCT labels(n)[0] AS l ORDER BY l")).extracting(r -> r.get("l").asString())
                .containsExactly("ContentItem", "Tag");
    }

    /** @return exit code, standard output, standard error */
    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> environment = new HashMap<>(env.environment());
        environment.remove("NEXUS_SYNC_NEO4J_URI");
        int exit = NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(exit), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
