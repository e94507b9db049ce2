package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.SyncEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real executable is killed with SIGKILL in the middle of its first snapshot, while the
 * application writes and deletes; the next start takes the snapshot again over the part already in
 * the graph (removing what was deleted meanwhile) and streams on to equality.
 *
 * <p>It seeds {@link InitialSnapshotIT}'s rows (20,000 in CI, {@code -Dsnapshot.it.contentItems=80000} for the
 * original 200,000): the kill needs a snapshot in progress and a part of it in the graph, not a large one.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SnapshotCrashIT {

    @Test
    void shouldEndInEqualityAfterASigkillMidSnapshot() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("snapshot_crash")) {
            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "2000");
            env.setup();
            InitialSnapshotIT.seed(env);
            Path log = ChildService.logFile("snapshot-crash");
            try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 2, 31, 5)) {
                ChildService first = ChildService.start(env.environment(), log);
                // Two batches in: the kill lands inside content_items, the first table, with most of the snapshot still to come.
                long rows = awaitSnapshotRows(env, Math.max(4_000, InitialSnapshotIT.SEEDED_ROWS / 10), first);
                first.kill();
                assertThat(snapshotState(env)).as("killed mid-snapshot after %d rows", rows).isEqualTo("RUNNING");
                // Rows the first attempt wrote go away before the second: its sweep must remove their nodes.
                env.sql("DELETE FROM content_items WHERE id IN (SELECT id FROM content_items ORDER BY id LIMIT 300)");
                Thread.sleep(500);
            }
            ChildService second = ChildService.start(env.environment(), log);
            try {
                env.awaitCaughtUp(Duration.ofMinutes(5));
                env.awaitCaughtUp(Duration.ofSeconds(60));
                assertThat(env.discrepancies()).as("graph vs database after a SIGKILL mid-snapshot; log %s", log).isEmpty();
                assertThat(snapshotState(env)).isEqualTo("DONE");
            } finally {
                assertThat(second.terminate()).isIn(0, 143);
            }
        }
    }

    private static long awaitSnapshotRows(SyncEnvironment env, long atLeast, ChildService child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            assertThat(child.isAlive()).as("the service died on its own").isTrue();
            var rows = env.cypher("MATCH (c:`_SyncCheckpoint` {slot: $slot}) RETURN c.snapshotRows AS n",
                    Map.of("slot", env.environment().get("NEXUS_SYNC_SLOT")));
            if (!rows.isEmpty() && !rows.get(0).get("n").isNull() && rows.get(0).get("n").asLong() >= atLeast) {
                return rows.get(0).get("n").asLong();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the snapshot did not reach " + atLeast + " rows");
    }

    private static String snapshotState(SyncEnvironment env) {
        var rows = env.cypher("MATCH (c:`_SyncCheckpoint` {slot: $slot}) RETURN c.snapshotState AS s",
                Map.of("slot", env.environment().get("NEXUS_SYNC_SLOT")));
        return rows.isEmpty() ? null : rows.get(0).get("s").asString(null);
    }
}
