package io.nexussync.it;

import io.nexussync.core.pipeline.ServiceState;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ALTER TABLE while streaming: an added column (with a DEFAULT, which writes no row to the WAL) and a
 * dropped one reach every node without a restart; the application's UPDATEs and the service's write-back
 * keep working after a column that existed at setup is dropped, and an UPDATE of only a column added
 * after setup bumps the version; a mapped table renamed or dropped stops the service with what to do,
 * instead of falling silently out of the sync.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SchemaChangeIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    @Test
    void shouldFollowAddedAndDroppedColumnsWithoutARestart() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("schema_columns")) {
            env.awaitCaughtUp(CATCH_UP);
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT x.t, x.t, 'item ' || g "
                    + "FROM generate_series(1, 300) g, (SELECT gen_random_uuid() t) x");
            env.awaitCaughtUp(CATCH_UP);

            env.sql("ALTER TABLE content_items ADD COLUMN summary text NOT NULL DEFAULT 'none'");
            UUID fresh = UUID.randomUUID();
            env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, summary) VALUES (?, ?, ?, 'after the alter', 'short')", fresh, fresh, fresh);
            awaitBackfills(env, 1);
            env.awaitCaughtUp(CATCH_UP);
            assertThat(env.cypher("MATCH (c:ContentItem) WHERE c.summary IS NULL RETURN count(c) AS n").get(0).get("n").asLong())
                    .as("nodes without the added column's value").isZero();
            assertThat(env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.summary AS s", Map.of("id", fresh.toString())).get(0).get("s").asString())
                    .isEqualTo("short");
            assertThat(env.discrepancies()).as("after ADD COLUMN").isEmpty();

            env.sql("ALTER TABLE content_items DROP COLUMN summary");
            env.sql("UPDATE content_items SET title = 'after the drop' WHERE id = ?", fresh);
            awaitBackfills(env, 2);
            env.awaitCaughtUp(CATCH_UP);
            assertThat(env.cypher("MATCH (c:ContentItem) WHERE c.summary IS NOT NULL RETURN count(c) AS n").get(0).get("n").asLong())
                    .as("nodes still holding the dropped column").isZero();
            assertThat(env.discrepancies()).as("after DROP COLUMN").isEmpty();
            assertThat(env.service().progress().state()).isEqualTo(ServiceState.STREAMING);
            env.stopService();
        }
    }

    @Test
    void shouldKeepTheApplicationsUpdatesAndTheWriteBackWorkingAfterAColumnThatExistedAtSetupIsDropped() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("schema_drop_column");
             Connection application = env.connect()) {
            UUID item = UUID.randomUUID();
            env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, created_by) VALUES (?, ?, ?, 'before', ?)", item, item, item, item);
            // The application's pooled connection has run the trigger before the ALTER, so PL/pgSQL has plans cached in it.
            update(application, "UPDATE content_items SET title = 'before the drop' WHERE id = ?", item);
            env.awaitCaughtUp(CATCH_UP);

            env.sql("ALTER TABLE content_items DROP COLUMN created_by");
            update(application, "UPDATE content_items SET title = 'after the drop' WHERE id = ?", item);
            env.sql("UPDATE content_items SET view_count = 7 WHERE id = ?", item);
            assertThat(env.query("SELECT pg_version FROM content_items WHERE id = ?", item).get(0)).containsEntry("pg_version", 4L);
            UUID fresh = UUID.randomUUID();
            env.sql("INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'inserted after the drop')", fresh, fresh, fresh);
            awaitBackfills(env, 1);
            env.awaitCaughtUp(CATCH_UP);
            // The write-back commits after the batch that carried the insert.
            env.awaitCaughtUp(CATCH_UP);

            var node = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.title AS t, c.viewCount AS v, c.pgVersion AS p",
                    Map.of("id", item.toString())).get(0);
            assertThat(node.get("t").asString()).isEqualTo("after the drop");
            assertThat(node.get("v").asLong()).isEqualTo(7);
            assertThat(node.get("p").asLong()).isEqualTo(4);
            String elementId = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN elementId(c) AS e", Map.of("id", fresh.toString())).get(0).get("e").asString();
            assertThat(env.query("SELECT neo4j_node_id, pg_version FROM content_items WHERE id = ?", fresh).get(0))
                    .as("written back, without a bump").containsEntry("neo4j_node_id", elementId).containsEntry("pg_version", 1L);
            assertThat(env.discrepancies()).isEmpty();
            assertThat(env.service().progress().state()).isEqualTo(ServiceState.STREAMING);
            env.stopService();
        }
    }

    @Test
    void shouldBumpTheVersionOnAnUpdateOfOnlyAColumnAddedAfterSetup() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("schema_add_column")) {
            UUID item = UUID.randomUUID();
            env.sql("INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'item')", item, item, item);
            env.awaitCaughtUp(CATCH_UP);

            env.sql("ALTER TABLE content_items ADD COLUMN summary text");
            env.sql("UPDATE content_items SET summary = 'short' WHERE id = ?", item);
            assertThat(env.query("SELECT pg_version FROM content_items WHERE id = ?", item).get(0)).containsEntry("pg_version", 2L);
            env.sql("UPDATE content_items SET summary = 'short' WHERE id = ?", item);
            assertThat(env.query("SELECT pg_version FROM content_items WHERE id = ?", item).get(0)).as("the same value again").containsEntry("pg_version", 2L);
            awaitBackfills(env, 1);
            env.awaitCaughtUp(CATCH_UP);

            var node = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.summary AS s, c.pgVersion AS p", Map.of("id", item.toString())).get(0);
            assertThat(node.get("s").asString()).isEqualTo("short");
            assertThat(node.get("p").asLong()).isEqualTo(2);
            assertThat(env.discrepancies()).isEmpty();
            env.stopService();
        }
    }

    @Test
    void shouldStopWithWhatToDoWhenAMappedTableIsRenamed() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("schema_rename")) {
            UUID tag = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'before')", tag, tag);
            env.awaitCaughtUp(CATCH_UP);

            env.sql("ALTER TABLE tags RENAME TO labels");
            env.sql("UPDATE labels SET name = 'after' WHERE id = ?", tag);

            Throwable failure = env.awaitServiceFailure(Duration.ofSeconds(60));
            assertThat(failure).hasMessageContaining("public.tags was renamed to public.labels")
                    .hasMessageContaining("ALTER TABLE public.labels RENAME TO tags");
        }
    }

    @Test
    void shouldStopWithWhatToDoWhenAMappedTableIsDropped() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("schema_drop")) {
            env.awaitCaughtUp(CATCH_UP);

            env.sql("DROP TABLE content_tags");

            Throwable failure = env.awaitServiceFailure(Duration.ofSeconds(60));
            assertThat(failure).hasMessageContaining("public.content_tags").hasMessageContaining("no longer exists");
        }
    }

    private static void update(Connection c, String sql, UUID id) throws SQLException {
        assertThat(SyncEnvironment.execute(c, sql, id)).isEqualTo(1);
    }

    private static void awaitBackfills(SyncEnvironment env, int done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            var rows = env.query("SELECT count(*) FILTER (WHERE state = 'done') AS done, count(*) FILTER (WHERE state = 'failed') AS failed "
                    + "FROM nexus_sync.backfill WHERE requested_by = 'schema change'");
            assertThat((Long) rows.get(0).get("failed")).isZero();
            if ((Long) rows.get(0).get("done") >= done) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the backfill after the schema change did not finish");
    }
}
