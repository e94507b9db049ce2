package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.it.testkit.SyncEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The slot is lost while the service is down and the tables change meanwhile (updates, deletes that
 * cascade to join tables, inserts): {@code nexus-sync resync} rebuilds the sync over the graph as it
 * is, removing what PostgreSQL no longer has, and the next run streams on to equality.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ResyncIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(90);

    @Test
    void shouldBringTheGraphBackToEqualityAfterTheSlotWasLost() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("resync")) {
            env.awaitCaughtUp(CATCH_UP);
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT x.t, x.t, 'item ' || g "
                    + "FROM generate_series(1, 500) g, (SELECT gen_random_uuid() t) x");
            env.sql("INSERT INTO threads (tenant_id, project_id, title) SELECT x.t, x.t, 'thread ' || g FROM generate_series(1, 20) g, (SELECT gen_random_uuid() t) x");
            env.sql("INSERT INTO thread_content (thread_id, content_id, position) "
                    + "SELECT t.id, c.id, row_number() OVER () FROM (SELECT id FROM threads) t, (SELECT id FROM content_items ORDER BY id LIMIT 10) c");
            env.sql("INSERT INTO tags (tenant_id, name) SELECT gen_random_uuid(), 'tag ' || g FROM generate_series(1, 5) g");
            env.sql("INSERT INTO content_tags (content_id, tag_id) SELECT c.id, t.id FROM (SELECT id FROM content_items ORDER BY id LIMIT 40) c, tags t");
            env.awaitCaughtUp(CATCH_UP);
            env.awaitCaughtUp(CATCH_UP);
            env.stopService();

            // Down, and the slot gone with what happened meanwhile.
            env.query("SELECT pg_drop_replication_slot(?) IS NULL AS dropped", env.environment().get("NEXUS_SYNC_SLOT"));
            env.sql("UPDATE content_items SET title = 'changed while down' WHERE id IN (SELECT id FROM content_items ORDER BY id DESC LIMIT 50)");
            env.sql("DELETE FROM content_items WHERE id IN (SELECT id FROM content_items ORDER BY id LIMIT 5)");
            env.sql("DELETE FROM thread_content WHERE position % 7 = 0");
            env.sql("DELETE FROM tags WHERE name = 'tag 3'");
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT x.t, x.t, 'new ' || g FROM generate_series(1, 20) g, (SELECT gen_random_uuid() t) x");
            assertThat(env.discrepancies()).as("the graph is behind before the resync").isNotEmpty();

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = NexusSyncCommand.execute(new String[] {"resync"}, env.environment(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(exit).as("%s%s", out, err).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("verify: every mapped table agrees");

            env.startService();
            UUID after = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'after the resync')", after, after);
            env.awaitCaughtUp(CATCH_UP);
            env.awaitCaughtUp(CATCH_UP);
            assertThat(env.discrepancies()).as("graph vs database after the resync").isEmpty();
            env.stopService();
        }
    }
}
