package io.nexussync.core.acknowledge;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the transaction log says of a batch ({@link BatchSummary}) and of one failed change ({@link LoggedEntity}). */
class TransactionLogEntriesTest {
    private static final Mapping MAPPING = MappingLoader.builtIn();
    private static final TableId CONTENT_ITEMS = TableId.parse("content_items");
    private static final TableId THREADS = TableId.parse("threads");
    private static final TableId THREAD_CONTENT = TableId.parse("thread_content");
    private static final TableId CONTENT_TAGS = TableId.parse("content_tags");
    private static final String C1 = "00000000-0000-0000-0000-0000000000c1";
    private static final String C2 = "00000000-0000-0000-0000-0000000000c2";
    private static final String T1 = "00000000-0000-0000-0000-0000000000a1";
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void shouldCountABatchsChangesByTableAndKindAndItsGraphWritesByLabelAndKind() {
        List<SourceChange> changes = List.of(
                change(new RowChange.Insert(CONTENT_ITEMS, contentItem(C1, "one", null))),
                change(new RowChange.Insert(CONTENT_ITEMS, contentItem(C2, "two", null))),
                change(new RowChange.Update(THREADS, null, thread(T1))),
                change(new RowChange.Insert(THREAD_CONTENT, threadContent(T1, C1))),
                change(new RowChange.Delete(CONTENT_TAGS, row("content_id", C2, "tag_id", T1))));

        BatchSummary summary = BatchSummary.of(changes, new GraphPlanner(MAPPING).plan(changes));

        assertThat(summary.changes()).isEqualTo(Map.of(
                "public.content_items", Map.of("insert", 2),
                "public.threads", Map.of("update", 1),
                "public.thread_content", Map.of("insert", 1),
                "public.content_tags", Map.of("delete", 1)));
        assertThat(summary.graph()).containsEntry("ContentItem", Map.of("upsert", 2)).containsEntry("Thread", Map.of("upsert", 1))
                .containsEntry("INCLUDES", Map.of("version", 1)).containsEntry("TAGGED_WITH", Map.of("delete", 1));
        assertThat(BatchSummary.of(changes, null).graph()).as("without a plan: the changes only").isEmpty();
        assertThat(summary.withIsolation(1, 2)).satisfies(s -> {
            assertThat(s.deadLettered()).isEqualTo(1);
            assertThat(s.parked()).isEqualTo(2);
            assertThat(s.changes()).isEqualTo(summary.changes());
        });
    }

    @Test
    void shouldNameANodeRowInBothSystemsWithTheChangeTheGraphWouldGetAndNoPgOnlyColumn() {
        Map<String, Object> row = contentItem(C1, "one", "4:abc:17");
        LoggedEntity entity = LoggedEntity.of(MAPPING, new RowChange.Update(CONTENT_ITEMS, null, row));

        assertThat(entity.operation()).isEqualTo("update");
        assertThat(entity.table()).isEqualTo("public.content_items");
        assertThat(entity.key()).isEqualTo(C1);
        assertThat(entity.graphType()).isEqualTo("ContentItem");
        assertThat(entity.graphId()).isEqualTo(C1);
        assertThat(entity.elementId()).as("the row's cross-reference").isEqualTo("4:abc:17");
        assertThat(entity.change()).contains("\"title\":\"one\"").contains("\"key\":{\"id\":\"" + C1 + "\"}")
                .as("PG-only columns (body, created_by) and the cross-reference stay out")
                .doesNotContain("a secret body").doesNotContain("user-1").doesNotContain("4:abc:17");
    }

    @Test
    void shouldNameAJoinRowByItsTypeAndPairAndCallItsDeleteAClosingOfTheTemporalRelationship() {
        LoggedEntity deleted = LoggedEntity.of(MAPPING, new RowChange.Delete(THREAD_CONTENT, row("thread_id", T1, "content_id", C1)));
        assertThat(deleted.operation()).isEqualTo("relationship close");
        assertThat(deleted.key()).isEqualTo(T1 + "," + C1);
        assertThat(deleted.graphType()).isEqualTo("INCLUDES");
        assertThat(deleted.graphId()).isEqualTo("(" + T1 + ")->(" + C1 + ")");
        assertThat(deleted.elementId()).isNull();

        assertThat(LoggedEntity.of(MAPPING, new RowChange.Insert(THREAD_CONTENT, threadContent(T1, C1))).operation()).isEqualTo("relationship upsert");
        assertThat(LoggedEntity.of(MAPPING, new RowChange.Delete(CONTENT_TAGS, row("content_id", C1, "tag_id", T1))).operation())
                .isEqualTo("relationship delete");
    }

    @Test
    void shouldKeepTheSerialisedChangeBounded() {
        Map<String, Object> row = contentItem(C1, "x".repeat(10_000), null);
        row.put("metadata", new JsonText("{\"k\":\"" + "y".repeat(10_000) + "\"}"));
        String change = LoggedEntity.of(MAPPING, new RowChange.Insert(CONTENT_ITEMS, row)).change();
        assertThat(change.length()).isLessThanOrEqualTo(LoggedEntity.MAX_CHANGE_CHARS);
        assertThat(change).contains("characters)");

        Map<String, Object> wide = contentItem(C1, "t", null);
        for (int i = 0; i < 40; i++) {
            wide.put("title", "z".repeat(200));
            wide.put("extra_" + i, "w".repeat(200));
        }
        String cut = LoggedEntity.of(MAPPING, new RowChange.Insert(CONTENT_ITEMS, wide)).change();
        assertThat(cut.length()).isLessThanOrEqualTo(LoggedEntity.MAX_CHANGE_CHARS);
        assertThat(cut).contains("left out").contains(C1);
    }

    private static SourceChange change(RowChange change) {
        return new SourceChange(change, Lsn.valueOf("0/10"), T0);
    }

    private static Map<String, Object> contentItem(String id, String title, String elementId) {
        return row("id", id, "tenant_id", "tenant-1", "project_id", "project-1", "title", title, "body", "a secret body",
                "content_type", "document", "metadata", new JsonText("{}"), "access_level", "project",
                "view_count", 0L, "created_by", "user-1", "created_at", T0, "updated_at", T0,
                "neo4j_node_id", elementId, "pg_version", 1L, "neo4j_version", 0L);
    }

    private static Map<String, Object> thread(String id) {
        return row("id", id, "tenant_id", "tenant-1", "project_id", "project-1", "title", "thread", "status", "open",
                "created_by", "user-1", "created_at", T0, "updated_at", T0, "neo4j_node_id", null, "pg_version", 2L, "neo4j_version", 0L);
    }

    private static Map<String, Object> threadContent(String threadId, String contentId) {
        return row("thread_id", threadId, "content_id", contentId, "relevance_score", 0.5, "position", 1, "added_at", T0, "pg_version", 1L);
    }

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }
}
