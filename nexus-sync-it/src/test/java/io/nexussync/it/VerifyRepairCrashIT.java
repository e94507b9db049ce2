package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.fault.CrashPoints;
import io.nexussync.demo.ContextNexusWorkload;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.ReconciliationRows;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import io.nexussync.it.testkit.VerifyAdmin;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;

/**
 * SIGKILL in the middle of a repair, at the two points {@link CrashPoints} names for it: once the findings are marked
 * {@code repairing}, before the repair goes into the graph ({@code repair-before-write}), and once the graph has
 * committed it, before the findings are marked {@code repaired} ({@code repair-after-commit}). Each of the three
 * repairs the issue names as the risky ones is killed at each point: a missing node (through the stream), a wrong
 * current INCLUDES version (temporal: a repair done twice must not open a second version), and a node without
 * identity (the graph-side repair, told from a crash by its {@code _SyncRepair} record). The service is restarted
 * without the crash point: it must finish the repair by itself, apply nothing twice (an audit trigger records every
 * change of {@code thread_content}, so {@link TemporalHistory} sees a doubled version), leave repaired nodes at their
 * row's version, and log exactly one row per finding, repaired.
 *
 * <p>{@code -Dverify.crash.runs=N} repeats the whole run N times, each on a fresh database and graph, and counts the
 * clean ones ({@code bench/run-verify-crash.sh}); CI runs one.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class VerifyRepairCrashIT {
    private enum Corruption { MISSING_NODE, WRONG_CURRENT_VERSION, UNIDENTIFIED_NODE }

    private static final List<String> POINTS = List.of(CrashPoints.REPAIR_BEFORE_WRITE, CrashPoints.REPAIR_AFTER_COMMIT);

    @Test
    void shouldFinishARepairKilledHalfwayAndApplyNothingTwice() throws Exception {
        int runs = Integer.getInteger("verify.crash.runs", 1);
        List<String> unclean = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            List<String> problems = new ArrayList<>();
            try {
                oneRun(run);
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
            System.out.printf("verify crash run %d of %d: %s%n", run, runs, problems.isEmpty() ? "clean" : "FAILED: " + problems);
            if (!problems.isEmpty()) {
                unclean.add("run " + run + ": " + problems);
            }
        }
        System.out.printf("verify crash runs: %d of %d clean%n", runs - unclean.size(), runs);
        assertThat(unclean).as("runs in which a repair killed halfway was lost or applied twice").isEmpty();
    }

    private static void oneRun(int run) throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("verify_repair_crash")) {
            env.setup();
            try (Connection c = env.connect()) {
                TemporalHistory.installAudit(c);
            }
            VerifyAdmin admin = VerifyAdmin.configure(env);
            Path log = ChildService.logFile("verify-repair-crash-" + run);
            // A plain service runs between the crashes: each round corrupts what it has synced, then stops it for the armed one.
            ChildService plain = ChildService.start(env.environment(), log);
            List<String> repaired = new ArrayList<>();
            try {
                admin.awaitUp(plain, Duration.ofSeconds(120));
                env.awaitCaughtUp(Duration.ofSeconds(120));
                try (ContextNexusWorkload data = new ContextNexusWorkload(env.config().postgres(), new ContextNexusWorkload.SharedIds(), run)) {
                    data.seedSample(50, 10, 10);
                    for (int i = 0; i < 30; i++) {
                        data.transaction();
                    }
                }
                env.awaitCaughtUp(Duration.ofSeconds(60));
                for (Corruption corruption : Corruption.values()) {
                    for (String point : POINTS) {
                        String what = corruption + " at " + point;
                        Target target = corrupt(env, corruption);
                        // Neo4j reuses a deleted node's id: a node without identity may get the elementId of the one an
                        // earlier round repaired, so this round's finding is told from earlier ones by its log id.
                        long loggedBefore = lastLogId(env);
                        assertThat(plain.terminate()).isIn(0, 143);
                        plain = null;
                        plain = crashAndRecover(env, admin, target, what, point, log);
                        repaired.add(loggedOnce(env, target, what, loggedBefore));
                    }
                }
            } finally {
                if (plain != null) {
                    assertThat(plain.terminate()).isIn(0, 143);
                }
            }
            // The log: one row per finding (six, one per round), each repaired.
            List<Map<String, Object>> rows = ReconciliationRows.all(env);
            assertThat(rows).as("reconciliation_log; service log %s", log).hasSize(repaired.size());
            assertThat(rows.stream().map(ReconciliationRows::line).toList()).containsExactlyInAnyOrderElementsOf(repaired);
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.get("status")).as(ReconciliationRows.line(row)).isEqualTo("repaired");
                assertThat(row.get("settled_at")).as(ReconciliationRows.line(row)).isNotNull();
            });
        }
    }

    /**
     * Asks for the repair of the corrupted entity from a service armed to halt at {@code point}, then restarts it plainly
     * and checks that the restarted service finished the repair by itself.
     *
     * @return the restarted service, still running
     */
    private static ChildService crashAndRecover(SyncEnvironment env, VerifyAdmin admin, Target target, String what, String point, Path log)
            throws Exception {
        Map<String, String> armed = new HashMap<>(env.environment());
        armed.put(CrashPoints.VARIABLE, point + ":1");
        ChildService crashing = ChildService.start(armed, log);
        try {
            admin.awaitUp(crashing, Duration.ofSeconds(120));
            admin.startVerify(true, false);
            assertThat(crashing.waitFor(Duration.ofSeconds(120))).as("%s: the service halted at the crash point; service log %s", what, log).isTrue();
        } finally {
            if (crashing.isAlive()) {
                crashing.kill();
            }
        }
        assertThat(env.query("SELECT count(*) AS n FROM nexus_sync.reconciliation_log WHERE status = 'repairing'").get(0).get("n"))
                .as("%s: the halted repair's finding is left repairing", what).isEqualTo(1L);

        ChildService next = ChildService.start(env.environment(), log);
        boolean checked = false;
        try {
            admin.awaitUp(next, Duration.ofSeconds(120));
            // The restarted service finishes the repair by itself: nobody asks again.
            ReconciliationRows.awaitRepairsDone(env, next, Duration.ofSeconds(120));
            env.awaitCaughtUp(Duration.ofSeconds(60));
            env.awaitCaughtUp(Duration.ofSeconds(60));
            @SuppressWarnings("unchecked")
            Map<String, Object> summary = (Map<String, Object>) admin.verify(false, true, Duration.ofMinutes(2)).get("summary");
            assertThat(summary.get("findings")).as("%s: a dry-run verify after the restart; service log %s", what, log).isEqualTo(0);
            assertThat(env.discrepancies()).as("%s: graph vs database, INCLUDES history by the audit; service log %s", what, log).isEmpty();
            target.check(env, what);
            checked = true;
            return next;
        } finally {
            if (!checked) {
                next.terminate();
            }
        }
    }

    private static long lastLogId(SyncEnvironment env) throws Exception {
        return ((Number) env.query("SELECT coalesce(max(id), 0) AS n FROM nexus_sync.reconciliation_log").get(0).get("n")).longValue();
    }

    private static String loggedOnce(SyncEnvironment env, Target target, String what, long loggedBefore) throws Exception {
        List<Map<String, Object>> rows = env.query("SELECT finding, entity_type, entity_key, status, action FROM nexus_sync.reconciliation_log "
                + "WHERE id > ?", loggedBefore);
        assertThat(rows).as("%s: findings logged in the round", what).allSatisfy(row -> assertThat(row.get("entity_key")).isEqualTo(target.key()));
        assertThat(rows).as("%s: one logged finding", what).hasSize(1);
        assertThat(rows.get(0).get("status")).as(what).isEqualTo("repaired");
        return ReconciliationRows.line(rows.get(0));
    }

    /** The entity a round corrupts, and what its repair must leave. */
    private interface Target {
        String key();

        void check(SyncEnvironment env, String what) throws Exception;
    }

    private static Target corrupt(SyncEnvironment env, Corruption corruption) throws Exception {
        String tenant = UUID.randomUUID().toString();
        switch (corruption) {
            case MISSING_NODE: {
                String tag = env.query("INSERT INTO tags (tenant_id, name) VALUES (?::uuid, ?) RETURNING id::text AS id", tenant, "crash-" + tenant)
                        .get(0).get("id").toString();
                env.sql("UPDATE tags SET name = name || ' renamed' WHERE id = ?::uuid", tag);
                env.awaitCaughtUp(Duration.ofSeconds(60));
                env.cypher("MATCH (t:Tag {id: $id}) DETACH DELETE t", Map.of("id", tag));
                return new Target() {
                    @Override
                    public String key() {
                        return tag;
                    }

                    @Override
                    public void check(SyncEnvironment env, String what) throws Exception {
                        List<Record> nodes = env.cypher("MATCH (t:Tag {id: $id}) RETURN t.pgVersion AS v", Map.of("id", tag));
                        assertThat(nodes).as("%s: the node, once", what).hasSize(1);
                        assertThat(nodes.get(0).get("v").asLong()).as("%s: at the row's version", what)
                                .isEqualTo(env.query("SELECT pg_version FROM tags WHERE id = ?::uuid", tag).get(0).get("pg_version"));
                    }
                };
            }
            case WRONG_CURRENT_VERSION: {
                String thread = env.query("INSERT INTO threads (tenant_id, project_id, title) VALUES (?::uuid, ?::uuid, 'crash') RETURNING id::text AS id",
                        tenant, tenant).get(0).get("id").toString();
                String content = env.query("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?::uuid, ?::uuid, 'crash') "
                        + "RETURNING id::text AS id", tenant, tenant).get(0).get("id").toString();
                env.sql("INSERT INTO thread_content (thread_id, content_id, position, relevance_score) VALUES (?::uuid, ?::uuid, 1, 0.5)", thread, content);
                env.sql("UPDATE thread_content SET position = 2 WHERE thread_id = ?::uuid AND content_id = ?::uuid", thread, content);
                env.awaitCaughtUp(Duration.ofSeconds(60));
                env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WHERE r.validTo = datetime('9999-12-31T00:00:00Z') "
                        + "SET r.position = 99, r.relevanceScore = 9.5", Map.of("t", thread, "c", content));
                String key = "(" + thread + ")->(" + content + ")";
                return new Target() {
                    @Override
                    public String key() {
                        return key;
                    }

                    @Override
                    public void check(SyncEnvironment env, String what) {
                        List<Record> versions = env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) "
                                + "RETURN r.version AS v, r.position AS p, r.validTo.year AS y ORDER BY r.validFrom", Map.of("t", thread, "c", content));
                        assertThat(versions).as("%s: the pair's two versions, none added by the repair", what).hasSize(2);
                        assertThat(versions.get(1).get("y").asInt()).isEqualTo(9999);
                        assertThat(versions.get(1).get("p").asInt()).as("%s: the current version repaired", what).isEqualTo(2);
                        assertThat(versions.get(1).get("v").asLong()).isEqualTo(2L);
                    }
                };
            }
            case UNIDENTIFIED_NODE: {
                String elementId = env.cypher("CREATE (c:ContentItem {title: 'no identity'}) RETURN elementId(c) AS e").get(0).get("e").asString();
                return new Target() {
                    @Override
                    public String key() {
                        return elementId;
                    }

                    @Override
                    public void check(SyncEnvironment env, String what) throws Exception {
                        assertThat(env.cypher("MATCH (c:ContentItem) WHERE c.id IS NULL RETURN count(c) AS n").get(0).get("n").asLong())
                                .as("%s: the node without identity deleted", what).isZero();
                        Object repairId = env.query("SELECT repair_id FROM nexus_sync.reconciliation_log WHERE entity_key = ? ORDER BY id DESC", elementId)
                                .get(0).get("repair_id");
                        assertThat(repairId).as("%s: the repair's id", what).isNotNull();
                        assertThat(env.cypher("MATCH (r:`_SyncRepair` {id: $id}) RETURN count(r) AS n", Map.of("id", repairId)).get(0).get("n").asLong())
                                .as("%s: the graph records the repair once", what).isEqualTo(1L);
                    }
                };
            }
            default:
                throw new IllegalStateException(corruption.toString());
        }
    }
}
