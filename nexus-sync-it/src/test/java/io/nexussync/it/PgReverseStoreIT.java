package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.ConflictRule;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.ConflictLog.LoggedConflict;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.reverse.ConflictRecord.Kind;
import io.nexussync.core.reverse.ConflictRecord.Side;
import io.nexussync.core.reverse.Decision;
import io.nexussync.core.reverse.EditDecider;
import io.nexussync.core.reverse.EntityEdit;
import io.nexussync.core.reverse.EntityEdit.NodeCreated;
import io.nexussync.core.reverse.EntityEdit.NodeDeleted;
import io.nexussync.core.reverse.EntityEdit.NodeUpdated;
import io.nexussync.core.reverse.EntityEdit.RelationshipCreated;
import io.nexussync.core.reverse.EntityEdit.RelationshipDeleted;
import io.nexussync.core.reverse.EntityEdit.RelationshipUpdated;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.PropertyChange;
import io.nexussync.core.reverse.ReverseBatch;
import io.nexussync.core.reverse.ReverseCatalog;
import io.nexussync.core.reverse.ReverseDecisions;
import io.nexussync.core.reverse.RowRef;
import io.nexussync.core.reverse.RowState;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.catalog.Catalog;
import io.nexussync.postgres.catalog.CatalogReader;
import io.nexussync.postgres.reverse.PgConflictLog;
import io.nexussync.postgres.reverse.PgReverseStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The reverse applier's PostgreSQL side on the real server, with the contract schema and the real decisions
 * ({@link ReverseDecisions} over the built-in mapping and the catalog's columns): graph edits reach the rows with one
 * version bump each, concurrent changes merge or are settled by their rule and logged with both sides, a write
 * PostgreSQL refuses costs its edit only, each outbox entry is applied once, a batch is one transaction, and a person
 * resolves what waits for one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PgReverseStoreIT {
    private static final TableId CONTENT_ITEMS = new TableId("public", "content_items");
    private static final TableId THREAD_CONTENT = new TableId("public", "thread_content");
    private static final TableId NUMBERED = new TableId("public", "numbered");
    private static final String ITEM = "ContentItem";
    private static final AtomicLong SEQ = new AtomicLong();

    private SyncEnvironment env;
    private Mapping contract;
    private Catalog catalog;
    private PgConnectionSource connections;
    private ReverseDecisions decisions;
    private PgReverseStore store;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("reverse_store");
        env.setup();
        env.sql("CREATE TABLE numbered (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)");
        contract = MappingLoader.builtIn();
        catalog = CatalogReader.read(env.config().postgres(), List.of("public"));
        connections = PgConnectionSource.direct(env.config().postgres(), "reverse-store-test");
        decisions = decisions(contract);
        store = new PgReverseStore(connections, contract, "reverse_store_slot");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldWriteACleanEditWithOneBumpAndTheEditsGraphVersion() throws Exception {
        UUID id = item("before");

        ReverseBatch batch = store.apply(List.of(entry(Instant.now(), titleEdit(id, 1, 0, 1, "before", "after"))), decisions, true);

        assertThat(batch.appliedEntries()).isEqualTo(1);
        assertThat(batch.appliedByEntity()).isEqualTo(Map.of(ITEM, 1));
        assertThat(batch.conflicts()).isEmpty();
        assertThat(row(id)).containsEntry("title", "after").containsEntry("pg_version", 2L).containsEntry("neo4j_version", 1L);

        // The graph shows what the row holds already: only the graph version changes, and the row is bumped all the same
        // (the version trigger would not: no data column changed).
        store.apply(List.of(entry(Instant.now(), titleEdit(id, 2, 1, 2, "before", "after"))), decisions, true);
        assertThat(row(id)).containsEntry("title", "after").containsEntry("pg_version", 3L).containsEntry("neo4j_version", 2L);

        // Two data columns in one edit: one bump; the same row again in a later entry of the same batch: one more, so that the
        // stream, which writes a node only from a newer row version, does not drop the second UPDATE.
        NodeUpdated two = new NodeUpdated(ITEM, id.toString(), "4:db:1", 3L, 2, 3,
                Map.of("title", new PropertyChange("after", "again"), "contentType", new PropertyChange("document", "note")));
        NodeUpdated later = new NodeUpdated(ITEM, id.toString(), "4:db:1", 3L, 3, 4, Map.of("viewCount", new PropertyChange(0L, 7L)));
        batch = store.apply(List.of(entry(Instant.now(), two), entry(Instant.now(), later)), decisions, true);
        assertThat(batch.appliedEntries()).isEqualTo(2);
        assertThat(row(id)).containsEntry("title", "again").containsEntry("content_type", "note").containsEntry("view_count", 7L)
                .containsEntry("pg_version", 5L).containsEntry("neo4j_version", 4L);
    }

    @Test
    void shouldMergeAnEditWithAChangeOfAnotherColumnMadeMeanwhile() throws Exception {
        UUID id = item("merge me");
        env.sql("UPDATE content_items SET content_type = 'note' WHERE id = ?", id);

        ReverseBatch batch = store.apply(List.of(entry(Instant.now(), titleEdit(id, 1, 0, 1, "merge me", "merged"))), decisions, true);

        assertThat(batch.conflicts()).isEmpty();
        assertThat(row(id)).containsEntry("title", "merged").containsEntry("content_type", "note").containsEntry("pg_version", 3L)
                .containsEntry("neo4j_version", 1L);
    }

    @Test
    void shouldSettleAChangeOfTheSameColumnByTheLaterCommitAndLogBothSides() throws Exception {
        UUID graphLater = item("base");
        env.sql("UPDATE content_items SET title = 'postgres' WHERE id = ?", graphLater);
        Instant rowCommitted = committedAt(graphLater);
        GraphEdit later = entry(rowCommitted.plusSeconds(60), titleEdit(graphLater, 1, 0, 1, "base", "graph"));

        ReverseBatch batch = store.apply(List.of(later), decisions, true);

        assertThat(row(graphLater)).containsEntry("title", "graph").containsEntry("pg_version", 3L).containsEntry("neo4j_version", 1L);
        ConflictRecord record = batch.conflicts().get(0);
        assertThat(record.decision()).isEqualTo(Side.GRAPH);
        Map<String, Object> logged = conflictRow(graphLater, "title");
        assertThat(logged).containsEntry("table_name", "public.content_items").containsEntry("entity_key", graphLater.toString())
                .containsEntry("entity", ITEM).containsEntry("kind", "property").containsEntry("rule", "last-writer-wins")
                .containsEntry("decision", "graph").containsEntry("status", "settled").containsEntry("postgres_value", "postgres")
                .containsEntry("graph_value", "graph").containsEntry("postgres_pg_version", 2L).containsEntry("postgres_neo4j_version", 0L)
                .containsEntry("graph_pg_version", 1L).containsEntry("graph_neo4j_version", 1L).containsEntry("outbox_seq", later.seq())
                .containsEntry("row_key", "{\"id\": \"" + graphLater + "\"}");
        assertThat(((Timestamp) logged.get("postgres_committed_at")).toInstant()).isEqualTo(rowCommitted);
        assertThat(((Timestamp) logged.get("graph_committed_at")).toInstant()).isEqualTo(later.committedAt());

        UUID postgresLater = item("base");
        env.sql("UPDATE content_items SET title = 'postgres' WHERE id = ?", postgresLater);
        GraphEdit earlier = entry(committedAt(postgresLater).minusSeconds(60), titleEdit(postgresLater, 1, 0, 1, "base", "graph"));

        batch = store.apply(List.of(earlier), decisions, true);

        assertThat(batch.conflicts()).extracting(ConflictRecord::decision).containsExactly(Side.POSTGRES);
        assertThat(row(postgresLater)).as("PostgreSQL's value stays, and the bump brings it back to the graph")
                .containsEntry("title", "postgres").containsEntry("pg_version", 3L).containsEntry("neo4j_version", 1L);
        assertThat(conflictRow(postgresLater, "title")).containsEntry("decision", "postgres").containsEntry("postgres_value", "postgres")
                .containsEntry("graph_value", "graph");
    }

    @Test
    void shouldKeepPostgresqlsAccessLevelWhateverCommittedLater() throws Exception {
        UUID id = item("secured");
        env.sql("UPDATE content_items SET access_level = 'tenant' WHERE id = ?", id);
        NodeUpdated open = new NodeUpdated(ITEM, id.toString(), "4:db:2", 1L, 0, 1, Map.of("accessLevel", new PropertyChange("project", "public")));

        ReverseBatch batch = store.apply(List.of(entry(committedAt(id).plusSeconds(3600), open)), decisions, true);

        assertThat(row(id)).containsEntry("access_level", "tenant").containsEntry("pg_version", 3L).containsEntry("neo4j_version", 1L);
        assertThat(batch.conflicts()).singleElement().satisfies(record -> {
            assertThat(record.rule()).isEqualTo(ConflictRule.POSTGRES_WINS);
            assertThat(record.decision()).isEqualTo(Side.POSTGRES);
        });
        assertThat(conflictRow(id, "access_level")).containsEntry("rule", "postgres-wins").containsEntry("postgres_value", "tenant")
                .containsEntry("graph_value", "public").containsEntry("postgres_pg_version", 2L).containsEntry("graph_neo4j_version", 1L);
    }

    @Test
    void shouldMakeNoRowForAnEditOfARowDeletedMeanwhile() throws Exception {
        UUID id = item("doomed");
        env.sql("DELETE FROM content_items WHERE id = ?", id);

        ReverseBatch batch = store.apply(List.of(entry(Instant.now(), titleEdit(id, 1, 0, 1, "doomed", "edited"))), decisions, true);

        assertThat(env.query("SELECT 1 FROM content_items WHERE id = ?", id)).isEmpty();
        assertThat(batch.appliedByEntity()).isEmpty();
        assertThat(batch.conflicts()).singleElement().satisfies(record -> {
            assertThat(record.kind()).isEqualTo(Kind.EXISTENCE);
            assertThat(record.decision()).isEqualTo(Side.POSTGRES);
        });
    }

    @Test
    void shouldRefuseAWriteForItsDataUnderItsSavepointOnlyAndShowTheRowAgain() throws Exception {
        UUID first = item("a");
        UUID refused = item("b");
        UUID third = item("c");
        NodeUpdated titleRemoved = new NodeUpdated(ITEM, refused.toString(), "4:db:3", 1L, 0, 1, mapOf("title", new PropertyChange("b", null)));
        GraphEdit refusedEntry = entry(Instant.now(), titleRemoved);

        ReverseBatch batch = store.apply(List.of(entry(Instant.now(), titleEdit(first, 1, 0, 1, "a", "a2")), refusedEntry,
                entry(Instant.now(), titleEdit(third, 1, 0, 1, "c", "c2"))), decisions, true);

        assertThat(batch.appliedEntries()).isEqualTo(3);
        assertThat(row(first)).containsEntry("title", "a2").containsEntry("pg_version", 2L);
        assertThat(row(third)).containsEntry("title", "c2").containsEntry("pg_version", 2L);
        assertThat(row(refused)).as("the row as it was, bumped so that the graph shows it again")
                .containsEntry("title", "b").containsEntry("pg_version", 2L).containsEntry("neo4j_version", 1L);
        assertThat(batch.conflicts()).singleElement().satisfies(record -> {
            assertThat(record.kind()).isEqualTo(Kind.REFUSED);
            assertThat(record.reason()).contains("23502");
        });
        assertThat(conflictRow(refused, null)).containsEntry("kind", "refused").containsEntry("decision", "postgres")
                .containsEntry("outbox_seq", refusedEntry.seq());
    }

    @Test
    void shouldInsertANodeMadeInTheGraphUnderPostgresqlsKeyWithItsElementIdAndGraphVersion() throws Exception {
        String key = store.newKey(CONTENT_ITEMS, "id");
        assertThat(UUID.fromString(key).toString()).isEqualTo(key);
        UUID tenant = UUID.randomUUID();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("title", "made in the graph");
        properties.put("tenantId", tenant.toString());
        properties.put("projectId", UUID.randomUUID().toString());
        properties.put("viewCount", 5L);
        properties.put("metadata", "{\"source\": \"graph\"}");
        properties.put("createdAt", "2026-01-02T03:04:05.123Z");

        ReverseBatch batch = store.apply(List.of(entry(Instant.now(), new NodeCreated(ITEM, "4:db:77", key, 1, properties))), decisions, true);

        assertThat(batch.appliedByEntity()).isEqualTo(Map.of(ITEM, 1));
        Map<String, Object> row = env.query("SELECT title, tenant_id, view_count, metadata::text AS metadata, created_at, content_type, "
                + "neo4j_node_id, neo4j_version, pg_version FROM content_items WHERE id = ?::uuid", key).get(0);
        assertThat(row).containsEntry("title", "made in the graph").containsEntry("tenant_id", tenant).containsEntry("view_count", 5L)
                .containsEntry("metadata", "{\"source\": \"graph\"}").containsEntry("content_type", "document")
                .containsEntry("neo4j_node_id", "4:db:77").containsEntry("neo4j_version", 1L).containsEntry("pg_version", 1L);
        assertThat(((Timestamp) row.get("created_at")).toInstant()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123Z"));

        assertThat(store.newKey(NUMBERED, "id")).as("an identity column's next value").isEqualTo("1");
        assertThat(store.newKey(NUMBERED, "id")).isEqualTo("2");
        assertThatThrownBy(() -> store.newKey(THREAD_CONTENT, "position")).isInstanceOfSatisfying(SyncException.class, e -> {
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains("has no default", "created in the graph must carry their key");
        });
    }

    @Test
    void shouldCreateUpdateAndDeleteJoinRowsAndRefuseOneWhoseEndIsNoRow() throws Exception {
        UUID item = item("tagged");
        UUID tag = tag("graph-made");
        String from = item.toString();
        String to = tag.toString();

        store.apply(List.of(entry(Instant.now(), new RelationshipCreated("TAGGED_WITH", from, to, Map.of("weight", 0.5)))), decisions, true);
        assertThat(tagRow(item, tag)).containsEntry("weight", 0.5f).containsEntry("pg_version", 1L);

        ReverseBatch batch = store.apply(List.of(entry(Instant.now(),
                new RelationshipUpdated("TAGGED_WITH", from, to, 1L, Map.of("weight", new PropertyChange(0.5, 0.75))))), decisions, true);
        assertThat(batch.appliedByEntity()).isEqualTo(Map.of("TAGGED_WITH", 1));
        assertThat(tagRow(item, tag)).containsEntry("weight", 0.75f).containsEntry("pg_version", 2L);

        store.apply(List.of(entry(Instant.now(), new RelationshipDeleted("TAGGED_WITH", from, to, 2L))), decisions, true);
        assertThat(env.query("SELECT 1 FROM content_tags WHERE content_id = ? AND tag_id = ?", item, tag)).isEmpty();

        UUID noTag = UUID.randomUUID();
        batch = store.apply(List.of(entry(Instant.now(), new RelationshipCreated("TAGGED_WITH", from, noTag.toString(), Map.of("weight", 1.0)))),
                decisions, true);
        assertThat(env.query("SELECT 1 FROM content_tags WHERE content_id = ?", item)).isEmpty();
        assertThat(batch.conflicts()).singleElement().satisfies(record -> {
            assertThat(record.kind()).isEqualTo(Kind.REFUSED);
            assertThat(record.entity()).isEqualTo("TAGGED_WITH");
            assertThat(record.reason()).contains("23503");
        });
        assertThat(store.existing(List.of(tagRef(item, tag), tagRef(item, noTag)))).isEmpty();
    }

    @Test
    void shouldApplyEachEntryOnceWhateverIsAppliedAgain() throws Exception {
        PgReverseStore positioned = new PgReverseStore(connections, contract, "position_test");
        UUID a = item("a");
        UUID b = item("b");
        env.sql("UPDATE content_items SET access_level = 'tenant' WHERE id = ?", b);
        NodeUpdated conflicting = new NodeUpdated(ITEM, b.toString(), "4:db:5", 1L, 0, 1, Map.of("accessLevel", new PropertyChange("project", "public")));
        List<GraphEdit> entries = List.of(new GraphEdit(1, Instant.now(), List.of(titleEdit(a, 1, 0, 1, "a", "a1"))),
                new GraphEdit(2, Instant.now(), List.of(conflicting)),
                new GraphEdit(3, Instant.now(), List.of(titleEdit(a, 1, 1, 2, "a1", "a2"))));

        ReverseBatch first = positioned.apply(entries, decisions, true);
        assertThat(first.appliedEntries()).isEqualTo(3);
        assertThat(positioned.appliedThrough()).isEqualTo(3);
        Map<String, Object> rowA = row(a);
        Map<String, Object> rowB = row(b);
        long conflicts = conflictCount();

        ReverseBatch again = positioned.apply(entries, decisions, true);
        assertThat(again.appliedEntries()).isZero();
        assertThat(row(a)).isEqualTo(rowA);
        assertThat(row(b)).isEqualTo(rowB);
        assertThat(conflictCount()).isEqualTo(conflicts);

        ReverseBatch overlapping = positioned.apply(List.of(entries.get(2), new GraphEdit(4, Instant.now(), List.of(titleEdit(a, 2, 2, 3, "a2", "a3")))),
                decisions, true);
        assertThat(overlapping.appliedEntries()).isEqualTo(1);
        assertThat(row(a)).as("a at 1, two UPDATEs in the first batch, one now").containsEntry("title", "a3").containsEntry("pg_version", 4L)
                .containsEntry("neo4j_version", 3L);
        assertThat(positioned.appliedThrough()).isEqualTo(4);
        assertThat(new PgReverseStore(connections, contract, "never_applied").appliedThrough()).as("each graph has a position of its own").isZero();
    }

    @Test
    void shouldApplyABatchOfAHundredEntriesAsOneTransaction() throws Exception {
        PgReverseStore atomic = new PgReverseStore(connections, contract, "atomic_test");
        List<UUID> ids = new ArrayList<>();
        List<GraphEdit> entries = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            UUID id = item("t" + i);
            ids.add(id);
            entries.add(new GraphEdit(i, Instant.now(), List.of(titleEdit(id, 1, 0, 1, "t" + i, "edited " + i))));
        }
        String last = ids.get(99).toString();
        EditDecider failingOnTheLast = new EditDecider() {
            @Override
            public List<RowRef> rowsOf(EntityEdit edit) {
                return decisions.rowsOf(edit);
            }

            @Override
            public Decision decide(GraphEdit entry, EntityEdit edit, Map<RowRef, RowState> rows) {
                if (((NodeUpdated) edit).id().equals(last)) {
                    throw new IllegalStateException("injected failure on the last entry");
                }
                return decisions.decide(entry, edit, rows);
            }

            @Override
            public Decision refused(GraphEdit entry, EntityEdit edit, Map<RowRef, RowState> rows, SyncException error) {
                return decisions.refused(entry, edit, rows, error);
            }
        };

        assertThatThrownBy(() -> atomic.apply(entries, failingOnTheLast, true)).hasMessageContaining("injected failure");
        assertThat(env.query("SELECT count(*) AS n FROM content_items WHERE id = ANY (CAST(? AS uuid[])) AND (title LIKE 'edited %' OR pg_version <> 1)",
                (Object) texts(ids)).get(0)).containsEntry("n", 0L);
        assertThat(atomic.appliedThrough()).isZero();

        ReverseBatch batch = atomic.apply(entries, decisions, true);
        assertThat(batch.appliedEntries()).isEqualTo(100);
        assertThat(batch.appliedByEntity()).isEqualTo(Map.of(ITEM, 100));
        assertThat(env.query("SELECT count(*) AS n FROM content_items WHERE id = ANY (CAST(? AS uuid[])) AND title LIKE 'edited %' AND pg_version = 2",
                (Object) texts(ids)).get(0)).containsEntry("n", 100L);
        assertThat(atomic.appliedThrough()).isEqualTo(100);
    }

    @Test
    void shouldTellWhichRowsExistAndTheirGraphVersionsInOneReadPerTable() throws Exception {
        UUID a = item("exists");
        UUID gone = UUID.randomUUID();
        env.sql("UPDATE content_items SET neo4j_version = 5 WHERE id = ?", a);
        RowRef present = itemRef(a.toString());
        RowRef missing = itemRef(gone.toString());
        RowRef notAUuid = itemRef("not-a-uuid");
        RowRef upperCase = itemRef(a.toString().toUpperCase());

        assertThat(store.existing(List.of(present, missing, notAUuid, upperCase))).containsExactlyInAnyOrder(present, upperCase);
        assertThat(store.graphVersions(List.of(present, missing, notAUuid))).isEqualTo(Map.of(present, 5L));
    }

    @Test
    void shouldTakeAnEditWhoseKeyIsNoValueOfTheKeyTypeAsAnEditOfNoRow() throws Exception {
        UUID other = item("next to a bad key");
        NodeUpdated badKey = new NodeUpdated(ITEM, "not-a-uuid", "4:db:9", 1L, 0, 1, Map.of("title", new PropertyChange("x", "y")));

        ReverseBatch batch = store.apply(List.of(entry(Instant.now(), badKey), entry(Instant.now(), titleEdit(other, 1, 0, 1, "next to a bad key", "fine"))),
                decisions, true);

        assertThat(batch.appliedEntries()).isEqualTo(2);
        assertThat(batch.conflicts()).extracting(ConflictRecord::kind).containsExactly(Kind.EXISTENCE);
        assertThat(row(other)).containsEntry("title", "fine").containsEntry("pg_version", 2L);
    }

    @Test
    void shouldLetAPersonResolveAConflictThatWaitsEitherWay() throws Exception {
        Mapping manual = manualMapping();
        ReverseDecisions manualDecisions = decisions(manual);
        PgReverseStore manualStore = new PgReverseStore(connections, manual, "manual_test");
        PgConflictLog log = new PgConflictLog(connections);
        long openBefore = log.openCount();

        UUID takeGraph = item("base");
        UUID takePostgres = item("base");
        env.sql("UPDATE content_items SET title = 'postgres' WHERE id IN (?, ?)", takeGraph, takePostgres);
        UUID thread = UUID.randomUUID();
        env.sql("INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'thread')", thread, UUID.randomUUID(), UUID.randomUUID());
        env.sql("UPDATE threads SET title = 'renamed' WHERE id = ?", thread);
        manualStore.apply(List.of(entry(Instant.now(), titleEdit(takeGraph, 1, 0, 1, "base", "graph")),
                entry(Instant.now(), titleEdit(takePostgres, 1, 0, 1, "base", "graph")),
                entry(Instant.now(), new NodeDeleted("Thread", thread.toString(), "4:db:11", 1L, 0))), manualDecisions, true);

        assertThat(row(takeGraph)).as("PostgreSQL's value until a person decides").containsEntry("title", "postgres").containsEntry("pg_version", 3L);
        assertThat(env.query("SELECT pg_version FROM threads WHERE id = ?", thread)).singleElement().isEqualTo(Map.of("pg_version", 3L));
        assertThat(log.openCount()).isEqualTo(openBefore + 3);
        long graphId = openConflict(log, takeGraph);
        long postgresId = openConflict(log, takePostgres);
        long deleteId = openConflict(log, thread);
        assertThat(log.find(graphId).orElseThrow()).satisfies(open -> {
            assertThat(open.status()).isEqualTo("open");
            assertThat(open.decision()).isEqualTo("waiting");
            assertThat(open.rule()).isEqualTo("manual");
            assertThat(open.entityKey()).isEqualTo(takeGraph.toString());
            assertThat(open.postgresValue()).isEqualTo("postgres");
            assertThat(open.graphValue()).isEqualTo("graph");
        });
        assertThat(log.find(deleteId).orElseThrow().kind()).isEqualTo("delete");

        LoggedConflict graphTaken = log.resolve(graphId, Side.GRAPH, "alice", "the graph's title is right");
        assertThat(graphTaken.status()).isEqualTo("resolved");
        assertThat(graphTaken.decision()).isEqualTo("graph");
        assertThat(graphTaken.resolvedBy()).isEqualTo("alice");
        assertThat(graphTaken.resolution()).isEqualTo("the graph's title is right");
        assertThat(graphTaken.resolvedAt()).isNotNull();
        assertThat(row(takeGraph)).as("an ordinary change: the version trigger bumps it").containsEntry("title", "graph").containsEntry("pg_version", 4L);

        LoggedConflict postgresTaken = log.resolve(postgresId, Side.POSTGRES, "bob", "keep it");
        assertThat(postgresTaken.decision()).isEqualTo("postgres");
        assertThat(row(takePostgres)).containsEntry("title", "postgres").containsEntry("pg_version", 3L);

        log.resolve(deleteId, Side.GRAPH, "carol", "it was meant to go");
        assertThat(env.query("SELECT 1 FROM threads WHERE id = ?", thread)).isEmpty();
        assertThat(log.openCount()).isEqualTo(openBefore);

        assertThatThrownBy(() -> log.resolve(graphId, Side.POSTGRES, "alice", "again")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is resolved, not open");
        assertThatThrownBy(() -> log.resolve(999_999_999L, Side.GRAPH, "alice", "?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no conflict #999999999");
        assertThatThrownBy(() -> log.resolve(postgresId, Side.WAITING, "alice", "?")).isInstanceOf(IllegalArgumentException.class);
        env.sql("INSERT INTO nexus_sync.conflict_log (table_name, entity_key, row_key, entity, kind, rule, decision, status, outbox_seq, reason) "
                + "VALUES ('public.content_items', ?, jsonb_build_object('id', ?), 'ContentItem', 'existence', 'manual', 'waiting', 'open', 0, 'test')",
                takePostgres.toString(), takePostgres.toString());
        long existence = log.list(false, 10).get(0).id();
        assertThatThrownBy(() -> log.resolve(existence, Side.GRAPH, "alice", "?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only postgres can be taken");
        assertThat(log.find(existence).orElseThrow().status()).as("a refused resolution changes nothing").isEqualTo("open");
        assertThat(log.resolve(existence, Side.POSTGRES, "alice", "fine").status()).isEqualTo("resolved");

        assertThat(log.list(true, 1000)).extracting(LoggedConflict::id).contains(graphId, postgresId, deleteId, existence)
                .isSortedAccordingTo((x, y) -> Long.compare(y, x));
        assertThat(log.list(false, 1000)).extracting(LoggedConflict::id).doesNotContain(graphId, postgresId, deleteId, existence);
    }

    // ---------------------------------------------------------------- helpers

    private ReverseDecisions decisions(Mapping mapping) {
        return new ReverseDecisions(ReverseCatalog.of(mapping, table -> catalog.table(table).orElseThrow().columnNames()));
    }

    /** The built-in mapping, but a person decides title conflicts of content items and every conflict of threads, whose deletes flow back. */
    private static Mapping manualMapping() throws IOException {
        String yaml;
        try (InputStream in = MappingLoader.class.getResourceAsStream("contextnexus.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String items = "reverse: {conflicts: {access_level: postgres-wins}}";
        assertThat(yaml).contains(items);
        yaml = yaml.replace(items, "reverse: {conflicts: {access_level: postgres-wins, title: manual}}");
        String threads = "    lanes: {title: high, status: normal}\n";
        assertThat(yaml).contains(threads);
        yaml = yaml.replace(threads, threads + "    reverse: {conflicts: {default: manual}, onDelete: delete}\n");
        return MappingLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "manual-test");
    }

    private static GraphEdit entry(Instant committedAt, EntityEdit... edits) {
        return new GraphEdit(SEQ.incrementAndGet(), committedAt, Arrays.asList(edits));
    }

    private static NodeUpdated titleEdit(UUID id, long basePgVersion, long baseGraphVersion, long graphVersion, String before, String after) {
        return new NodeUpdated(ITEM, id.toString(), "4:db:" + id, basePgVersion, baseGraphVersion, graphVersion,
                Map.of("title", new PropertyChange(before, after)));
    }

    private static Map<String, PropertyChange> mapOf(String property, PropertyChange change) {
        Map<String, PropertyChange> changes = new HashMap<>();
        changes.put(property, change);
        return changes;
    }

    private RowRef itemRef(String id) {
        return new RowRef(CONTENT_ITEMS, Map.of("id", id), id);
    }

    private RowRef tagRef(UUID item, UUID tag) {
        return decisions.rowsOf(new RelationshipDeleted("TAGGED_WITH", item.toString(), tag.toString(), null)).get(0);
    }

    private static String[] texts(List<UUID> ids) {
        return ids.stream().map(UUID::toString).toArray(String[]::new);
    }

    private UUID item(String title) throws Exception {
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, ?)", id, UUID.randomUUID(), UUID.randomUUID(), title);
        return id;
    }

    private UUID tag(String name) throws Exception {
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, ?)", id, UUID.randomUUID(), name);
        return id;
    }

    private Map<String, Object> row(UUID id) throws Exception {
        return env.query("SELECT title, content_type, access_level, view_count, pg_version, neo4j_version FROM content_items WHERE id = ?", id).get(0);
    }

    private Map<String, Object> tagRow(UUID item, UUID tag) throws Exception {
        return env.query("SELECT weight, pg_version FROM content_tags WHERE content_id = ? AND tag_id = ?", item, tag).get(0);
    }

    private Instant committedAt(UUID id) throws Exception {
        return ((Timestamp) env.query("SELECT pg_xact_commit_timestamp(xmin) AS at FROM content_items WHERE id = ?", id).get(0).get("at")).toInstant();
    }

    private Map<String, Object> conflictRow(UUID id, String property) throws Exception {
        List<Map<String, Object>> rows = env.query("SELECT *, row_key::text AS row_key FROM nexus_sync.conflict_log WHERE entity_key = ? "
                + "AND coalesce(property, '') = ? ORDER BY id", id.toString(), property == null ? "" : property);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private long conflictCount() throws Exception {
        return (Long) env.query("SELECT count(*) AS n FROM nexus_sync.conflict_log").get(0).get("n");
    }

    private static long openConflict(PgConflictLog log, UUID entity) {
        return log.list(false, 1000).stream().filter(c -> c.entityKey().equals(entity.toString())).findFirst().orElseThrow().id();
    }
}
