package io.nexussync.core.reverse;

import static io.nexussync.core.reverse.ReverseFixtures.CONTENT;
import static io.nexussync.core.reverse.ReverseFixtures.CONTENT_TAGS;
import static io.nexussync.core.reverse.ReverseFixtures.EARLY;
import static io.nexussync.core.reverse.ReverseFixtures.LATE;
import static io.nexussync.core.reverse.ReverseFixtures.THREAD_CONTENT;
import static io.nexussync.core.reverse.ReverseFixtures.uuid;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.ConflictRule;
import io.nexussync.core.reverse.ConflictRecord.Kind;
import io.nexussync.core.reverse.ConflictRecord.Side;
import io.nexussync.core.reverse.EntityEdit.NodeCreated;
import io.nexussync.core.reverse.EntityEdit.NodeDeleted;
import io.nexussync.core.reverse.EntityEdit.NodeUpdated;
import io.nexussync.core.reverse.EntityEdit.RelationshipCreated;
import io.nexussync.core.reverse.EntityEdit.RelationshipDeleted;
import io.nexussync.core.reverse.EntityEdit.RelationshipUpdated;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReverseDecisionsTest {
    private final ReverseDecisions decisions = new ReverseDecisions(ReverseFixtures.builtIn());

    private static NodeUpdated titleEdit(long basePg, String oldTitle, String newTitle) {
        return new NodeUpdated("ContentItem", uuid(1), "4:abc:1", basePg, 2, 3, Map.of("title", new PropertyChange(oldTitle, newTitle)));
    }

    private Decision decide(Instant graphCommitted, EntityEdit edit, RowState row) {
        Map<RowRef, RowState> rows = new HashMap<>();
        List<RowRef> refs = decisions.rowsOf(edit);
        if (row != null) {
            rows.put(refs.get(0), row);
        }
        return decisions.decide(new GraphEdit(7, graphCommitted, List.of(edit)), edit, rows);
    }

    private static RowWrite.Update onlyUpdate(Decision decision) {
        assertThat(decision.writes()).hasSize(1);
        assertThat(decision.writes().get(0)).isInstanceOf(RowWrite.Update.class);
        return (RowWrite.Update) decision.writes().get(0);
    }

    @Test
    void shouldFastForwardAnEditBasedOnTheRowVersionTheRowStillHas() {
        Decision decision = decide(LATE, titleEdit(4, "old", "new"), ReverseFixtures.contentState(1, "old", "project", 4, 2, EARLY));

        RowWrite.Update update = onlyUpdate(decision);
        assertThat(update.columns()).containsExactly(Map.entry("title", "new"));
        assertThat(update.graphVersion()).isEqualTo(3L);
        assertThat(update.row().key()).containsExactly(Map.entry("id", uuid(1)));
        assertThat(decision.conflicts()).isEmpty();
    }

    @Test
    void shouldTakeTheGraphsValueWhenPostgresChangedAnotherColumnMeanwhile() {
        // The row moved from version 4 to 5 (a view count), its title is still the edit's old one: only the graph changed it.
        Decision decision = decide(EARLY, titleEdit(4, "old", "new"), ReverseFixtures.contentState(1, "old", "project", 5, 2, LATE));

        assertThat(onlyUpdate(decision).columns()).containsExactly(Map.entry("title", "new"));
        assertThat(decision.conflicts()).isEmpty();
    }

    @Test
    void shouldSettleATitleBothSidesChangedByTheLaterCommit() {
        RowState row = ReverseFixtures.contentState(1, "postgres title", "project", 5, 2, EARLY);

        Decision graphLater = decide(LATE, titleEdit(4, "old", "graph title"), row);
        assertThat(onlyUpdate(graphLater).columns()).containsExactly(Map.entry("title", "graph title"));
        assertThat(graphLater.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.PROPERTY);
            assertThat(c.property()).isEqualTo("title");
            assertThat(c.rule()).isEqualTo(ConflictRule.LAST_WRITER_WINS);
            assertThat(c.decision()).isEqualTo(Side.GRAPH);
            assertThat(c.postgresValue()).isEqualTo("postgres title");
            assertThat(c.graphValue()).isEqualTo("graph title");
            assertThat(c.rowPgVersion()).isEqualTo(5L);
            assertThat(c.basePgVersion()).isEqualTo(4L);
            assertThat(c.graphVersion()).isEqualTo(3L);
            assertThat(c.outboxSeq()).isEqualTo(7L);
        });

        RowState laterRow = ReverseFixtures.contentState(1, "postgres title", "project", 5, 2, LATE);
        Decision postgresLater = decide(EARLY, titleEdit(4, "old", "graph title"), laterRow);
        RowWrite.Update kept = onlyUpdate(postgresLater);
        assertThat(kept.columns()).isEmpty();
        assertThat(kept.graphVersion()).as("the row records the graph version it has seen, and is bumped so the graph shows its title").isEqualTo(3L);
        assertThat(postgresLater.conflicts()).singleElement().extracting(ConflictRecord::decision).isEqualTo(Side.POSTGRES);
    }

    @Test
    void shouldKeepPostgresValueWhenItsCommitTimeIsUnknown() {
        Decision decision = decide(LATE, titleEdit(4, "old", "graph title"), ReverseFixtures.contentState(1, "postgres title", "project", 5, 2, null));

        assertThat(onlyUpdate(decision).columns()).isEmpty();
        assertThat(decision.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.decision()).isEqualTo(Side.POSTGRES);
            assertThat(c.reason()).contains("track_commit_timestamp");
        });
    }

    @Test
    void shouldKeepPostgresAccessLevelEvenWhenTheGraphWroteLast() {
        NodeUpdated edit = new NodeUpdated("ContentItem", uuid(1), "4:abc:1", 4L, 2, 3,
                Map.of("accessLevel", new PropertyChange("project", "public")));

        Decision decision = decide(LATE, edit, ReverseFixtures.contentState(1, "t", "private", 5, 2, EARLY));

        assertThat(onlyUpdate(decision).columns()).isEmpty();
        assertThat(decision.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.rule()).isEqualTo(ConflictRule.POSTGRES_WINS);
            assertThat(c.decision()).isEqualTo(Side.POSTGRES);
            assertThat(c.property()).isEqualTo("access_level");
        });
    }

    @Test
    void shouldLetAPersonDecideAManualColumn() {
        ReverseDecisions manual = new ReverseDecisions(ReverseFixtures.catalog(
                ReverseFixtures.contentWith("    reverse: {conflicts: {title: manual}}\n")));
        NodeUpdated edit = titleEdit(4, "old", "graph title");
        RowRef ref = manual.rowsOf(edit).get(0);

        Decision decision = manual.decide(new GraphEdit(7, LATE, List.of(edit)), edit,
                Map.of(ref, ReverseFixtures.contentState(1, "postgres title", "project", 5, 2, EARLY)));

        assertThat(onlyUpdate(decision).columns()).isEmpty();
        assertThat(decision.conflicts()).singleElement().extracting(ConflictRecord::decision).isEqualTo(Side.WAITING);
    }

    @Test
    void shouldDoNothingForAnEditTheRowHasAlreadySeen() {
        Decision decision = decide(LATE, titleEdit(4, "old", "new"), ReverseFixtures.contentState(1, "new", "project", 5, 3, LATE));

        assertThat(decision.writes()).isEmpty();
        assertThat(decision.conflicts()).isEmpty();
    }

    @Test
    void shouldNotBringBackARowPostgresDeleted() {
        Decision decision = decide(LATE, titleEdit(4, "old", "new"), null);

        assertThat(decision.writes()).isEmpty();
        assertThat(decision.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.EXISTENCE);
            assertThat(c.decision()).isEqualTo(Side.POSTGRES);
        });
    }

    @Test
    void shouldIgnorePropertiesThatDoNotFlowBack() {
        ReverseDecisions decisions = new ReverseDecisions(ReverseFixtures.catalog(
                ReverseFixtures.contentWith("    reverse: {toGraphOnly: [view_count]}\n")));
        NodeUpdated edit = new NodeUpdated("ContentItem", uuid(1), "4:abc:1", 4L, 2, 3, Map.of(
                "relevanceWeight", new PropertyChange(0.1, 0.9),
                "viewCount", new PropertyChange(3L, 99L),
                "body", new PropertyChange(null, "not a property"),
                "pgVersion", new PropertyChange(4L, 40L),
                "title", new PropertyChange("old", "new")));
        RowRef ref = decisions.rowsOf(edit).get(0);

        Decision decision = decisions.decide(new GraphEdit(7, LATE, List.of(edit)), edit,
                Map.of(ref, ReverseFixtures.contentState(1, "old", "project", 4, 2, EARLY)));

        assertThat(onlyUpdate(decision).columns()).containsExactly(Map.entry("title", "new"));
    }

    @Test
    void shouldCompareTimesAndNumbersAsTheGraphHoldsThem() {
        NodeUpdated sameInstant = new NodeUpdated("ContentItem", uuid(1), "4:abc:1", 4L, 2, 3, Map.of(
                "createdAt", new PropertyChange("2026-01-01T08:00:00Z", "2026-01-01T10:00:00+02:00"),
                "viewCount", new PropertyChange(2L, 3L)));

        Decision decision = decide(LATE, sameInstant, ReverseFixtures.contentState(1, "t", "project", 4, 2, EARLY));

        assertThat(onlyUpdate(decision).columns()).as("both are the row's values already").isEmpty();
    }

    @Test
    void shouldInsertANodeCreatedInTheGraphWithItsKeyCrossReferenceAndGraphVersion() {
        NodeCreated created = new NodeCreated("ContentItem", "4:abc:77", uuid(77), 1,
                Map.of("title", "made in the graph", "tenantId", uuid(900), "relevanceWeight", 0.5));

        Decision decision = decide(LATE, created, null);

        assertThat(decision.writes()).singleElement().isInstanceOfSatisfying(RowWrite.Insert.class, insert -> {
            assertThat(insert.table()).isEqualTo(CONTENT);
            assertThat(insert.columns()).containsEntry("id", uuid(77)).containsEntry("title", "made in the graph")
                    .containsEntry("tenant_id", uuid(900)).doesNotContainKey("relevance_weight").hasSize(3);
            assertThat(insert.crossReference()).isEqualTo("4:abc:77");
            assertThat(insert.graphVersion()).isEqualTo(1L);
        });
    }

    @Test
    void shouldLetTheRowStandWhenANodeIsCreatedWithAKeyThatHasOne() {
        NodeCreated created = new NodeCreated("ContentItem", "4:abc:1", uuid(1), 1, Map.of("title", "other"));

        Decision decision = decide(LATE, created, ReverseFixtures.contentState(1, "t", "project", 4, 2, EARLY));

        assertThat(onlyUpdate(decision).columns()).isEmpty();
        assertThat(decision.conflicts()).singleElement().extracting(ConflictRecord::kind).isEqualTo(Kind.EXISTENCE);
    }

    @Test
    void shouldDeleteTheRowOfANodeDeletedInTheGraphWhereTheMappingAllowsIt() {
        ReverseDecisions deleting = new ReverseDecisions(ReverseFixtures.catalog(
                ReverseFixtures.contentWith("    reverse: {onDelete: delete}\n")));
        NodeDeleted deleted = new NodeDeleted("ContentItem", uuid(1), "4:abc:1", 4L, 2);
        RowRef ref = deleting.rowsOf(deleted).get(0);

        Decision clean = deleting.decide(new GraphEdit(7, LATE, List.of(deleted)), deleted,
                Map.of(ref, ReverseFixtures.contentState(1, "t", "project", 4, 2, EARLY)));
        assertThat(clean.writes()).singleElement().isInstanceOf(RowWrite.Delete.class);

        Decision postgresLater = deleting.decide(new GraphEdit(7, EARLY, List.of(deleted)), deleted,
                Map.of(ref, ReverseFixtures.contentState(1, "t", "project", 5, 2, LATE)));
        assertThat(onlyUpdate(postgresLater).columns()).as("the row stays, bumped so the node comes back").isEmpty();
        assertThat(postgresLater.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.DELETE);
            assertThat(c.decision()).isEqualTo(Side.POSTGRES);
        });

        Decision refusedByDefault = decisions.decide(new GraphEdit(7, LATE, List.of(deleted)), deleted,
                Map.of(ref, ReverseFixtures.contentState(1, "t", "project", 4, 2, EARLY)));
        assertThat(onlyUpdate(refusedByDefault).columns()).isEmpty();
        assertThat(refusedByDefault.conflicts()).singleElement().extracting(ConflictRecord::kind).isEqualTo(Kind.EXISTENCE);
    }

    @Test
    void shouldWriteAnIncludesEditAsOneRowUpdateAndNothingWhenItChangesNothing() {
        RelationshipUpdated edit = new RelationshipUpdated("INCLUDES", uuid(5001), uuid(1), 2L,
                Map.of("relevanceScore", new PropertyChange(0.5, 0.9)));
        RowState row = new RowState(ReverseFixtures.includesRow(5001, 1, 0.5, 1, 2), 2, null, EARLY);

        Decision decision = decide(LATE, edit, row);
        RowWrite.Update update = onlyUpdate(decision);
        assertThat(update.row().table()).isEqualTo(THREAD_CONTENT);
        assertThat(update.row().key()).containsExactly(Map.entry("thread_id", uuid(5001)), Map.entry("content_id", uuid(1)));
        assertThat(update.columns()).containsExactly(Map.entry("relevance_score", 0.9));
        assertThat(update.graphVersion()).isNull();

        RowState already = new RowState(ReverseFixtures.includesRow(5001, 1, 0.9, 1, 3), 3, null, LATE);
        assertThat(decide(LATE, edit, already).writes()).as("no UPDATE, so no second INCLUDES version").isEmpty();
    }

    @Test
    void shouldInsertDeleteAndMergeTaggedWithRows() {
        RelationshipCreated created = new RelationshipCreated("TAGGED_WITH", uuid(1), uuid(300), Map.of("weight", 0.25));
        Decision insert = decide(LATE, created, null);
        assertThat(insert.writes()).singleElement().isInstanceOfSatisfying(RowWrite.Insert.class, i -> {
            assertThat(i.table()).isEqualTo(CONTENT_TAGS);
            assertThat(i.columns()).containsEntry("content_id", uuid(1)).containsEntry("tag_id", uuid(300)).containsEntry("weight", 0.25);
        });

        RowState existing = new RowState(ReverseFixtures.taggedRow(1, 300, 0.75f, 1), 1, null, EARLY);
        Decision both = decide(LATE, created, existing);
        assertThat(onlyUpdate(both).columns()).containsExactly(Map.entry("weight", 0.25));
        assertThat(both.conflicts()).singleElement().extracting(ConflictRecord::decision).isEqualTo(Side.GRAPH);

        RelationshipDeleted deleted = new RelationshipDeleted("TAGGED_WITH", uuid(1), uuid(300), 1L);
        assertThat(decide(LATE, deleted, existing).writes()).singleElement().isInstanceOf(RowWrite.Delete.class);
        assertThat(decide(LATE, deleted, null).writes()).isEmpty();
    }

    @Test
    void shouldBumpTheRowAndLogWhenPostgresRefusesTheGraphsChange() {
        NodeUpdated edit = new NodeUpdated("ContentItem", uuid(1), "4:abc:1", 4L, 2, 3, Map.of("title", new PropertyChange("old", null)));
        RowRef ref = decisions.rowsOf(edit).get(0);

        Decision decision = decisions.refused(new GraphEdit(7, LATE, List.of(edit)), edit,
                Map.of(ref, ReverseFixtures.contentState(1, "old", "project", 4, 2, EARLY)),
                SyncException.rejected("null value in column \"title\" violates not-null constraint", null));

        RowWrite.Update update = onlyUpdate(decision);
        assertThat(update.columns()).isEmpty();
        assertThat(update.graphVersion()).isEqualTo(3L);
        assertThat(decision.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.REFUSED);
            assertThat(c.reason()).contains("not-null");
        });
    }

    @Test
    void shouldListWhatFlowsBackFromTheMapping() {
        ReverseCatalog catalog = ReverseFixtures.builtIn();

        assertThat(catalog.node("ContentItem").orElseThrow().properties()).containsExactly("tenantId", "projectId", "title", "contentType",
                "metadata", "accessLevel", "viewCount", "createdAt", "updatedAt");
        assertThat(catalog.node("Message").orElseThrow().properties()).as("a link column is a relationship, not a property")
                .doesNotContain("threadId", "body");
        assertThat(catalog.node("ContentItem").orElseThrow().graphVersionProperty()).isEqualTo("neo4jVersion");
        assertThat(catalog.relationship("INCLUDES").orElseThrow().properties()).containsExactly("relevanceScore", "position", "addedAt");
        assertThat(catalog.relationship("TAGGED_WITH").orElseThrow().properties()).containsExactly("weight", "createdAt");
        assertThat(ReverseFixtures.catalog(ReverseFixtures.contentWith("    reverse: {enabled: false}\n")).node("ContentItem")).isEmpty();
    }
}
