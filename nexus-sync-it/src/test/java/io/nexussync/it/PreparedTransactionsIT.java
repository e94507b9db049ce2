package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TwoPhase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An application's own prepared transactions (any global id but {@code nexus_sync:...}, which are critical writes) on
 * PostgreSQL 15+, where the slot decodes them at their PREPARE: the graph takes one only at its COMMIT PREPARED, never
 * after its ROLLBACK PREPARED, and none is lost when the service stops or dies between the two while later transactions
 * are applied. The capture holds the transaction in memory and keeps the slot's confirmed position before its PREPARE
 * (CapturedChangeFeed), and every stream starts at that confirmed position, not at the graph's later checkpoint
 * (PgReplicationSource.start): so PostgreSQL sends the prepared transaction again after a restart.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PreparedTransactionsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldApplyAPreparedTransactionAtItsCommitPreparedNeverAfterItsRollbackAndKeepItAcrossAStop() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("prepared_app")) {
            env.setup();
            try {
                UUID kept = thread(env, "kept");
                UUID deleted = thread(env, "to delete");
                env.startService();
                env.awaitCaughtUp(WAIT);
                assertThat(env.query("SELECT two_phase FROM pg_replication_slots WHERE slot_name = ?", env.environment().get("NEXUS_SYNC_SLOT"))
                        .get(0).get("two_phase")).as("the slot the service created decodes prepared transactions").isEqualTo(true);
                assertThat(env.cli("status").out()).as("status shows it").contains("twoPhase: true");

                UUID prepared = UUID.randomUUID();
                Lsn afterPrepare = Lsn.valueOf(TwoPhase.prepare(env, "app:order-1", c -> {
                    SyncEnvironment.execute(c, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'prepared')", prepared, prepared, prepared);
                    SyncEnvironment.execute(c, "UPDATE threads SET title = 'changed by the prepared transaction' WHERE id = ?", kept);
                    SyncEnvironment.execute(c, "DELETE FROM threads WHERE id = ?", deleted);
                }));
                UUID rolledBack = UUID.randomUUID();
                TwoPhase.prepare(env, "app:order-2", "INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'rolled back')",
                        rolledBack, rolledBack, rolledBack);
                UUID later = thread(env, "committed after the PREPARE");
                awaitThread(env, later);

                assertThat(hasThread(env, prepared)).as("prepared, not committed").isFalse();
                assertThat(titleOf(env, kept)).isEqualTo("kept");
                assertThat(hasThread(env, deleted)).isTrue();
                assertThat(hasThread(env, rolledBack)).isFalse();
                assertThat(Lsn.of(env.graphCheckpoint())).as("the later transaction is in the graph's checkpoint").isGreaterThan(afterPrepare);
                assertThat(env.confirmedFlush()).as("the slot stays before the PREPARE of the transaction held").isLessThan(afterPrepare);

                // A clean stop and a start while the transaction is held: the start reads it again from the slot.
                env.stopService();
                UUID whileStopped = thread(env, "committed while stopped");
                env.startService();
                awaitThread(env, whileStopped);
                assertThat(hasThread(env, prepared)).isFalse();

                TwoPhase.commit(env, "app:order-1");
                TwoPhase.rollback(env, "app:order-2");
                awaitThread(env, prepared);
                env.awaitCaughtUp(WAIT);
                assertThat(titleOf(env, kept)).isEqualTo("changed by the prepared transaction");
                assertThat(hasThread(env, deleted)).isFalse();
                assertThat(hasThread(env, rolledBack)).as("rolled back: never in the graph").isFalse();
                assertThat(env.discrepancies()).isEmpty();
                env.stopService();
            } finally {
                TwoPhase.rollbackLeftovers(env, "app:");
            }
        }
    }

    @Test
    void shouldApplyAPreparedTransactionHeldWhenTheServiceWasKilledOnceItIsCommitted() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("prepared_app_kill")) {
            env.setup();
            Path log = ChildService.logFile("prepared-app-kill");
            ChildService first = null;
            ChildService second = null;
            try {
                UUID kept = thread(env, "kept");
                first = ChildService.start(env.environment(), log);
                env.awaitCaughtUp(WAIT);

                UUID prepared = UUID.randomUUID();
                Lsn afterPrepare = Lsn.valueOf(TwoPhase.prepare(env, "app:killed-1", c -> {
                    SyncEnvironment.execute(c, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'prepared')", prepared, prepared, prepared);
                    SyncEnvironment.execute(c, "UPDATE threads SET title = 'changed by the prepared transaction' WHERE id = ?", kept);
                }));
                for (int i = 0; i < 5; i++) {
                    awaitThread(env, thread(env, "later " + i));
                }
                assertThat(Lsn.of(env.graphCheckpoint())).as("later transactions are in the graph's checkpoint").isGreaterThan(afterPrepare);
                first.kill();

                UUID whileDown = thread(env, "committed while the service was down");
                second = ChildService.start(env.environment(), log);
                awaitThread(env, whileDown);
                assertThat(hasThread(env, prepared)).as("prepared, not committed").isFalse();
                assertThat(titleOf(env, kept)).isEqualTo("kept");

                TwoPhase.commit(env, "app:killed-1");
                awaitThread(env, prepared);
                env.awaitCaughtUp(WAIT);
                assertThat(titleOf(env, kept)).isEqualTo("changed by the prepared transaction");
                assertThat(env.discrepancies()).as("service log: %s", log.toAbsolutePath()).isEmpty();
                assertThat(second.terminate()).isIn(0, 143);
                second = null;
            } finally {
                if (first != null && first.isAlive()) {
                    first.kill();
                }
                if (second != null) {
                    second.kill();
                }
                TwoPhase.rollbackLeftovers(env, "app:");
            }
        }
    }

    private static UUID thread(SyncEnvironment env, String title) throws Exception {
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, ?)", id, id, id, title);
        return id;
    }

    private static boolean hasThread(SyncEnvironment env, UUID id) {
        return !env.cypher("MATCH (t:Thread {id: $id}) RETURN t.id", Map.of("id", id.toString())).isEmpty();
    }

    private static String titleOf(SyncEnvironment env, UUID id) {
        return env.cypher("MATCH (t:Thread {id: $id}) RETURN t.title AS title", Map.of("id", id.toString())).get(0).get("title").asString();
    }

    private static void awaitThread(SyncEnvironment env, UUID id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!hasThread(env, id)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("thread " + id + " did not reach the graph within " + WAIT);
            }
            Thread.sleep(50);
        }
    }
}
