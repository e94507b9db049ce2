package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.VersionOrder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backfill while the application keeps updating the same rows: the graph's drift is repaired, no
 * older version is ever written after a newer one (the watermarks keep every chunk row that the
 * stream changed meanwhile out), and a job left running by a crash resumes after its last key.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class BackfillIT {
    private static final int ROWS = 4_000;
    private static final int HOT = 400;

    @Test
    void shouldRepairDriftWithoutEverWritingAnOlderVersionOverANewerOne() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("backfill_live")) {
            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "250");
            env.setup();
            VersionOrder order = new VersionOrder();
            env.startService(order::wrap);
            seed(env);
            env.awaitCaughtUp(Duration.ofSeconds(120));
            drift(env);
            assertThat(env.discrepancies()).as("the drift is visible before the backfill").isNotEmpty();

            AtomicLong updates = new AtomicLong();
            Thread hot = hotUpdates(env, updates);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = NexusSyncCommand.execute(new String[] {"backfill", "content_items", "--wait"}, env.environment(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            hot.interrupt();
            hot.join(10_000);

            assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("done");
            assertThat(updates.get()).as("the application wrote during the backfill").isGreaterThan(50);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.discrepancies()).as("graph vs database after the backfill").isEmpty();
            assertThat(order.backwards()).as("versions written after a newer one").isEmpty();
            env.stopService();
        }
    }

    @Test
    void shouldResumeAJobLeftRunningAfterItsLastKey() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("backfill_resume")) {
            env.setup();
            env.startService();
            seed(env);
            env.awaitCaughtUp(Duration.ofSeconds(120));
            env.stopService();
            List<String> ids = env.query("SELECT id::text AS id FROM content_items ORDER BY id").stream().map(r -> (String) r.get("id")).toList();
            String lastDone = ids.get(ROWS / 2 - 1);
            String earlier = ids.get(10);
            String later = ids.get(ROWS - 10);
            env.cypher("MATCH (c:ContentItem) WHERE c.id IN [$a, $b] SET c.title = 'drifted'", Map.of("a", earlier, "b", later));
            // What a crash leaves behind: a job marked running, half done.
            env.sql("INSERT INTO nexus_sync.backfill (table_name, state, last_key, rows_done) VALUES ('public.content_items', 'running', ARRAY[?], ?)",
                    lastDone, ROWS / 2);

            env.startService();
            Map<String, Object> job = awaitJobDone(env);
            env.stopService();

            assertThat(job.get("rows_done")).isEqualTo((long) ROWS);
            assertThat(title(env, later)).as("a row after the last key is read again").isNotEqualTo("drifted");
            assertThat(title(env, earlier)).as("a row before the last key is not read again").isEqualTo("drifted");
        }
    }

    private static String title(SyncEnvironment env, String id) {
        return env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.title AS t", Map.of("id", id)).get(0).get("t").asString();
    }

    private static Map<String, Object> awaitJobDone(SyncEnvironment env) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            var rows = env.query("SELECT state, rows_done, error FROM nexus_sync.backfill ORDER BY id DESC LIMIT 1");
            if ("done".equals(rows.get(0).get("state"))) {
                return rows.get(0);
            }
            assertThat(rows.get(0).get("state")).as("error: %s", rows.get(0).get("error")).isNotEqualTo("failed");
            Thread.sleep(200);
        }
        throw new AssertionError("the backfill did not finish within 2 minutes");
    }

    private static void seed(SyncEnvironment env) throws Exception {
        env.sql("INSERT INTO content_items (tenant_id, project_id, title, metadata) "
                + "SELECT x.t, x.t, 'item ' || g, jsonb_build_object('g', g) FROM generate_series(1, " + ROWS + ") g, (SELECT gen_random_uuid() t) x");
    }

    /** A graph gone wrong behind the service's back: nodes lost, properties changed. */
    private static void drift(SyncEnvironment env) {
        env.cypher("MATCH (c:ContentItem) WITH c ORDER BY c.id SKIP 100 LIMIT 50 DETACH DELETE c");
        env.cypher("MATCH (c:ContentItem) WITH c ORDER BY c.id DESC LIMIT 50 SET c.title = 'drifted', c.viewCount = -1, c.stray = 'not a column'");
    }

    private static Thread hotUpdates(SyncEnvironment env, AtomicLong updates) throws Exception {
        List<String> hotIds = env.query("SELECT id::text AS id FROM content_items ORDER BY random() LIMIT " + HOT).stream()
                .map(r -> (String) r.get("id")).toList();
        Thread t = new Thread(() -> {
            Random random = new Random(5);
            try (Connection c = env.connect(); var ps = c.prepareStatement(
                    "UPDATE content_items SET view_count = view_count + 1, title = 'hot ' || ? WHERE id = ?::uuid")) {
                while (!Thread.currentThread().isInterrupted()) {
                    ps.setLong(1, random.nextInt(1_000_000));
                    ps.setString(2, hotIds.get(random.nextInt(hotIds.size())));
                    ps.executeUpdate();
                    updates.incrementAndGet();
                    // A few hundred a second: enough to land in most watermark windows, few enough that the
                    // stream keeps up (a backfill chunk waits for the stream to reach its high watermark).
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                // stopped by the test
            } catch (Exception e) {
                if (!Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException(e);
                }
            }
        }, "hot-updates");
        t.start();
        return t;
    }
}
