package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ALTER TABLE while streaming: an added column (with a DEFAULT, which writes no row to the WAL) and a
 * dropped one reach every node without a restart; a mapped table renamed or dropped stops the service
 * with what to do, instead of falling silently out of the sync.
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
            assertThat(env.service().progress().state()).isEqualTo("streaming");
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
