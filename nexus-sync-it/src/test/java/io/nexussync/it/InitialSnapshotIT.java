package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.snapshot.SnapshotProgress;
import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.WriteCounter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A database that already holds rows across the six tables, and an application that keeps writing
 * while the first start snapshots it: after catch-up the graph equals the database, and no entity
 * version was written both by the snapshot and by the stream (the stream begins exactly where the
 * snapshot's view ends).
 *
 * <p>CI seeds 20,000 rows ({@code -Dsnapshot.it.contentItems=8000}, 2.5 rows per content item): enough for the
 * snapshot to run for seconds while the application commits, which the test checks. The 200,000 rows this test
 * used to seed took two minutes of CI for no case the smaller set lacks; {@code -Dsnapshot.it.contentItems=80000}
 * seeds them again.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class InitialSnapshotIT {
    /** Content items seeded; every other table is a fixed share of it (see {@link #seed}). */
    static final int CONTENT_ITEMS = Integer.getInteger("snapshot.it.contentItems", 8_000);
    static final int SEEDED_ROWS = CONTENT_ITEMS * 5 / 2;

    @Test
    void shouldMirrorExistingRowsAndStreamOnFromExactlyWhereTheSnapshotEnds() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("snapshot_initial")) {
            env.setup();
            seed(env);
            WriteCounter counter = new WriteCounter();
            try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 3, 21, 2)) {
                env.startService(counter::wrap);
                SnapshotProgress snapshot = awaitSnapshotFinished(env, workload);
                assertThat(snapshot.rowsDone()).isGreaterThanOrEqualTo(SEEDED_ROWS);
                Thread.sleep(1_500);
                assertThat(workload.transactions()).isGreaterThan(20);
            }
            env.awaitCaughtUp(Duration.ofSeconds(120));
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.discrepancies()).as("graph vs database after snapshot and stream").isEmpty();
            assertThat(counter.snapshotRows()).isGreaterThanOrEqualTo(SEEDED_ROWS - SEEDED_ROWS / 5);
            assertThat(counter.streamedVersions()).as("the stream carried the workload's changes").isGreaterThan(20);
            assertThat(counter.writtenByBoth()).as("entity versions written by both the snapshot and the stream").isEmpty();
            assertThat(env.cypher("MATCH (n:ContentItem) RETURN count(n) AS c").get(0).get("c").asLong()).isGreaterThanOrEqualTo(CONTENT_ITEMS);
            env.stopService();
        }
    }

    /**
     * {@link #SEEDED_ROWS} rows, in the shares of the original 200,000 (80k content items, 10k threads, 40k messages,
     * 2k tags, 40k INCLUDES, 28k TAGGED_WITH).
     */
    static void seed(SyncEnvironment env) throws Exception {
        int threads = CONTENT_ITEMS / 8;
        int tags = CONTENT_ITEMS / 40;
        env.sql("INSERT INTO content_items (tenant_id, project_id, title, body, metadata, view_count) "
                + "SELECT x.t, x.p, 'item ' || g, repeat('body ', 20), jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 7)), g "
                + "FROM generate_series(1, " + CONTENT_ITEMS + ") g, (SELECT gen_random_uuid() t, gen_random_uuid() p) x");
        env.sql("INSERT INTO threads (tenant_id, project_id, title) "
                + "SELECT gen_random_uuid(), gen_random_uuid(), 'thread ' || g FROM generate_series(1, " + threads + ") g");
        env.sql("INSERT INTO messages (thread_id, tenant_id, role, body, token_count) "
                + "SELECT th.id, th.tenant_id, (ARRAY['user','assistant','system'])[1 + k % 3], 'message ' || k, k FROM threads th, generate_series(1, 4) k");
        env.sql("INSERT INTO tags (tenant_id, name) SELECT gen_random_uuid(), 'tag ' || g FROM generate_series(1, " + tags + ") g");
        env.sql("WITH t AS (SELECT id, row_number() OVER (ORDER BY id) rn FROM threads), "
                + "c AS (SELECT id, row_number() OVER (ORDER BY id) rn FROM content_items) "
                + "INSERT INTO thread_content (thread_id, content_id, relevance_score, position) "
                + "SELECT t.id, c.id, 0.25 * k, k FROM t CROSS JOIN generate_series(0, 3) k JOIN c ON c.rn = t.rn * 4 + k");
        env.sql("WITH c AS (SELECT id, row_number() OVER (ORDER BY id) rn FROM content_items), "
                + "g AS (SELECT id, row_number() OVER (ORDER BY id) rn FROM tags) "
                + "INSERT INTO content_tags (content_id, tag_id, weight) SELECT c.id, g.id, 0.5 FROM c JOIN g ON g.rn = c.rn % " + tags + " + 1 "
                + "WHERE c.rn <= " + CONTENT_ITEMS * 7 / 20);
    }

    /**
     * Also checks that the application committed while the snapshot ran (from the first sight of a running snapshot
     * to its end): that overlap, not the number of rows, is what the snapshot-to-stream hand-over is tested under.
     */
    static SnapshotProgress awaitSnapshotFinished(SyncEnvironment env, BackgroundWorkload workload) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long transactionsWhenSeenRunning = -1;
        while (System.nanoTime() < deadline) {
            SnapshotProgress snapshot = env.service() == null ? null : env.service().progress().snapshot();
            if (snapshot != null && snapshot.isFinished()) {
                assertThat(transactionsWhenSeenRunning).as("the snapshot was seen running before it finished").isNotNegative();
                assertThat(workload.transactions() - transactionsWhenSeenRunning)
                        .as("application transactions committed while the snapshot ran").isGreaterThan(10);
                return snapshot;
            }
            if (snapshot != null && transactionsWhenSeenRunning < 0) {
                transactionsWhenSeenRunning = workload.transactions();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the snapshot did not finish within 5 minutes");
    }
}
