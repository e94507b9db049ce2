package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reverse sync on a Neo4j server without the plugin (a hosted server that takes no plugins): the service's probe finds
 * none, so {@code reverse.mode=auto} polls, and a graph writer that raises {@code neo4jVersion} on what it edits has its
 * property edits reach PostgreSQL, once each; an edit without the raise is not seen (the documented limit).
 */
class ReversePollingIT {
    private static Path home;
    private static EmbeddedNeo4jServer plainNeo4j;

    @BeforeAll
    static void startNeo4jWithoutThePlugin() throws Exception {
        home = Files.createTempDirectory("nexus-sync-it-neo4j-without-plugin");
        plainNeo4j = EmbeddedNeo4jServer.startWithoutPlugin(home, 0);
    }

    @AfterAll
    static void stop() {
        if (plainNeo4j != null) {
            plainNeo4j.close();
        }
    }

    @Test
    void shouldBringAGraphWritersVersionedEditsToPostgresByPolling() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID item = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        try (SyncEnvironment env = SyncEnvironment.create("reverse_polling", TestServers.postgres(), plainNeo4j)) {
            env.setup();
            try (Connection c = env.connect()) {
                for (UUID id : List.of(item, other)) {
                    SyncEnvironment.execute(c, "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'from postgres')", id, tenant, tenant);
                }
            }
            env.environment().put("NEXUS_SYNC_REVERSE_MODE", "auto");
            env.environment().put("NEXUS_SYNC_REVERSE_POLL_INTERVAL", "PT0.2S");
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.cypher("MATCH (p:`_SyncReverseProbe`) RETURN p.pluginVersion AS v").get(0).get("v").isNull())
                    .as("no plugin answered the probe").isTrue();

            env.cypher("MATCH (c:ContentItem {id: $id}) SET c.title = 'edited in the graph', c.neo4jVersion = c.neo4jVersion + 1",
                    Map.of("id", item.toString()));
            env.cypher("MATCH (c:ContentItem {id: $id}) SET c.title = 'edited without the raise'", Map.of("id", other.toString()));

            Map<String, Object> row = awaitRow(env, item, "edited in the graph", Duration.ofSeconds(30));
            assertThat(row).containsEntry("neo4j_version", 1L).containsEntry("pg_version", 2L);
            // A few more polls: the applied edit is not applied again (the row records the graph version it saw).
            Thread.sleep(1_000);
            env.awaitCaughtUp(Duration.ofSeconds(30));
            assertThat(env.query("SELECT pg_version, neo4j_version FROM content_items WHERE id = ?", item).get(0))
                    .containsEntry("pg_version", 2L).containsEntry("neo4j_version", 1L);
            assertThat(env.query("SELECT title FROM content_items WHERE id = ?", other).get(0))
                    .as("an edit that does not raise the graph version is not seen by polling").containsEntry("title", "from postgres");

            // Put the unversioned edit right, as the row's next change would, before comparing the two sides.
            env.sql("UPDATE content_items SET title = 'from postgres again' WHERE id = ?", other);
            env.awaitCaughtUp(Duration.ofSeconds(30));
            assertThat(env.discrepancies()).isEmpty();
        } finally {
            Files.walk(home).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Map<String, Object> awaitRow(SyncEnvironment env, UUID id, String title, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> row = env.query("SELECT title, pg_version, neo4j_version FROM content_items WHERE id = ?", id).get(0);
            if (title.equals(row.get("title"))) {
                return row;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the graph's edit did not reach the row within " + atMost);
    }
}
