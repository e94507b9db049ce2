package io.nexussync.neo4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.plan.GraphStep.DeleteNodes;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.UpsertRelationships;
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

    @Test
    void shouldKeepTheStatementsWithoutDeletionMarkersAsTheyWere() {
        RelationshipMapping tags = MappingLoader.builtIn().relationship(TableId.parse("content_tags")).orElseThrow();
        NodeMapping threads = MappingLoader.builtIn().node(TableId.parse("threads")).orElseThrow();

        assertThat(StatementRenderer.deleteNodes(new DeleteNodes(threads, List.of()), false))
                .isEqualTo("UNWIND $batch.rows AS id MATCH (n:`Thread` {`id`: id}) DETACH DELETE n");
        assertThat(StatementRenderer.upsertRelationships(new UpsertRelationships(tags, List.of()), false, false))
                .isEqualTo("UNWIND $batch.rows AS row "
                        + "MERGE (a:`ContentItem` {`id`: row.from}) ON CREATE SET a.`pgId` = row.from "
                        + "MERGE (b:`Tag` {`id`: row.to}) ON CREATE SET b.`pgId` = row.to "
                        + "MERGE (a)-[r:`TAGGED_WITH`]->(b) WITH r, row WHERE row.version IS NULL OR r.`pgVersion` IS NULL OR r.`pgVersion` < row.version "
                        + "SET r += row.props");
        assertThat(StatementRenderer.linkParents(LINK, false, false)).isEqualTo(StatementRenderer.linkParents(LINK, false));
        assertThat(Neo4jGraphWriter.streamedStatements(MappingLoader.builtIn(), false))
                .isEqualTo(Neo4jGraphWriter.streamedStatements(MappingLoader.builtIn()))
                .noneSatisfy(statement -> assertThat(statement).contains("_SyncDeleted"));
    }

    /** Every streamed statement that can create a node consults the markers; the others are the same text. */
    @Test
    void shouldConsultDeletionMarkersWhereAStreamedStatementCanCreateANode() {
        List<String> plain = Neo4jGraphWriter.streamedStatements(MappingLoader.builtIn(), false);
        List<String> marked = Neo4jGraphWriter.streamedStatements(MappingLoader.builtIn(), true);

        assertThat(marked).hasSameSizeAs(plain);
        for (int i = 0; i < plain.size(); i++) {
            boolean creates = plain.get(i).contains("MERGE (n:") || plain.get(i).contains("MERGE (p:") || plain.get(i).contains("MERGE (a:");
            boolean deletes = plain.get(i).contains("DETACH DELETE n");
            if (creates) {
                assertThat(marked.get(i)).as(plain.get(i)).contains("OPTIONAL MATCH").contains(":`_SyncDeleted`").containsPattern("Gone.`at` <=? row.at");
            } else if (deletes) {
                assertThat(marked.get(i)).contains("MERGE (d:`_SyncDeleted` {`label`: '").contains("WHERE row.at IS NOT NULL");
            } else {
                assertThat(marked.get(i)).isEqualTo(plain.get(i));
            }
        }
        assertThat(StatementRenderer.upsertRelationships(new UpsertRelationships(
                MappingLoader.builtIn().relationship(TableId.parse("content_tags")).orElseThrow(), List.of()), false, true))
                .contains("OPTIONAL MATCH (aGone:`_SyncDeleted` {`label`: 'ContentItem', `id`: row.from}) OPTIONAL MATCH (bGone:`_SyncDeleted` {`label`: 'Tag', `id`: row.to}) ")
                .contains("WITH row WHERE (aGone IS NULL OR row.at IS NULL OR aGone.`at` < row.at OR EXISTS { MATCH (:`ContentItem` {`id`: row.from}) }) "
                        + "AND (bGone IS NULL OR row.at IS NULL OR bGone.`at` < row.at OR EXISTS { MATCH (:`Tag` {`id`: row.to}) }) ")
                .doesNotContain("Node:");
    }

    /** Neo4j keys a plan by text and parameter types, and a list's type includes its size: rows come inside a map. */
    @Test
    void shouldRunEveryStreamedStatementFromOneCachedPlanWhateverTheNumberOfRows() {
        List<String> statements = Neo4jGraphWriter.streamedStatements(MappingLoader.builtIn());

        assertThat(statements).hasSize(14).allSatisfy(statement -> assertThat(statement).startsWith("UNWIND $batch.rows AS ")
                .doesNotContain("$rows"));
    }
}
