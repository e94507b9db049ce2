package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.it.testkit.SyncEnvironment;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The window a crash leaves open inside a large transaction: a batch cut the transaction, the graph
 * committed the first part with a checkpoint saying how far, and the process died. PostgreSQL then
 * sends the whole transaction again. Made deterministic with a copy of the slot taken before the
 * transaction and a checkpoint that says "25 of its 50 changes are in the graph": exactly the other 25
 * may be applied on resume.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ResumeFromCheckpointIT {
    private static final int CHANGES = 50;
    private static final int ALREADY_APPLIED = 25;

    @Test
    void shouldApplyOnlyTheRestOfATransactionThatABatchCut() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("resume_checkpoint")) {
            env.setup();
            // The first start creates the slot (with its snapshot); the copy below needs it.
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            env.stopService();
            UUID thread = UUID.randomUUID();
            env.sql("INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'resume')", thread, thread, thread);
            String slot = env.environment().get("NEXUS_SYNC_SLOT");
            String behind = slot + "_behind";
            env.query("SELECT pg_copy_logical_replication_slot(?, ?) IS NOT NULL AS copied", slot, behind);

            Lsn before = Lsn.valueOf((String) env.query("SELECT pg_current_wal_insert_lsn()::text AS l").get(0).get("l"));
            try (var c = env.connect(); var st = c.createStatement()) {
                c.setAutoCommit(false);
                for (int i = 0; i < CHANGES; i++) {
                    st.execute("UPDATE threads SET title = 'step " + i + "' WHERE id = '" + thread + "'");
                }
                c.commit();
            }

            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "10");
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            env.stopService();
            Lsn bigTransaction = commitLsnOfTheBigTransaction(env);
            assertThat(env.discrepancies()).isEmpty();

            env.cypher("MERGE (b:`_SyncCheckpoint` {slot: $behind}) SET b.committedEnd = $end, b.partialTx = $tx, b.partialChanges = $n",
                    Map.of("behind", behind, "end", before.value(), "tx", bigTransaction.value(), "n", ALREADY_APPLIED));
            env.environment().put("NEXUS_SYNC_SLOT", behind);
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.service().progress().changesApplied())
                    .as("of a transaction with %d changes, %d were in the graph already; log %s", CHANGES, ALREADY_APPLIED,
                            env.query("SELECT id, from_lsn::text, to_lsn::text, changes FROM nexus_sync.transaction_log ORDER BY id"))
                    .isEqualTo(CHANGES - ALREADY_APPLIED);
            env.stopService();
            assertThat(env.cypher("MATCH (t:Thread {id: $id}) RETURN t.title AS t, t.pgVersion AS v", Map.of("id", thread.toString())).get(0).asMap())
                    .containsEntry("t", "step " + (CHANGES - 1)).containsEntry("v", (long) CHANGES + 1);
            assertThat(env.discrepancies()).isEmpty();
            env.query("SELECT pg_drop_replication_slot(?) IS NULL AS dropped", behind);
        }
    }

    /**
     * The big transaction's commit LSN, as the service saw it: a batch is logged from the commit LSN of its first
     * change's transaction. The service reads a transaction committed before its start through before applying it, so
     * its 50 updates of one row may go in one batch (one coalesced write) or, cut by the batch size of 10, in several.
     */
    private static Lsn commitLsnOfTheBigTransaction(SyncEnvironment env) throws Exception {
        var rows = env.query("SELECT from_lsn::text AS f FROM nexus_sync.transaction_log WHERE kind = 'batch' AND changes >= 10 ORDER BY id DESC LIMIT 1");
        assertThat(rows).as("a batch of the big transaction").hasSize(1);
        return Lsn.valueOf((String) rows.get(0).get("f"));
    }
}
