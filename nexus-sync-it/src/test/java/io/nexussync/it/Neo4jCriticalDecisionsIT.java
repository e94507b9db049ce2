package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.apply.CriticalApplied;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jCriticalDecisions;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.neo4j.Neo4jSchema;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The graph's record of critical decisions on the real Neo4j: a critical write's plan, decision and checkpoint commit
 * together; the first decision recorded for a global id stands (a later applyCritical writes no plan, only its
 * checkpoint), also when deciders race; decisions are read by gid and forgotten after the retention unless prepared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Neo4jCriticalDecisionsIT {
    private static final String SLOT = "neo4j_critical_slot";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z").truncatedTo(ChronoUnit.MILLIS);

    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());
    private SyncEnvironment env;
    private Neo4jGraphWriter writer;
    private Neo4jCriticalDecisions decisions;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("neo4j_critical_decisions");
        Neo4jSchema.ensureConstraints(env.driver(), null, MappingLoader.builtIn());
        writer = new Neo4jGraphWriter(env.driver(), null, SLOT);
        decisions = new Neo4jCriticalDecisions(env.driver(), null, SLOT);
    }

    @BeforeEach
    void emptyGraph() {
        env.cypher("MATCH (n) DETACH DELETE n");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldCommitThePlanTheDecisionAndTheCheckpointTogether() {
        Checkpoint checkpoint = Checkpoint.after(Lsn.valueOf("0/5000"));
        CriticalApplied applied = writer.applyCritical(plan("00000000-0000-0000-0000-0000000000a1", "private"), checkpoint,
                CriticalDecision.commit("nexus_sync:a1", 0, T0, Lsn.valueOf("0/4F00")));

        assertThat(applied.planWritten()).isTrue();
        assertThat(applied.standing()).isEqualTo(CriticalDecision.commit("nexus_sync:a1", 0, T0, Lsn.valueOf("0/4F00")));
        assertThat(accessLevel("00000000-0000-0000-0000-0000000000a1")).isEqualTo("private");
        assertThat(writer.loadCheckpoint().committedEnd()).isEqualTo(Lsn.valueOf("0/5000"));
        assertThat(decisions.read(List.of(prepared("nexus_sync:a1", 0), prepared("nexus_sync:none", 0)))).containsOnlyKeys("nexus_sync:a1")
                .containsEntry("nexus_sync:a1", applied.standing());
        assertThat(decisions.read(List.of(prepared("nexus_sync:a1", 77)))).as("the same global id, another transaction").isEmpty();
    }

    @Test
    void shouldWriteNoPlanButTheCheckpointWhenADecisionStandsAlready() {
        CriticalDecision rollback = CriticalDecision.rollback("nexus_sync:a2", 0, "timed out", T0, null, CriticalDecision.BY_RECOVERY);
        assertThat(decisions.decideIfAbsent(rollback)).isEqualTo(rollback);

        CriticalApplied applied = writer.applyCritical(plan("00000000-0000-0000-0000-0000000000a2", "private"),
                Checkpoint.after(Lsn.valueOf("0/6000")), CriticalDecision.commit("nexus_sync:a2", 0, T0.plusSeconds(1), Lsn.valueOf("0/5F00")));

        assertThat(applied.planWritten()).isFalse();
        assertThat(applied.standing()).isEqualTo(rollback);
        assertThat(env.cypher("MATCH (c:ContentItem) RETURN count(c) AS n").get(0).get("n").asLong()).isZero();
        assertThat(writer.loadCheckpoint().committedEnd()).isEqualTo(Lsn.valueOf("0/6000"));
    }

    @Test
    void shouldNotWriteAPlanTwiceForOneGlobalId() {
        writer.applyCritical(plan("00000000-0000-0000-0000-0000000000a3", "private"), Checkpoint.after(Lsn.valueOf("0/7000")),
                CriticalDecision.commit("nexus_sync:a3", 0, T0, Lsn.valueOf("0/6F00")));
        env.cypher("MATCH (c:ContentItem) SET c.accessLevel = 'changed since'");

        CriticalApplied again = writer.applyCritical(plan("00000000-0000-0000-0000-0000000000a3", "private"),
                Checkpoint.after(Lsn.valueOf("0/7000")), CriticalDecision.commit("nexus_sync:a3", 0, T0.plusSeconds(5), Lsn.valueOf("0/6F00")));

        assertThat(again.planWritten()).isFalse();
        assertThat(again.standing().decidedAt()).isEqualTo(T0);
        assertThat(accessLevel("00000000-0000-0000-0000-0000000000a3")).isEqualTo("changed since");
    }

    @Test
    void shouldLetOneOfManyRacingDecidersWin() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int r = 0; r < 5; r++) {
                int round = r;
                String gid = "nexus_sync:race-" + round;
                List<Future<CriticalDecision>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int n = i;
                    results.add(pool.submit(() -> n % 2 == 0
                            ? decisions.decideIfAbsent(CriticalDecision.rollback(gid, 0, "racer " + n, T0, null, CriticalDecision.BY_RECOVERY))
                            : writer.applyCritical(plan("00000000-0000-0000-0000-0000000001" + round + n, "private"),
                                    Checkpoint.after(Lsn.valueOf("0/8000")), CriticalDecision.commit(gid, 0, T0, Lsn.valueOf("0/7F00"))).standing()));
                }
                Set<CriticalDecision> standing = new java.util.HashSet<>();
                for (Future<CriticalDecision> result : results) {
                    standing.add(result.get(1, TimeUnit.MINUTES));
                }
                assertThat(standing).hasSize(1);
                long nodes = env.cypher("MATCH (c:ContentItem) WHERE c.id STARTS WITH $prefix RETURN count(c) AS n",
                        Map.of("prefix", "00000000-0000-0000-0000-0000000001" + round)).get(0).get("n").asLong();
                assertThat(nodes).isEqualTo(standing.iterator().next().commits() ? 1 : 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldForgetOldDecisionsButNotThoseStillPrepared() {
        for (String id : List.of("old-1", "old-2", "new")) {
            Instant at = id.startsWith("old") ? T0.minus(30, ChronoUnit.DAYS) : T0;
            decisions.decideIfAbsent(CriticalDecision.rollback("nexus_sync:" + id, 0, "x", at, null, CriticalDecision.BY_RECOVERY));
        }

        assertThat(decisions.forgetDecidedBefore(T0.minus(7, ChronoUnit.DAYS), List.of("nexus_sync:old-2"))).isEqualTo(1);

        assertThat(decisions.read(List.of(prepared("nexus_sync:old-1", 0), prepared("nexus_sync:old-2", 0), prepared("nexus_sync:new", 0))).keySet())
                .isEqualTo(Set.of("nexus_sync:old-2", "nexus_sync:new").stream().collect(Collectors.toSet()));
    }

    @Test
    void shouldDecideAReusedGlobalIdAfreshForItsNewTransaction() {
        decisions.decideIfAbsent(CriticalDecision.commit("nexus_sync:reused", 100, T0, Lsn.valueOf("0/1")));

        CriticalApplied again = writer.applyCritical(plan("00000000-0000-0000-0000-0000000000a9", "private"),
                Checkpoint.after(Lsn.valueOf("0/9000")), CriticalDecision.commit("nexus_sync:reused", 200, T0.plusSeconds(9), Lsn.valueOf("0/8F00")));

        assertThat(again.planWritten()).isTrue();
        assertThat(again.standing().xid()).isEqualTo(200);
        assertThat(accessLevel("00000000-0000-0000-0000-0000000000a9")).isEqualTo("private");
    }

    private static PreparedTransactions.Prepared prepared(String gid, long xid) {
        return new PreparedTransactions.Prepared(gid, xid, T0);
    }

    private String accessLevel(String id) {
        return env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.accessLevel AS a", Map.of("id", id)).get(0).get("a").asString();
    }

    private GraphWritePlan plan(String id, String accessLevel) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("tenant_id", id);
        row.put("project_id", id);
        row.put("title", "critical");
        row.put("body", "body");
        row.put("content_type", "document");
        row.put("metadata", new JsonText("{}"));
        row.put("access_level", accessLevel);
        row.put("view_count", 1L);
        row.put("created_by", null);
        row.put("created_at", T0.atOffset(ZoneOffset.UTC));
        row.put("updated_at", T0.atOffset(ZoneOffset.UTC));
        row.put("neo4j_node_id", null);
        row.put("pg_version", 1L);
        row.put("neo4j_version", 0L);
        return planner.plan(List.of(new SourceChange(new RowChange.Insert(TableId.parse("content_items"), row), Lsn.of(0x1000L), T0)));
    }
}
