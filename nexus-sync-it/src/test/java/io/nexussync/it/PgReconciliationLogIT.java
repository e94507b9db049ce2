package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.Finding;
import io.nexussync.core.verify.FindingKind;
import io.nexussync.core.verify.FindingStatus;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.RepairAction;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.verify.PgReconciliationLog;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The reconciliation log on the real table: one row per finding, its way from found to settled, and the repair queue. */
class PgReconciliationLogIT {
    private static final String ITEMS = "public.content_items";
    private static final String INCLUDES = "public.thread_content";

    @Test
    void shouldLogEachFindingOnceAndFollowItFromFoundToSettled() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("reconciliation_log")) {
            env.setup();
            PgReconciliationLog log = new PgReconciliationLog(PgConnectionSource.direct(env.config().postgres(), "test"));
            String item = UUID.randomUUID().toString();
            String pair = EntityKeys.pair(UUID.randomUUID().toString(), item);

            // Found twice while open: one row, refreshed.
            long differs = log.found(new Finding(FindingKind.PROPERTY_DIFFERS, ITEMS, "ContentItem", item, "4:db:1", List.of("title")), "verify");
            long again = log.found(new Finding(FindingKind.PROPERTY_DIFFERS, ITEMS, "ContentItem", item, "4:db:1", List.of("title", "viewCount")), "schedule");
            assertThat(again).isEqualTo(differs);
            assertThat(log.finding(differs).orElseThrow().finding().properties()).containsExactly("title", "viewCount");
            // Another kind on the same entity, and a relationship (whose key holds a NUL).
            long extra = log.found(new Finding(FindingKind.PROPERTY_EXTRA, ITEMS, "ContentItem", item, "4:db:1", List.of("body")), "verify");
            long missing = log.found(new Finding(FindingKind.RELATIONSHIP_MISSING, INCLUDES, "INCLUDES", pair, null, List.of()), "verify");
            assertThat(extra).isNotEqualTo(differs);
            assertThat(log.openFor(ITEMS, item)).extracting(LoggedFinding::id).containsExactly(differs, extra);
            LoggedFinding relationship = log.openFor(INCLUDES, pair).get(0);
            assertThat(relationship.finding().key()).isEqualTo(pair);
            assertThat(relationship.status()).isEqualTo(FindingStatus.FOUND);
            assertThat(relationship.action()).isEqualTo(RepairAction.NONE);
            Map<String, Object> stored = env.query("SELECT entity_type, entity_key, finding, action, detail, check_kind FROM nexus_sync.reconciliation_log "
                    + "WHERE id = ?", missing).get(0);
            assertThat(stored).containsEntry("entity_type", INCLUDES).containsEntry("entity_key", EntityKeys.display(pair))
                    .containsEntry("finding", "relationship-missing").containsEntry("action", "none").containsEntry("check_kind", "relationship")
                    .containsEntry("detail", relationship.finding().describe());

            // Queued oldest first; a repair runs, ends, and the same finding later is a new row.
            log.requestRepair(List.of(missing, differs), "verify");
            assertThat(log.repairQueue(10)).extracting(LoggedFinding::id).containsExactly(differs, missing);
            assertThat(log.finding(differs).orElseThrow()).satisfies(row -> {
                assertThat(row.status()).isEqualTo(FindingStatus.REPAIR_REQUESTED);
                assertThat(row.decidedBy()).isEqualTo("verify");
            });
            Timestamp queuedAt = updatedAt(env, differs);
            Thread.sleep(20);
            log.repairing(differs, RepairAction.REFRESH_FROM_ROW, "postgres-owns-core", "repair-1");
            assertThat(updatedAt(env, differs)).as("every state change sets updated_at").isAfter(queuedAt);
            assertThat(log.repairQueue(10)).as("a repair a crash interrupts is still queued").extracting(LoggedFinding::id).containsExactly(differs, missing);
            log.repaired(differs);
            LoggedFinding repaired = log.finding(differs).orElseThrow();
            assertThat(repaired.status()).isEqualTo(FindingStatus.REPAIRED);
            assertThat(repaired.action()).isEqualTo(RepairAction.REFRESH_FROM_ROW);
            assertThat(repaired.rule()).isEqualTo("postgres-owns-core");
            assertThat(repaired.repairId()).isEqualTo("repair-1");
            assertThat(repaired.settledAt()).isNotNull().isAfterOrEqualTo(repaired.detectedAt());
            assertThat(log.repairQueue(10)).extracting(LoggedFinding::id).containsExactly(missing);
            assertThat(log.found(new Finding(FindingKind.PROPERTY_DIFFERS, ITEMS, "ContentItem", item, "4:db:1", List.of("title")), "verify"))
                    .as("a settled finding is not reopened").isNotEqualTo(differs);

            // No rule settles it: a person takes PostgreSQL's side, which queues a repair by rule person.
            log.waiting(extra, "graph-owns-graph-only", "the property may be graph-only data");
            assertThat(log.finding(extra).orElseThrow().status()).isEqualTo(FindingStatus.WAITING);
            LoggedFinding takePostgres = log.resolve(extra, true, "body is PG-only", "alice").orElseThrow();
            assertThat(takePostgres.status()).isEqualTo(FindingStatus.REPAIR_REQUESTED);
            assertThat(takePostgres.rule()).isEqualTo("person");
            assertThat(takePostgres.decidedBy()).isEqualTo("alice");
            assertThat(takePostgres.reason()).isEqualTo("body is PG-only");
            assertThat(log.repairQueue(10)).extracting(LoggedFinding::id).containsExactly(extra, missing);

            // A person takes the graph's side: resolved, nothing to write; a repair can no longer start on it.
            LoggedFinding keepGraph = log.resolve(missing, false, "the relationship was removed on purpose", "bob").orElseThrow();
            assertThat(keepGraph.status()).isEqualTo(FindingStatus.RESOLVED);
            assertThat(keepGraph.action()).isEqualTo(RepairAction.NONE);
            assertThat(keepGraph.settledAt()).isNotNull();
            assertThat(log.resolve(missing, true, "changed my mind", "bob")).as("settled rows are not resolved again").isEmpty();
            assertThat(log.resolve(999_999, true, "no such finding", "bob")).isEmpty();
            assertThatThrownBy(() -> log.repairing(missing, RepairAction.REFRESH_FROM_ROW, "person", "repair-2"))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(log.finding(missing).orElseThrow().status()).isEqualTo(FindingStatus.RESOLVED);

            // Checked again and the two sides agree.
            log.cleared(extra, "the stream settled it");
            assertThat(log.finding(extra).orElseThrow().status()).isEqualTo(FindingStatus.CLEARED);
            assertThat(log.repairQueue(10)).isEmpty();

            assertThat(log.findings(false, 10)).extracting(LoggedFinding::id).startsWith(log.findings(false, 1).get(0).id()).hasSize(4)
                    .isSortedAccordingTo((a, b) -> Long.compare(b, a));
            assertThat(log.findings(true, 10)).extracting(row -> row.status().open()).containsOnly(true).hasSize(1);
        }
    }

    private static Timestamp updatedAt(SyncEnvironment env, long id) throws Exception {
        return (Timestamp) env.query("SELECT updated_at FROM nexus_sync.reconciliation_log WHERE id = ?", id).get(0).get("updated_at");
    }
}
