package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.AppliedRanges;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jGraphWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.ProfiledPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's start-up warm-up and its periodic plan refresh run every statement of a streamed batch on the real engine
 * and leave the graph as it was; and the engine behaves as the refresh relies on: a plan that batches keep with
 * {@link Neo4jGraphWriter#NO_REPLAN} is replaced when the same statement runs without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Neo4jWarmUpIT {
    private SyncEnvironment env;
    private Neo4jGraphWriter writer;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("neo4j_warm_up");
        writer = new Neo4jGraphWriter(env.driver(), null, "neo4j_warm_up_slot");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldRunEveryStatementOfABatchAndWriteNothing() {
        env.cypher("MATCH (n) DETACH DELETE n");
        Checkpoint saved = new Checkpoint(Lsn.of(42), AppliedRanges.EMPTY, 0);
        writer.apply(GraphWritePlan.EMPTY, saved);

        // 4 labels (delete, upsert), messages' parent link, content_tags (delete, upsert), thread_content (delete, close, open), the checkpoint
        assertThat(writer.warmUp(MappingLoader.builtIn())).isEqualTo(15);

        assertThat(env.cypher("MATCH (n) RETURN count(n) AS nodes").get(0).get("nodes").asLong()).isEqualTo(1);
        assertThat(writer.loadCheckpoint()).isEqualTo(saved);
    }

    @Test
    void shouldRefreshThePlansOfTheStreamedStatementsAndWriteNothing() {
        env.cypher("MATCH (n) DETACH DELETE n");
        Checkpoint saved = new Checkpoint(Lsn.of(43), AppliedRanges.EMPTY, 0);
        writer.apply(GraphWritePlan.EMPTY, saved);

        // the warm-up's statements without its checkpoint record
        assertThat(writer.refreshPlans(MappingLoader.builtIn())).isEqualTo(14);

        assertThat(env.cypher("MATCH (n) RETURN count(n) AS nodes").get(0).get("nodes").asLong()).isEqualTo(1);
        assertThat(writer.loadCheckpoint()).isEqualTo(saved);
    }

    /**
     * A plan made on an empty graph starts from the wrong end once one label has 200,000 matching nodes and the other
     * five: kept with NO_REPLAN it stays wrong; after the same statement ran without the option (what the refresh does,
     * past Neo4j's 10 s least interval between two looks at a plan), the NO_REPLAN runs get the new plan.
     */
    @Test
    void shouldReplaceAPlanKeptWithoutReplanningOnceTheSameStatementRunsWithReplanning() throws InterruptedException {
        env.cypher("MATCH (n) DETACH DELETE n");
        String query = "PROFILE MATCH (a:PlanProbeA {x: $x})-[:PROBES]->(b:PlanProbeB {y: $y}) RETURN count(*) AS c";
        String kept = "PROFILE " + Neo4jGraphWriter.NO_REPLAN + query.substring("PROFILE ".length());
        try {
            env.cypher("CREATE INDEX plan_probe_a IF NOT EXISTS FOR (a:PlanProbeA) ON (a.x)");
            env.cypher("CREATE INDEX plan_probe_b IF NOT EXISTS FOR (b:PlanProbeB) ON (b.y)");
            env.cypher("CALL db.awaitIndexes()");
            ProfiledPlan emptyGraphPlan = profile(kept);
            long plannedEmpty = totalDbHits(emptyGraphPlan);
            // the side the empty graph's plan starts from gets the 200,000 nodes
            if (leaf(emptyGraphPlan).arguments().toString().contains("PlanProbeA")) {
                env.cypher("UNWIND range(1, 200000) AS i CREATE (:PlanProbeA {x: 1})");
                env.cypher("UNWIND range(1, 5) AS i CREATE (:PlanProbeB {y: i})");
                env.cypher("MATCH (a:PlanProbeA) WITH a LIMIT 1000 MATCH (b:PlanProbeB {y: 1}) CREATE (a)-[:PROBES]->(b)");
            } else {
                env.cypher("UNWIND range(1, 200000) AS i CREATE (:PlanProbeB {y: 1})");
                env.cypher("UNWIND range(1, 5) AS i CREATE (:PlanProbeA {x: i})");
                env.cypher("MATCH (b:PlanProbeB) WITH b LIMIT 1000 MATCH (a:PlanProbeA {x: 1}) CREATE (a)-[:PROBES]->(b)");
            }
            Thread.sleep(11_000);

            long stale = dbHits(kept);
            long replanned = dbHits(query);
            long keptAfterReplan = dbHits(kept);

            assertThat(plannedEmpty).as("the empty graph's plan, on the empty graph").isLessThan(100);
            assertThat(stale).as("the empty graph's plan, kept").isGreaterThan(200_000);
            assertThat(replanned).as("the same statement, replanned").isLessThan(10_000);
            assertThat(keptAfterReplan).as("NO_REPLAN after the replan").isEqualTo(replanned);
        } finally {
            env.cypher("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS");
            env.cypher("DROP INDEX plan_probe_a IF EXISTS");
            env.cypher("DROP INDEX plan_probe_b IF EXISTS");
        }
    }

    private long dbHits(String profiledQuery) {
        return totalDbHits(profile(profiledQuery));
    }

    private ProfiledPlan profile(String profiledQuery) {
        try (Session session = env.driver().session()) {
            return session.run(profiledQuery, Map.of("x", 1, "y", 1)).consume().profile();
        }
    }

    private static ProfiledPlan leaf(ProfiledPlan plan) {
        return plan.children().isEmpty() ? plan : leaf(plan.children().get(0));
    }

    private static long totalDbHits(ProfiledPlan plan) {
        long hits = plan.dbHits();
        for (ProfiledPlan child : plan.children()) {
            hits += totalDbHits(child);
        }
        return hits;
    }
}
