package io.nexussync.neo4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The statement texts whose exact form matters: the streamed parent link is the hot path and must not change for repair's sake. */
class StatementRendererTest {
    private static final NodeMapping MESSAGES = MappingLoader.builtIn().node(TableId.parse("messages")).orElseThrow();
    private static final LinkParents LINK = new LinkParents(MESSAGES, MESSAGES.parentLinks().get(0), List.of());
    private static final UpsertNodes CONTENT = new UpsertNodes(MappingLoader.builtIn().node(TableId.parse("content_items")).orElseThrow(), List.of());

    @Test
    void shouldKeepTheStreamedParentLinkStatementAsItWas() {
        assertThat(StatementRenderer.linkParents(LINK, false)).isEqualTo("UNWIND $batch.rows AS row MATCH (c:`Message` {`id`: row.child})"
                + " WHERE row.version IS NULL OR c.`pgVersion` IS NULL OR c.`pgVersion` <= row.version "
                + "OPTIONAL MATCH (old:`Thread`)-[l:`HAS_MESSAGE`]->(c) WHERE row.parent IS NULL OR old.`id` <> row.parent "
                + "DELETE l "
                + "WITH DISTINCT c, row WHERE row.parent IS NOT NULL "
                + "MERGE (p:`Thread` {`id`: row.parent}) ON CREATE SET p.`pgId` = row.parent "
                + "MERGE (p)-[:`HAS_MESSAGE`]->(c)");
    }

    @Test
    void shouldDeleteDuplicateLinksAndLinksToAParentWithoutIdentityOnlyInARefresh() {
        String refresh = StatementRenderer.linkParents(LINK, true);

        assertThat(refresh).contains("coalesce(old.`id` <> row.parent, true)")
                .contains("FOREACH (duplicate IN tail(links) | DELETE duplicate)");
        assertThat(StatementRenderer.linkParents(LINK, false)).doesNotContain("duplicate").doesNotContain("coalesce");
    }

    @Test
    void shouldGuardAStreamedRowsValuesByTheGraphVersionButNotARefresh() {
        assertThat(StatementRenderer.upsertNodes(CONTENT, false))
                .contains("(n.`neo4jVersion` IS NULL OR row.props.`neo4jVersion` IS NULL OR row.props.`neo4jVersion` >= n.`neo4jVersion`) AS current")
                .contains("FOREACH (_ IN CASE WHEN fresh AND NOT current THEN [1] ELSE [] END | SET n.`pgVersion` = row.version, n.lastSyncedAt = datetime())");
        assertThat(StatementRenderer.upsertNodes(CONTENT, true)).contains("true AS current");
    }

    /** Neo4j keys a plan by text and parameter types, and a list's type includes its size: rows come inside a map. */
    @Test
    void shouldRunEveryStreamedStatementFromOneCachedPlanWhateverTheNumberOfRows() {
        List<String> statements = Neo4jGraphWriter.streamedStatements(MappingLoader.builtIn());

        assertThat(statements).hasSize(14).allSatisfy(statement -> assertThat(statement).startsWith("UNWIND $batch.rows AS ")
                .doesNotContain("$rows"));
    }
}
