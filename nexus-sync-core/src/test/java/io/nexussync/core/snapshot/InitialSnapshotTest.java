package io.nexussync.core.snapshot;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.apply.CriticalApplied;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.model.TableId;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class InitialSnapshotTest {
    private static final Mapping MAPPING = MappingLoader.builtIn();
    private static final TableId TAGS = TableId.parse("public.tags");
    private static final TableId THREADS = TableId.parse("public.threads");
    private static final TableId THREAD_CONTENT = TableId.parse("public.thread_content");
    private static final Lsn POINT = Lsn.of(0x5000);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);
    /** The server's clock before the slot was created: earlier than this JVM's clock reads during the snapshot. */
    private static final Instant VIEW_TAKEN = Instant.parse("2026-11-24T09:59:59.999123Z");

    private final FakeSource source = new FakeSource();
    private final RecordingWriter writer = new RecordingWriter();
    private final FakeInventory inventory = new FakeInventory();

    @Test
    void shouldReadEveryTableInBoundedChunksAndEndWithTheStreamCheckpointAtTheConsistentPoint() throws Exception {
        for (int i = 0; i < 23; i++) {
            source.add(TAGS, tag(i));
        }
        source.add(THREADS, thread(1));

        Checkpoint start = snapshot(5).run(source, inventory, false);

        assertThat(start).isEqualTo(Checkpoint.after(POINT));
        assertThat(source.largestChunkAsked).isEqualTo(5);
        assertThat(writer.nodeIds("Tag")).hasSize(23);
        assertThat(writer.nodeIds("Thread")).containsExactly(id(1));
        // 5 chunks of tags, 1 of threads, then the DONE mark on its own
        assertThat(writer.marks).hasSize(7);
        assertThat(writer.marks.subList(0, 6)).allSatisfy(m -> {
            assertThat(m.state()).isEqualTo(SnapshotMark.State.RUNNING);
            assertThat(m.consistentPoint()).isEqualTo(POINT);
        });
        assertThat(writer.marks.get(6)).isEqualTo(SnapshotMark.done(POINT, 24));
        assertThat(writer.marks.get(5).rowsDone()).isEqualTo(24);
    }

    @Test
    void shouldDateTheVersionsItFindsFromTheServersClockBeforeTheSlotExistedNotFromThisJvmsClock() throws Exception {
        source.add(THREAD_CONTENT, Map.of("thread_id", id(1), "content_id", id(2), "relevance_score", 0.5, "position", 1L, "pg_version", 1L));

        snapshot(10).run(source, inventory, false);

        List<GraphStep.TemporalRow> versions = writer.steps.stream().filter(GraphStep.TemporalRound.class::isInstance)
                .flatMap(s -> ((GraphStep.TemporalRound) s).rows().stream()).toList();
        assertThat(versions).extracting(GraphStep.TemporalRow::at).containsExactly(VIEW_TAKEN);
    }

    @Test
    void shouldReadNodeTablesBeforeTheJoinTablesThatPointAtThem() throws Exception {
        source.add(THREAD_CONTENT, Map.of("thread_id", id(1), "content_id", id(2), "relevance_score", 0.5, "position", 1L, "pg_version", 1L));
        source.add(THREADS, thread(1));

        snapshot(10).run(source, inventory, false);

        assertThat(source.tablesRead.indexOf(THREADS)).isLessThan(source.tablesRead.indexOf(THREAD_CONTENT));
    }

    @Test
    void shouldRemoveWhatThePostgresViewNoLongerHoldsOnlyWhenAskedToSweep() throws Exception {
        source.add(TAGS, tag(1));
        inventory.nodes.put("Tag", new ArrayList<>(List.of(id(1), id(2), id(3))));
        inventory.relationships.put("INCLUDES", new ArrayList<>(List.of(new RelationshipKey(id(7), id(8)))));

        snapshot(2).run(source, inventory, false);
        assertThat(writer.deletedNodeIds()).isEmpty();

        snapshot(2).run(source, inventory, true);
        assertThat(writer.deletedNodeIds()).containsExactlyInAnyOrder(id(2), id(3));
        assertThat(writer.closedTemporal()).containsExactly(new RelationshipKey(id(7), id(8)));
    }

    @Test
    void shouldSweepEveryPageWhateverThePageSize() throws Exception {
        Random random = new Random(42);
        for (int run = 0; run < 50; run++) {
            FakeSource view = new FakeSource();
            FakeInventory graph = new FakeInventory();
            RecordingWriter out = new RecordingWriter();
            Set<String> expectedGone = new HashSet<>();
            List<String> inGraph = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(40); i++) {
                inGraph.add(id(i));
                if (random.nextBoolean()) {
                    view.add(TAGS, tag(i));
                } else {
                    expectedGone.add(id(i));
                }
            }
            graph.nodes.put("Tag", inGraph);
            new InitialSnapshot(MAPPING, out, refs -> { }, RetryPolicy.standard(), CLOCK, 1 + random.nextInt(7),
                    new SnapshotProgress(CLOCK), Runnable::run).run(view, graph, true);
            assertThat(new HashSet<>(out.deletedNodeIds())).as("run %d", run).isEqualTo(expectedGone);
        }
    }

    @Test
    void shouldCompareRowAndNodeCountsAtTheSnapshotPoint() throws Exception {
        source.add(TAGS, tag(1));
        source.add(TAGS, tag(2));
        inventory.nodes.put("Tag", List.of(id(1), id(2)));
        InitialSnapshot agreeing = snapshot(10);
        agreeing.run(source, inventory, false);
        assertThat(agreeing.verification().agrees()).isTrue();

        inventory.nodes.put("Tag", List.of(id(1), id(2), id(3)));
        InitialSnapshot differing = snapshot(10);
        differing.run(source, inventory, false);
        assertThat(differing.verification().mismatches()).containsExactly("public.tags has 2 rows but the graph 3 :Tag nodes");
    }

    private InitialSnapshot snapshot(int chunk) {
        return new InitialSnapshot(MAPPING, writer, refs -> { }, RetryPolicy.standard(), CLOCK, chunk, new SnapshotProgress(CLOCK), Runnable::run);
    }

    private static String id(int i) {
        return String.format("00000000-0000-0000-0000-%012d", i);
    }

    private static Map<String, Object> tag(int i) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id(i));
        row.put("tenant_id", id(999));
        row.put("name", "tag " + i);
        row.put("pg_version", 1L);
        row.put("neo4j_node_id", null);
        row.put("neo4j_version", 0L);
        return row;
    }

    private static Map<String, Object> thread(int i) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id(i));
        row.put("title", "t");
        row.put("status", "open");
        row.put("pg_version", 1L);
        return row;
    }

    /** Tables as sorted maps by key; remembers the largest chunk asked for. */
    private static final class FakeSource implements SnapshotSource {
        final Map<TableId, TreeMap<String, Map<String, Object>>> tables = new HashMap<>();
        final List<TableId> tablesRead = new ArrayList<>();
        int largestChunkAsked;

        void add(TableId table, Map<String, Object> row) {
            String key = table.equals(THREAD_CONTENT) ? row.get("thread_id") + "|" + row.get("content_id") : (String) row.get("id");
            tables.computeIfAbsent(table, t -> new TreeMap<>()).put(key, row);
        }

        @Override
        public Lsn consistentPoint() {
            return POINT;
        }

        @Override
        public Instant viewTakenNoLaterThan() {
            return VIEW_TAKEN;
        }

        @Override
        public long countRows(TableId table) {
            return tables.getOrDefault(table, new TreeMap<>()).size();
        }

        @Override
        public RowChunks scan(TableId table, int chunkSize) {
            largestChunkAsked = Math.max(largestChunkAsked, chunkSize);
            if (!tablesRead.contains(table)) {
                tablesRead.add(table);
            }
            var remaining = new ArrayList<>(tables.getOrDefault(table, new TreeMap<>()).values()).iterator();
            return new RowChunks() {
                @Override
                public List<Map<String, Object>> next() {
                    List<Map<String, Object>> chunk = new ArrayList<>();
                    while (chunk.size() < chunkSize && remaining.hasNext()) {
                        chunk.add(remaining.next());
                    }
                    return chunk;
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public Set<String> existingNodeIds(NodeMapping node, Collection<String> ids) {
            Set<String> found = new HashSet<>(ids);
            found.retainAll(tables.getOrDefault(node.table(), new TreeMap<>()).keySet());
            return found;
        }

        @Override
        public Set<RelationshipKey> existingPairs(RelationshipMapping relationship, Collection<RelationshipKey> pairs) {
            Set<RelationshipKey> found = new HashSet<>();
            for (RelationshipKey pair : pairs) {
                if (tables.getOrDefault(relationship.table(), new TreeMap<>()).containsKey(pair.fromId() + "|" + pair.toId())) {
                    found.add(pair);
                }
            }
            return found;
        }

        @Override
        public void close() {}
    }

    private static final class FakeInventory implements GraphInventory {
        final Map<String, List<String>> nodes = new HashMap<>();
        final Map<String, List<RelationshipKey>> relationships = new HashMap<>();

        @Override
        public boolean holdsAnyNode(List<String> labels) {
            return labels.stream().anyMatch(l -> !nodes.getOrDefault(l, List.of()).isEmpty());
        }

        @Override
        public List<String> nodeIds(NodeMapping node, String afterId, int limit) {
            return nodes.getOrDefault(node.label(), List.of()).stream().sorted()
                    .filter(id -> afterId == null || id.compareTo(afterId) > 0).limit(limit).toList();
        }

        @Override
        public long countNodes(NodeMapping node) {
            return nodes.getOrDefault(node.label(), List.of()).size();
        }

        @Override
        public long countCurrentRelationships(RelationshipMapping mapping) {
            return relationships.getOrDefault(mapping.type(), List.of()).size();
        }

        @Override
        public RelationshipPage currentRelationships(RelationshipMapping mapping, String afterFromId, int startNodes) {
            List<RelationshipKey> page = relationships.getOrDefault(mapping.type(), List.of()).stream()
                    .filter(k -> afterFromId == null || k.fromId().compareTo(afterFromId) > 0).toList();
            return new RelationshipPage(page, page.isEmpty() ? null : page.get(page.size() - 1).fromId());
        }
    }

    private static final class RecordingWriter implements GraphWriter {
        final List<SnapshotMark> marks = new ArrayList<>();
        final List<GraphStep> steps = new ArrayList<>();

        @Override
        public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
            throw new AssertionError("a snapshot writes with applySnapshot only");
        }

        @Override
        public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
            marks.add(mark);
            steps.addAll(plan.steps());
            return ApplyResult.NOTHING;
        }

        @Override
        public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
            throw new AssertionError("a snapshot never writes repairs");
        }

        @Override
        public CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
            throw new AssertionError("a snapshot never writes critical transactions");
        }

        @Override
        public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
            throw new AssertionError("a snapshot never writes Kafka offsets");
        }

        List<String> nodeIds(String label) {
            return steps.stream().filter(s -> s instanceof GraphStep.UpsertNodes u && u.mapping().label().equals(label))
                    .flatMap(s -> ((GraphStep.UpsertNodes) s).rows().stream()).map(GraphStep.NodeRow::id).toList();
        }

        List<String> deletedNodeIds() {
            return steps.stream().filter(s -> s instanceof GraphStep.DeleteNodes)
                    .flatMap(s -> ((GraphStep.DeleteNodes) s).ids().stream()).toList();
        }

        List<RelationshipKey> closedTemporal() {
            return steps.stream().filter(s -> s instanceof GraphStep.TemporalRound)
                    .flatMap(s -> ((GraphStep.TemporalRound) s).rows().stream()).filter(GraphStep.TemporalRow::closesOnly)
                    .map(r -> new RelationshipKey(r.fromId(), r.toId())).toList();
        }
    }
}
