package io.nexussync.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.RowChangeExamples;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of row change makes a step, on a node table and on a relationship table. */
class PlanEveryKindTest {
    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());

    @Test
    void shouldPlanEveryKindOfChangeToANodeTable() {
        Map<String, Object> row = Map.of("id", "1", "title", "t", "access_level", "project", "view_count", 0L, "pg_version", 1L);
        for (RowChange change : RowChangeExamples.oneOfEach(TableId.parse("content_items"), row, Map.of("id", "1"))) {
            assertThat(plan(change).steps()).as(change.toString()).isNotEmpty();
        }
    }

    @Test
    void shouldPlanEveryKindOfChangeToARelationshipTable() {
        Map<String, Object> row = Map.of("content_id", "1", "tag_id", "2");
        for (RowChange change : RowChangeExamples.oneOfEach(TableId.parse("content_tags"), row, row)) {
            assertThat(plan(change).steps()).as(change.toString()).isNotEmpty();
        }
    }

    private GraphWritePlan plan(RowChange change) {
        return planner.plan(List.of(new SourceChange(change, Lsn.valueOf("0/1000"), Instant.EPOCH)));
    }
}
