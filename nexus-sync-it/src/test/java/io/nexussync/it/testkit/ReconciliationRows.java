package io.nexussync.it.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** {@code nexus_sync.reconciliation_log} read with plain SQL, as an operator would, and waits on its repair queue. */
public final class ReconciliationRows {
    private ReconciliationRows() {}

    /** Every row, oldest first. */
    public static List<Map<String, Object>> all(SyncEnvironment env) throws Exception {
        return env.query("SELECT id, finding, entity_type, entity_key, status, action, rule, decided_by, found_by, reason, checked_at, settled_at, "
                + "repair_id, element_id, properties::text AS properties FROM nexus_sync.reconciliation_log ORDER BY id");
    }

    /** {@code kind table key} per row, sorted: the shape a test compares with the corruptions it made. */
    public static TreeSet<String> findings(SyncEnvironment env) throws Exception {
        return all(env).stream().map(ReconciliationRows::line).collect(Collectors.toCollection(TreeSet::new));
    }

    public static String line(Map<String, Object> row) {
        return row.get("finding") + " " + row.get("entity_type") + " " + row.get("entity_key");
    }

    /** Waits until no finding is queued for repair or being repaired (the service has carried out every one). */
    public static void awaitRepairsDone(SyncEnvironment env, ChildService service, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            List<Map<String, Object>> queued = env.query("SELECT id, finding, entity_key, status FROM nexus_sync.reconciliation_log "
                    + "WHERE status IN ('repair-requested', 'repairing') ORDER BY id");
            if (queued.isEmpty()) {
                return;
            }
            if (service != null && !service.isAlive()) {
                throw new AssertionError("the service exited with repairs queued: " + queued);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("repairs still queued after " + atMost + ": " + queued);
            }
            Thread.sleep(200);
        }
    }
}
