package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.nexussync.neo4j.Neo4jGraphWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;

/**
 * The forward writer's graph-version guard on the real engine: a streamed row newer by pgVersion but older by the graph
 * version (the graph holds an edit PostgreSQL has not decided yet) moves only the node's pgVersion; once the row carries
 * the graph's version, its values are written. The graph version never moves back, not even under a refresh.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GraphVersionGuardIT {
    private static final String ID = "00000000-0000-0000-0000-0000000000c1";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());
    private SyncEnvironment env;
    private Neo4jGraphWriter writer;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("graph_version_guard");
        writer = new Neo4jGraphWriter(env.driver(), null, "graph_version_guard_slot");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    /** A node at pgVersion 2 whose title was edited in the graph, which bumped its graph version to 3. */
    @BeforeEach
    void nodeWithAGraphEdit() {
        env.cypher("MATCH (n) DETACH DELETE n");
        apply(update(2, 2, "from postgres", 4L), false);
        env.cypher("MATCH (c:ContentItem {id: $id}) SET c.title = 'edited in the graph', c.neo4jVersion = 3", Map.of("id", ID));
    }

    @Test
    void shouldKeepTheGraphsValuesAgainstARowOlderByTheGraphVersion() {
        apply(update(5, 2, "changed in postgres meanwhile", 9L), false);

        assertThat(node()).containsEntry("title", "edited in the graph").containsEntry("viewCount", 4L)
                .containsEntry("pgVersion", 5L).containsEntry("neo4jVersion", 3L);
    }

    @Test
    void shouldWriteARowThatCarriesTheGraphVersion() {
        apply(update(5, 2, "changed in postgres meanwhile", 9L), false);
        apply(update(6, 3, "decided in postgres", 9L), false);

        assertThat(node()).containsEntry("title", "decided in postgres").containsEntry("viewCount", 9L)
                .containsEntry("pgVersion", 6L).containsEntry("neo4jVersion", 3L);
    }

    @Test
    void shouldLetARefreshSetTheGraphToPostgresTruthWithoutMovingTheGraphVersionBack() {
        apply(update(5, 2, "re-read from postgres", 9L), true);

        // The plugin numbers the next edit from the node's version: moved back to 2, the next edit would be 3 again, a number
        // the row records once the pending edit lands, and the reverse applier would take it for applied.
        assertThat(node()).containsEntry("title", "re-read from postgres").containsEntry("pgVersion", 5L).containsEntry("neo4jVersion", 3L);
    }

    @Test
    void shouldStillSkipAStreamedRowOlderByPgVersion() {
        apply(update(1, 3, "an old row", 9L), false);

        assertThat(node()).containsEntry("title", "edited in the graph").containsEntry("pgVersion", 2L).containsEntry("neo4jVersion", 3L);
    }

    private void apply(RowChange change, boolean refresh) {
        GraphWritePlan plan = planner.plan(List.of(new SourceChange(change, Lsn.of(0x1000L), T0)));
        writer.apply(refresh ? plan.asRefresh() : plan, Checkpoint.after(Lsn.valueOf("0/1")));
    }

    private Map<String, Object> node() {
        Record r = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.title AS title, c.viewCount AS viewCount, "
                + "c.pgVersion AS pgVersion, c.neo4jVersion AS neo4jVersion", Map.of("id", ID)).get(0);
        return r.asMap();
    }

    private static RowChange update(long pgVersion, long neo4jVersion, String title, long viewCount) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", ID);
        row.put("tenant_id", ID);
        row.put("project_id", ID);
        row.put("title", title);
        row.put("body", "a long body");
        row.put("content_type", "document");
        row.put("metadata", new JsonText("{}"));
        row.put("access_level", "project");
        row.put("view_count", viewCount);
        row.put("created_by", null);
        row.put("created_at", T0.atOffset(ZoneOffset.UTC));
        row.put("updated_at", T0.atOffset(ZoneOffset.UTC));
        row.put("neo4j_node_id", null);
        row.put("pg_version", pgVersion);
        row.put("neo4j_version", neo4jVersion);
        return new RowChange.Update(TableId.parse("content_items"), null, row);
    }
}
