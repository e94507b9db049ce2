package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.model.AppliedRanges;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep.NodeRow;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jGraphWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;

/**
 * A node upsert locks a node it matched before it reads the node's versions, so a graph user's edit committed meanwhile
 * is seen (and kept), not overwritten with what the upsert read before it: ReverseCrashIT's race, made deterministic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Neo4jNodeLockIT {
    private static final NodeMapping CONTENT = MappingLoader.builtIn().node(TableId.parse("content_items")).orElseThrow();

    private SyncEnvironment env;
    private Neo4jGraphWriter writer;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("neo4j_node_lock");
        writer = new Neo4jGraphWriter(env.driver(), null, "neo4j_node_lock_slot");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldWaitForAGraphEditInFlightAndKeepIt() throws Exception {
        env.cypher("MATCH (n) DETACH DELETE n");
        env.cypher("CREATE (:ContentItem {id: 'c1', pgId: 'c1', pgVersion: 1, neo4jVersion: 1, title: 'before'})");

        CompletableFuture<?> upsert;
        try (Session user = env.driver().session(); Transaction edit = user.beginTransaction()) {
            edit.run("MATCH (n:ContentItem {id: 'c1'}) SET n.title = 'graph edit', n.neo4jVersion = 2").consume();
            // The row PostgreSQL sends before it has heard of the edit: a newer row version, the old graph version.
            NodeRow row = new NodeRow("c1", Map.of("id", "c1", "pgId", "c1", "pgVersion", 2L, "neo4jVersion", 1L, "title", "from postgres"), 2L, null, true);
            upsert = CompletableFuture.runAsync(() -> writer.apply(new GraphWritePlan(List.of(new UpsertNodes(CONTENT, List.of(row))), 1),
                    new Checkpoint(Lsn.of(42), AppliedRanges.EMPTY, 0)));
            env.awaitBlockedTransactions(1, null, "the upsert never waited for the graph edit's lock");
            edit.commit();
        }
        upsert.get(1, TimeUnit.MINUTES);

        var node = env.cypher("MATCH (n:ContentItem {id: 'c1'}) RETURN n.title AS title, n.neo4jVersion AS graphVersion, n.pgVersion AS rowVersion").get(0);
        assertThat(node.get("title").asString()).isEqualTo("graph edit");
        assertThat(node.get("graphVersion").asLong()).isEqualTo(2);
        assertThat(node.get("rowVersion").asLong()).isEqualTo(2);
    }
}
