package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.AppliedRanges;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jGraphWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The writer's start-up warm-up runs every statement of a streamed batch on the real engine and leaves the graph as it was. */
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
}
