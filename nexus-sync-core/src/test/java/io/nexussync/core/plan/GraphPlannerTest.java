package io.nexussync.core.plan;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.TombstoneMappings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.plan.GraphStep.DeleteNodes;
import io.nexussync.core.plan.GraphStep.DeleteRelationships;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.NodeRow;
import io.nexussync.core.plan.GraphStep.ParentRow;
import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.plan.GraphStep.TemporalRound;
import io.nexussync.core.plan.GraphStep.TemporalRow;
import io.nexussync.core.plan.GraphStep.Tombstone;
import io.nexussync.core.plan.GraphStep.TombstoneNodes;
import io.nexussync.core.plan.GraphStep.TruncateNodes;
import io.nexussync.core.plan.GraphStep.TruncateRelationships;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import io.nexussync.core.plan.GraphStep.UpsertRelationships;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphPlannerTest {
    private static final TableId CONTENT_ITEMS = TableId.parse("content_items");
    private static final TableId MESSAGES = TableId.parse("messages");
    private static final TableId THREADS = TableId.parse("threads");
    private static final TableId CONTENT_TAGS = TableId.parse("content_tags");
    private static final TableId THREAD_CONTENT = TableId.parse("thread_content");

    private static final String C1 = "00000000-0000-0000-0000-0000000000c1";
    private static final String C2 = "00000000-0000-0000-0000-0000000000c2";
    private static final String T1 = "00000000-0000-0000-0000-0000000000a1";
    private static final String T2 = "00000000-0000-0000-0000-0000000000a2";
    private static final String TAG1 = "00000000-0000-0000-0000-0000000000f1";
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());
    private int commits;

    @Test
    void shouldUpsertInsertedContentItemWithContractPropertyNames() {
        GraphWritePlan plan = plan(insert(CONTENT_ITEMS, contentItem(C1, "Design notes", 1)));

        assertThat(plan.steps()).hasSize(1);
        UpsertNodes upsert = (UpsertNodes) plan.steps().get(0);
        assertThat(upsert.mapping().label()).isEqualTo("ContentItem");
        NodeRow row = single(upsert.rows());
        assertThat(row.id()).isEqualTo(C1);
        assertThat(row.version()).isEqualTo(1L);
        assertThat(row.knownElementId()).isNull();
        assertThat(row.properties())
                .containsEntry("id", C1)
                .containsEntry("pgId", C1)
                .containsEntry("title", "Design notes")
                .containsEntry("tenantId", "tenant-1")
                .containsEntry("projectId", "project-1")
                .containsEntry("contentType", "document")
                .containsEntry("accessLevel", "project")
                .containsEntry("viewCount", 0L)
                .containsEntry("pgVersion", 1L)
                .containsEntry("neo4jVersion", 0L)
                .doesNotContainKeys("body", "createdBy", "created_by", "neo4jNodeId", "neo4j_node_id", "pg_version", "tenant_id");
    }

    @Test
    void shouldCarryKnownCrossReferenceWithoutMakingItAProperty() {
        Map<String, Object> row = contentItem(C1, "Design notes", 2);
        row.put("neo4j_node_id", "4:abc:7");

        NodeRow nodeRow = single(((UpsertNodes) plan(update(CONTENT_ITEMS, row)).steps().get(0)).rows());

        assertThat(nodeRow.knownElementId()).isEqualTo("4:abc:7");
        assertThat(nodeRow.properties()).doesNotContainKey("neo4jNodeId");
    }

    @Test
    void shouldUpsertUpdatedRowWithItsNewValues() {
        GraphWritePlan plan = plan(update(CONTENT_ITEMS, contentItem(C1, "Renamed", 5)));

        NodeRow row = single(((UpsertNodes) single(plan.steps())).rows());
        assertThat(row.properties()).containsEntry("title", "Renamed").containsEntry("pgVersion", 5L);
        assertThat(row.version()).isEqualTo(5L);
    }

    @Test
    void shouldDeleteNodeOfDeletedRow() {
        GraphWritePlan plan = plan(delete(CONTENT_ITEMS, Map.of("id", C1)));

        DeleteNodes delete = (DeleteNodes) single(plan.steps());
        assertThat(delete.mapping().label()).isEqualTo("ContentItem");
        assertThat(delete.ids()).containsExactly(C1);
    }

    @Test
    void shouldTurnMessageThreadIdIntoParentLinkNotProperty() {
        Map<String, Object> message = message("m1", T1, 1);

        GraphWritePlan plan = plan(insert(MESSAGES, message));

        assertThat(plan.steps()).hasSize(2);
        NodeRow row = single(((UpsertNodes) plan.steps().get(0)).rows());
        assertThat(row.properties())
                .containsEntry("role", "user")
                .containsEntry("tokenCount", 12)
                .doesNotContainKeys("threadId", "body");
        LinkParents link = (LinkParents) plan.steps().get(1);
        assertThat(link.link().type()).isEqualTo("HAS_MESSAGE");
        assertThat(link.link().parentLabel()).isEqualTo("Thread");
        assertThat(link.link().parentToChild()).isTrue();
        assertThat(link.rows()).containsExactly(new ParentRow("m1", T1, 1L, T0.plusSeconds(1)));
    }

    @Test
    void shouldUnlinkMessageFromParentThreadDeletedInSameBatch() {
        GraphWritePlan plan = plan(
                insert(MESSAGES, message("m1", T1, 1)),
                delete(THREADS, Map.of("id", T1)));

        LinkParents link = stepOf(plan, LinkParents.class);
        assertThat(link.rows()).containsExactly(new ParentRow("m1", null, 1L, T0.plusSeconds(1)));
    }

    @Test
    void shouldNeverWriteUnchangedToastValueAsProperty() {
        Map<String, Object> row = contentItem(C1, "Title", 3);
        row.put("metadata", Unchanged.TOAST);

        NodeRow nodeRow = single(((UpsertNodes) single(plan(update(CONTENT_ITEMS, row)).steps())).rows());

        assertThat(nodeRow.properties()).doesNotContainKey("metadata");
        assertThat(nodeRow.properties().values()).doesNotContain(Unchanged.TOAST);
    }

    @Test
    void shouldTakeUnchangedToastValueFromEarlierImageInSameBatch() {
        Map<String, Object> inserted = contentItem(C1, "Title", 1);
        inserted.put("metadata", new JsonText("{\"a\":1}"));
        Map<String, Object> updated = contentItem(C1, "New title", 2);
        updated.put("metadata", Unchanged.TOAST);

        GraphWritePlan plan = plan(insert(CONTENT_ITEMS, inserted), update(CONTENT_ITEMS, updated));

        NodeRow row = single(((UpsertNodes) single(plan.steps())).rows());
        assertThat(row.properties())
                .containsEntry("title", "New title")
                .containsEntry("metadata", "{\"a\":1}")
                .containsEntry("pgVersion", 2L);
    }

    @Test
    void shouldCoalesceInsertAndUpdateIntoOneUpsertWithLastValues() {
        GraphWritePlan plan = plan(
                insert(CONTENT_ITEMS, contentItem(C1, "First", 1)),
                update(CONTENT_ITEMS, contentItem(C1, "Second", 2)),
                update(CONTENT_ITEMS, contentItem(C1, "Third", 3)));

        UpsertNodes upsert = (UpsertNodes) single(plan.steps());
        NodeRow row = single(upsert.rows());
        assertThat(row.properties()).containsEntry("title", "Third").containsEntry("pgVersion", 3L);
        assertThat(row.version()).isEqualTo(3L);
        assertThat(plan.sourceChanges()).isEqualTo(3);
    }

    @Test
    void shouldReduceUpdateThenDeleteToDeleteOnly() {
        GraphWritePlan plan = plan(
                update(CONTENT_ITEMS, contentItem(C1, "Changed", 2)),
                delete(CONTENT_ITEMS, Map.of("id", C1)));

        assertThat(plan.steps()).containsExactly(new DeleteNodes(contentItems(), List.of(C1), List.of(T0.plusSeconds(2))));
    }

    @Test
    void shouldDeleteBeforeRecreatingRowDeletedAndInsertedAgain() {
        GraphWritePlan plan = plan(
                delete(CONTENT_ITEMS, Map.of("id", C1)),
                insert(CONTENT_ITEMS, contentItem(C1, "Reborn", 1)));

        assertThat(plan.steps()).hasSize(2);
        assertThat(plan.steps().get(0)).isEqualTo(new DeleteNodes(contentItems(), List.of(C1), List.of(T0.plusSeconds(1))));
        NodeRow row = single(((UpsertNodes) plan.steps().get(1)).rows());
        assertThat(row.properties()).containsEntry("title", "Reborn");
    }

    @Test
    void shouldDropRelationshipUpsertWhoseEndpointIsDeletedLaterInBatch() {
        GraphWritePlan plan = plan(
                insert(CONTENT_TAGS, contentTag(C1, TAG1, 0.5f, 1)),
                delete(CONTENT_ITEMS, Map.of("id", C1)));

        assertThat(plan.steps()).noneMatch(UpsertRelationships.class::isInstance);
        assertThat(plan.steps()).containsExactly(new DeleteNodes(contentItems(), List.of(C1), List.of(T0.plusSeconds(2))));
    }

    @Test
    void shouldUpsertContentTagWithContractPropertyNames() {
        GraphWritePlan plan = plan(insert(CONTENT_TAGS, contentTag(C1, TAG1, 0.5f, 1)));

        UpsertRelationships upsert = (UpsertRelationships) single(plan.steps());
        assertThat(upsert.mapping().type()).isEqualTo("TAGGED_WITH");
        GraphStep.RelationshipRow row = single(upsert.rows());
        assertThat(row.fromId()).isEqualTo(C1);
        assertThat(row.toId()).isEqualTo(TAG1);
        assertThat(row.version()).isEqualTo(1L);
        assertThat(row.properties())
                .containsOnlyKeys("weight", "createdAt", "pgVersion")
                .containsEntry("weight", 0.5f)
                .containsEntry("pgVersion", 1L);
    }

    @Test
    void shouldDeleteContentTagOfDeletedRow() {
        GraphWritePlan plan = plan(delete(CONTENT_TAGS, Map.of("content_id", C1, "tag_id", TAG1)));

        DeleteRelationships delete = (DeleteRelationships) single(plan.steps());
        assertThat(delete.keys()).containsExactly(new RelationshipKey(C1, TAG1));
    }

    @Test
    void shouldDeleteRelationshipBeforeRecreatingRowDeletedAndInsertedAgain() {
        GraphWritePlan plan = plan(
                delete(CONTENT_TAGS, Map.of("content_id", C1, "tag_id", TAG1)),
                insert(CONTENT_TAGS, contentTag(C1, TAG1, 0.25f, 1)));

        assertThat(plan.steps()).hasSize(2);
        assertThat(plan.steps().get(0)).isInstanceOf(DeleteRelationships.class);
        assertThat(((DeleteRelationships) plan.steps().get(0)).keys()).containsExactly(new RelationshipKey(C1, TAG1));
        assertThat(plan.steps().get(1)).isInstanceOf(UpsertRelationships.class);
    }

    @Test
    void shouldKeepEveryVersionOfTemporalPairAsOrderedRounds() {
        GraphWritePlan plan = plan(
                update(THREAD_CONTENT, threadContent(T1, C1, 0.1, 1, 2)),
                update(THREAD_CONTENT, threadContent(T1, C1, 0.2, 2, 3)),
                update(THREAD_CONTENT, threadContent(T1, C1, 0.3, 3, 4)));

        assertThat(plan.steps()).hasSize(3).allMatch(TemporalRound.class::isInstance);
        List<TemporalRow> rows = plan.steps().stream().map(s -> single(((TemporalRound) s).rows())).toList();
        assertThat(rows).extracting(TemporalRow::version).containsExactly(2L, 3L, 4L);
        assertThat(rows).extracting(r -> r.properties().get("relevanceScore")).containsExactly(0.1, 0.2, 0.3);
        assertThat(rows).extracting(TemporalRow::at).containsExactly(T0.plusSeconds(1), T0.plusSeconds(2), T0.plusSeconds(3));
        assertThat(rows.get(0).properties())
                .containsOnlyKeys("relevanceScore", "position", "addedAt", "version")
                .containsEntry("position", 1)
                .containsEntry("version", 2L);
    }

    @Test
    void shouldOrderARoundByStartNodeSoWorkersTakeTheStartNodeLocksInOneOrder() {
        GraphWritePlan plan = plan(
                update(THREAD_CONTENT, threadContent(T2, C1, 0.1, 1, 2)),
                update(THREAD_CONTENT, threadContent(T1, C2, 0.2, 2, 2)),
                update(THREAD_CONTENT, threadContent(T1, C1, 0.3, 3, 2)));

        List<TemporalRow> rows = ((TemporalRound) single(plan.steps())).rows();
        assertThat(rows).extracting(TemporalRow::fromId, TemporalRow::toId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(T1, C1), org.assertj.core.groups.Tuple.tuple(T1, C2),
                        org.assertj.core.groups.Tuple.tuple(T2, C1));
    }

    @Test
    void shouldLetRowsOfDifferentTemporalPairsShareRounds() {
        GraphWritePlan plan = plan(
                update(THREAD_CONTENT, threadContent(T1, C1, 0.1, 1, 2)),
                update(THREAD_CONTENT, threadContent(T2, C2, 0.9, 1, 5)),
                update(THREAD_CONTENT, threadContent(T1, C1, 0.2, 2, 3)));

        assertThat(plan.steps()).hasSize(2);
        TemporalRound first = (TemporalRound) plan.steps().get(0);
        TemporalRound second = (TemporalRound) plan.steps().get(1);
        assertThat(first.rows()).extracting(TemporalRow::fromId, TemporalRow::version)
                .containsExactlyInAnyOrder(tuple(T1, 2L), tuple(T2, 5L));
        assertThat(second.rows()).extracting(TemporalRow::fromId, TemporalRow::version)
                .containsExactly(tuple(T1, 3L));
    }

    @Test
    void shouldCloseTemporalRelationshipOfDeletedRow() {
        GraphWritePlan plan = plan(delete(THREAD_CONTENT, Map.of("thread_id", T1, "content_id", C1)));

        TemporalRow row = single(((TemporalRound) single(plan.steps())).rows());
        assertThat(row.closesOnly()).isTrue();
        assertThat(row.fromId()).isEqualTo(T1);
        assertThat(row.toId()).isEqualTo(C1);
        assertThat(row.at()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void shouldNotReplayTemporalHistoryOfNodeDeletedAndReinsertedInSameBatch() {
        List<SourceChange> batch = List.of(
                source(insert(THREAD_CONTENT, threadContent(T1, C1, 0.1, 1, 1)), 1),
                source(delete(CONTENT_ITEMS, Map.of("id", C1)), 2),
                // ON DELETE CASCADE logs the thread_content delete after the content item's.
                source(delete(THREAD_CONTENT, Map.of("thread_id", T1, "content_id", C1)), 2),
                source(insert(CONTENT_ITEMS, contentItem(C1, "Reborn", 1)), 3));
        CoalescingPropertyTest.FakeGraph oneByOne = new CoalescingPropertyTest.FakeGraph();
        batch.forEach(change -> oneByOne.apply(planner.plan(List.of(change))));
        CoalescingPropertyTest.FakeGraph batched = new CoalescingPropertyTest.FakeGraph();

        batched.apply(planner.plan(batch));

        assertThat(batched.relationships).isEqualTo(oneByOne.relationships).isEmpty();
    }

    @Test
    void shouldDeleteOldNodeAndUpsertNewOneWhenKeyChanges() {
        GraphWritePlan plan = plan(new RowChange.Update(CONTENT_ITEMS, Map.of("id", C1), contentItem(C2, "Moved", 2)));

        assertThat(plan.steps()).hasSize(2);
        assertThat(plan.steps().get(0)).isEqualTo(new DeleteNodes(contentItems(), List.of(C1), List.of(T0.plusSeconds(1))));
        NodeRow row = single(((UpsertNodes) plan.steps().get(1)).rows());
        assertThat(row.id()).isEqualTo(C2);
        assertThat(row.properties()).containsEntry("id", C2).containsEntry("pgId", C2);
    }

    @Test
    void shouldNotDeleteNodeWhenOldKeyHasSameId() {
        GraphWritePlan plan = plan(new RowChange.Update(CONTENT_ITEMS, Map.of("id", C1), contentItem(C1, "Same", 2)));

        assertThat(plan.steps()).singleElement().isInstanceOf(UpsertNodes.class);
    }

    @Test
    void shouldSplitBatchAtTruncate() {
        GraphWritePlan plan = plan(
                insert(CONTENT_ITEMS, contentItem(C1, "Before", 1)),
                insert(CONTENT_TAGS, contentTag(C1, TAG1, 1f, 1)),
                new RowChange.Truncate(List.of(CONTENT_ITEMS, CONTENT_TAGS), true, false),
                insert(CONTENT_ITEMS, contentItem(C2, "After", 1)));

        assertThat(plan.steps()).extracting(s -> (Object) s.getClass())
                .containsExactly(UpsertNodes.class, UpsertRelationships.class, TruncateRelationships.class, TruncateNodes.class, UpsertNodes.class);
        assertThat(single(((UpsertNodes) plan.steps().get(0)).rows()).id()).isEqualTo(C1);
        assertThat(((TruncateRelationships) plan.steps().get(2)).mapping().type()).isEqualTo("TAGGED_WITH");
        assertThat(((TruncateRelationships) plan.steps().get(2)).at()).isEqualTo(T0.plusSeconds(3));
        assertThat(((TruncateNodes) plan.steps().get(3)).mapping().label()).isEqualTo("ContentItem");
        assertThat(single(((UpsertNodes) plan.steps().get(4)).rows()).id()).isEqualTo(C2);
    }

    @Test
    void shouldNotCoalesceSameRowAcrossTruncate() {
        GraphWritePlan plan = plan(
                insert(CONTENT_ITEMS, contentItem(C1, "Before", 1)),
                new RowChange.Truncate(List.of(CONTENT_ITEMS), false, false),
                insert(CONTENT_ITEMS, contentItem(C1, "After", 1)));

        assertThat(plan.steps()).extracting(s -> (Object) s.getClass())
                .containsExactly(UpsertNodes.class, TruncateNodes.class, UpsertNodes.class);
        assertThat(single(((UpsertNodes) plan.steps().get(2)).rows()).properties()).containsEntry("title", "After");
    }

    @Test
    void shouldOrderStepsWithinSegmentByKind() {
        GraphWritePlan plan = plan(
                update(THREAD_CONTENT, threadContent(T1, C1, 0.1, 1, 2)),
                insert(CONTENT_TAGS, contentTag(C1, TAG1, 1f, 1)),
                insert(MESSAGES, message("m1", T1, 1)),
                insert(CONTENT_ITEMS, contentItem(C1, "Item", 1)),
                delete(THREADS, Map.of("id", T2)),
                delete(CONTENT_TAGS, Map.of("content_id", C2, "tag_id", TAG1)));

        assertThat(plan.steps()).extracting(s -> (Object) s.getClass()).containsExactly(
                DeleteRelationships.class, DeleteNodes.class, UpsertNodes.class, UpsertNodes.class,
                LinkParents.class, UpsertRelationships.class, TemporalRound.class);
    }

    private final GraphPlanner keepingTombstones = new GraphPlanner(TombstoneMappings.builtInWithTombstones("ContentItem", "Thread"));

    @Test
    void shouldKeepADeletedRowsNodeAsATombstoneAtTheDeletesCommitTimeWhenTheMappingSaysSo() {
        GraphWritePlan plan = keepingTombstones.plan(List.of(source(delete(CONTENT_ITEMS, Map.of("id", C1)), 4)));

        TombstoneNodes tombstones = (TombstoneNodes) single(plan.steps());
        assertThat(tombstones.mapping().label()).isEqualTo("ContentItem");
        assertThat(tombstones.historyTypes()).containsExactly("INCLUDES");
        assertThat(tombstones.rows()).containsExactly(new Tombstone(C1, T0.plusSeconds(4)));
        // The contract's mapping keeps none: the same delete removes the node.
        assertThat(single(planner.plan(List.of(source(delete(CONTENT_ITEMS, Map.of("id", C1)), 4))).steps())).isInstanceOf(DeleteNodes.class);
    }

    @Test
    void shouldWriteAPairsEarlierVersionsBeforeItsNodesTombstoneAndDropTheCascadesCloseAfterIt() {
        GraphWritePlan plan = keepingTombstones.plan(List.of(
                source(insert(THREAD_CONTENT, threadContent(T1, C1, 0.1, 1, 1)), 1),
                source(update(THREAD_CONTENT, threadContent(T1, C1, 0.2, 1, 2)), 2),
                source(delete(CONTENT_ITEMS, Map.of("id", C1)), 3),
                // ON DELETE CASCADE logs the join row's delete after the item's, in the same transaction.
                source(delete(THREAD_CONTENT, Map.of("thread_id", T1, "content_id", C1)), 3),
                source(insert(CONTENT_ITEMS, contentItem(C2, "Other", 1)), 3)));

        assertThat(plan.steps()).extracting(s -> (Object) s.getClass())
                .containsExactly(TemporalRound.class, TemporalRound.class, TombstoneNodes.class, UpsertNodes.class);
        assertThat(((TemporalRound) plan.steps().get(1)).rows()).extracting(TemporalRow::at).containsExactly(T0.plusSeconds(2));
        assertThat(((TombstoneNodes) plan.steps().get(2)).rows()).containsExactly(new Tombstone(C1, T0.plusSeconds(3)));
    }

    @Test
    void shouldBringATombstoneBackOnlyAfterItWasWrittenWhenItsRowIsInsertedAgainInTheSameBatch() {
        GraphWritePlan plan = keepingTombstones.plan(List.of(
                source(delete(CONTENT_ITEMS, Map.of("id", C1)), 1),
                source(delete(CONTENT_ITEMS, Map.of("id", C2)), 1),
                source(insert(CONTENT_ITEMS, contentItem(C1, "Back", 1)), 2),
                source(insert(THREAD_CONTENT, threadContent(T1, C1, 0.5, 3, 1)), 2)));

        assertThat(plan.steps()).extracting(s -> (Object) s.getClass()).containsExactly(TombstoneNodes.class, UpsertNodes.class, TemporalRound.class);
        assertThat(((TombstoneNodes) plan.steps().get(0)).rows()).extracting(Tombstone::id).containsExactly(C1, C2);
        assertThat(single(((TemporalRound) plan.steps().get(2)).rows()).at()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void shouldWriteTheLastValuesBeforeTheTombstoneSoItHoldsThem() {
        GraphWritePlan plan = keepingTombstones.plan(List.of(
                source(update(CONTENT_ITEMS, contentItem(C1, "Last words", 5)), 1),
                source(delete(CONTENT_ITEMS, Map.of("id", C1)), 2)));

        assertThat(plan.steps()).extracting(s -> (Object) s.getClass()).containsExactly(UpsertNodes.class, TombstoneNodes.class);
        assertThat(single(((UpsertNodes) plan.steps().get(0)).rows()).properties()).containsEntry("title", "Last words");
    }

    @Test
    void shouldTombstoneTheOldIdentityOfAKeyChangingUpdate() {
        GraphWritePlan plan = keepingTombstones.plan(List.of(source(new RowChange.Update(CONTENT_ITEMS, Map.of("id", C1), contentItem(C2, "Moved", 2)), 1)));

        assertThat(plan.steps()).extracting(s -> (Object) s.getClass()).containsExactly(TombstoneNodes.class, UpsertNodes.class);
        assertThat(((TombstoneNodes) plan.steps().get(0)).rows()).containsExactly(new Tombstone(C1, T0.plusSeconds(1)));
    }

    @Test
    void shouldTruncateATombstoningTableIntoTombstonesAtTheTruncatesTime() {
        GraphWritePlan plan = keepingTombstones.plan(List.of(source(new RowChange.Truncate(List.of(THREADS), false, false), 7)));

        TruncateNodes truncate = (TruncateNodes) single(plan.steps());
        assertThat(truncate.mapping().tombstones()).isTrue();
        assertThat(truncate.historyTypes()).containsExactly("INCLUDES");
        assertThat(truncate.at()).isEqualTo(T0.plusSeconds(7));
    }

    @Test
    void shouldStampEachRowWithTheCommitTimeOfItsEntitysLastChangeInTheBatch() {
        GraphWritePlan plan = plan(
                update(CONTENT_ITEMS, contentItem(C1, "First", 2)),
                insert(MESSAGES, message("m1", T1, 1)),
                update(CONTENT_ITEMS, contentItem(C1, "Second", 3)),
                insert(CONTENT_TAGS, contentTag(C1, TAG1, 0.5f, 1)),
                delete(CONTENT_ITEMS, Map.of("id", C2)));

        assertThat(plan.steps()).filteredOn(UpsertNodes.class::isInstance).flatExtracting(s -> ((UpsertNodes) s).rows())
                .extracting(NodeRow::id, NodeRow::at).containsExactlyInAnyOrder(tuple(C1, T0.plusSeconds(3)), tuple("m1", T0.plusSeconds(2)));
        assertThat(stepOf(plan, LinkParents.class).rows()).extracting(ParentRow::at).containsExactly(T0.plusSeconds(2));
        assertThat(stepOf(plan, UpsertRelationships.class).rows()).extracting(GraphStep.RelationshipRow::at).containsExactly(T0.plusSeconds(4));
        assertThat(stepOf(plan, DeleteNodes.class)).isEqualTo(new DeleteNodes(contentItems(), List.of(C2), List.of(T0.plusSeconds(5))));
    }

    @Test
    void shouldGiveANodeDeletedAndInsertedAgainItsDeletesTimeForTheDeleteAndItsInsertsForTheRow() {
        GraphWritePlan plan = plan(
                delete(CONTENT_ITEMS, Map.of("id", C1)),
                insert(CONTENT_ITEMS, contentItem(C1, "Reborn", 1)),
                update(CONTENT_ITEMS, contentItem(C1, "Reborn again", 2)));

        assertThat(stepOf(plan, DeleteNodes.class).deletedAt()).containsExactly(T0.plusSeconds(1));
        assertThat(single(stepOf(plan, UpsertNodes.class).rows()).at()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void shouldStampTheOldKeysDeleteOfAKeyChangeWithTheUpdatesCommitTime() {
        GraphWritePlan plan = plan(
                insert(CONTENT_ITEMS, contentItem(C1, "Before", 1)),
                new RowChange.Update(CONTENT_ITEMS, Map.of("id", C1), contentItem(C2, "Moved", 2)));

        assertThat(stepOf(plan, DeleteNodes.class)).isEqualTo(new DeleteNodes(contentItems(), List.of(C1), List.of(T0.plusSeconds(2))));
        assertThat(single(stepOf(plan, UpsertNodes.class).rows())).extracting(NodeRow::id, NodeRow::at).containsExactly(C2, T0.plusSeconds(2));
    }

    @Test
    void shouldIgnoreChangesOfUnmappedTables() {
        GraphWritePlan plan = plan(insert(TableId.parse("audit_log"), Map.of("id", 1)));

        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.sourceChanges()).isEqualTo(1);
    }

    private GraphWritePlan plan(RowChange... changes) {
        List<SourceChange> batch = new ArrayList<>();
        for (RowChange change : changes) {
            commits++;
            batch.add(new SourceChange(change, Lsn.of(0x1000L * commits), T0.plusSeconds(commits)));
        }
        return planner.plan(batch);
    }

    private static SourceChange source(RowChange change, int commit) {
        return new SourceChange(change, Lsn.of(0x1000L * commit), T0.plusSeconds(commit));
    }

    private NodeMapping contentItems() {
        return planner.mapping().node(CONTENT_ITEMS).orElseThrow();
    }

    private static <T extends GraphStep> T stepOf(GraphWritePlan plan, Class<T> kind) {
        return plan.steps().stream().filter(kind::isInstance).map(kind::cast).findFirst().orElseThrow();
    }

    private static <T> T single(List<T> list) {
        assertThat(list).hasSize(1);
        return list.get(0);
    }

    private static RowChange insert(TableId table, Map<String, Object> row) {
        return new RowChange.Insert(table, row);
    }

    private static RowChange update(TableId table, Map<String, Object> row) {
        return new RowChange.Update(table, null, row);
    }

    private static RowChange delete(TableId table, Map<String, Object> key) {
        return new RowChange.Delete(table, key);
    }

    static Map<String, Object> contentItem(String id, String title, long version) {
        return row("id", id, "tenant_id", "tenant-1", "project_id", "project-1", "title", title, "body", "a long body",
                "content_type", "document", "metadata", new JsonText("{}"), "access_level", "project",
                "view_count", 0L, "created_by", "user-1", "created_at", T0, "updated_at", T0,
                "neo4j_node_id", null, "pg_version", version, "neo4j_version", 0L);
    }

    private static Map<String, Object> message(String id, String threadId, long version) {
        return row("id", id, "thread_id", threadId, "tenant_id", "tenant-1", "role", "user", "body", "hello",
                "token_count", 12, "created_at", T0, "updated_at", T0, "neo4j_node_id", null, "pg_version", version, "neo4j_version", 0L);
    }

    static Map<String, Object> contentTag(String contentId, String tagId, float weight, long version) {
        return row("content_id", contentId, "tag_id", tagId, "weight", weight, "created_at", T0, "pg_version", version);
    }

    private static Map<String, Object> threadContent(String threadId, String contentId, double score, int position, long version) {
        return row("thread_id", threadId, "content_id", contentId, "relevance_score", score, "position", position,
                "added_at", T0, "pg_version", version);
    }

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }
}
