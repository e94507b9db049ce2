package io.nexussync.it.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import java.util.List;
import java.util.Map;

/** What the transaction log says about replays: no logged batch re-applies changes an earlier logged batch committed. */
public final class ReplayCheck {
    private ReplayCheck() {}

    /** Each logged batch starts at or after where the previous one's committed position ended: nothing was replayed. */
    public static void assertNoBatchReappliedCommittedChanges(SyncEnvironment env, int atLeastBatches) throws Exception {
        List<Map<String, Object>> batches = env.query("SELECT from_lsn::text AS f, to_lsn::text AS t FROM nexus_sync.transaction_log "
                + "WHERE kind = 'batch' AND changes > 0 ORDER BY id");
        assertThat(batches).hasSizeGreaterThan(atLeastBatches);
        Lsn committed = Lsn.INVALID;
        for (Map<String, Object> batch : batches) {
            Lsn from = Lsn.valueOf((String) batch.get("f"));
            assertThat(from).as("batch starting at %s re-applies changes committed up to %s", from, committed).isGreaterThanOrEqualTo(committed);
            if (batch.get("t") != null) {
                committed = Lsn.valueOf((String) batch.get("t"));
            }
        }
    }
}
