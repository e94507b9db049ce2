package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.ReplayCheck;
import io.nexussync.it.testkit.SyncEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service runs as a child JVM with four apply workers and small batches (so batches commit out
 * of stream order and the checkpoint carries ranges) under a concurrent multi-table workload, and is
 * killed with SIGKILL again and again, each time after it has committed batches of its own. After it catches up, the
 * graph equals the database, with no duplicated node, relationship or temporal version, and the
 * transaction log shows no batch starting before what an earlier logged batch committed. (A kill
 * between a graph commit and its log row hides that batch from the log check; the deterministic proof
 * that replayed transactions are skipped is {@link ResumeFromCheckpointIT}.)
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CrashRecoveryIT {
    private static final int KILLS = 5;

    @Test
    void shouldLoseNothingAndApplyNothingTwiceAcrossRepeatedSigkill() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("crash_recovery")) {
            env.setup();
            env.environment().put("NEXUS_SYNC_APPLY_WORKERS", "4");
            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "50");
            Random random = new Random(7);
            Path log = ChildService.logFile("crash-recovery");
            try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 3, 11, 2)) {
                long checkpoint = graphCheckpoint(env);
                for (int i = 0; i < KILLS; i++) {
                    ChildService child = ChildService.start(env.environment(), log);
                    // Kill only once this run has committed batches of its own, at a random point of its work.
                    awaitCheckpointBeyond(env, checkpoint, child);
                    Thread.sleep(200 + random.nextInt(2_000));
                    assertThat(child.isAlive()).as("the service died on its own; see %s", log).isTrue();
                    child.kill();
                    // What the killed run committed up to its last moment: the next run must go beyond it.
                    checkpoint = graphCheckpoint(env);
                }
                assertThat(workload.transactions()).isGreaterThan(100);
            }
            ChildService last = ChildService.start(env.environment(), log);
            try {
                env.awaitCaughtUp(Duration.ofSeconds(120));
                // Cross-references of the last batch are written after its graph commit; one more marker waits for them.
                env.awaitCaughtUp(Duration.ofSeconds(60));
                assertThat(env.discrepancies()).as("graph vs database after %d SIGKILLs; service log %s", KILLS, log).isEmpty();
            } finally {
                assertThat(last.terminate()).as("a SIGTERM drains and exits cleanly").isIn(0, 143);
            }
            ReplayCheck.assertNoBatchReappliedCommittedChanges(env, KILLS);
            assertThat(env.cypher("MATCH (n:ContentItem) RETURN count(n) AS c").get(0).get("c").asLong()).isGreaterThan(50);
        }
    }

    private static long awaitCheckpointBeyond(SyncEnvironment env, long previous, ChildService child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(child.isAlive()).as("the service died on its own").isTrue();
            long now = graphCheckpoint(env);
            if (now > previous) {
                return now;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the service applied nothing within 90 s");
    }

    private static long graphCheckpoint(SyncEnvironment env) {
        var rows = env.cypher("MATCH (c:`_SyncCheckpoint`) WHERE c.slot = $slot OR c.slot STARTS WITH $slot + '/worker-' "
                + "RETURN max(c.committedEnd) AS e", Map.of("slot", env.environment().get("NEXUS_SYNC_SLOT")));
        // No stream checkpoint until the first start's snapshot is done.
        return rows.isEmpty() || rows.get(0).get("e").isNull() ? 0 : rows.get(0).get("e").asLong();
    }
}
