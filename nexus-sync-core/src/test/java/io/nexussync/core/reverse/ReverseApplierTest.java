package io.nexussync.core.reverse;

import static io.nexussync.core.reverse.ReverseFixtures.CONTENT;
import static io.nexussync.core.reverse.ReverseFixtures.EARLY;
import static io.nexussync.core.reverse.ReverseFixtures.LATE;
import static io.nexussync.core.reverse.ReverseFixtures.uuid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.EntityEdit.NodeCreated;
import io.nexussync.core.reverse.EntityEdit.NodeUpdated;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReverseApplierTest {
    private final ReverseCatalog catalog = ReverseFixtures.builtIn();
    private final Outbox outbox = new Outbox();
    private final Store store = new Store();
    private final List<ReverseBatch> batches = new ArrayList<>();
    private final ReverseApplier applier = new ReverseApplier(catalog, outbox, store, (entries, batch, at) -> batches.add(batch),
            Clock.fixed(LATE, ZoneOffset.UTC), 100);

    private static NodeUpdated titleEdit(int n, long basePg, long graphVersion, String oldTitle, String newTitle) {
        return new NodeUpdated("ContentItem", uuid(n), "4:abc:" + n, basePg, graphVersion - 1, graphVersion,
                Map.of("title", new PropertyChange(oldTitle, newTitle)));
    }

    @Test
    void shouldApplyEachEntryOnceAndRemoveItOnlyAfterPostgresRecordedIt() {
        store.put(1, "a", 4, 0);
        outbox.add(new GraphEdit(1, EARLY, List.of(titleEdit(1, 4, 1, "a", "b"))));
        outbox.add(new GraphEdit(2, EARLY, List.of(titleEdit(1, 4, 2, "b", "c"))));
        outbox.failRemovals = 1;

        assertThatThrownBy(applier::applyNext).hasMessageContaining("graph unreachable");
        assertThat(store.position).isEqualTo(2);
        assertThat(store.row(1).get("title")).isEqualTo("c");
        assertThat(outbox.entries).as("still in the graph: the removal failed").hasSize(2);

        assertThat(applier.applyNext()).isEqualTo(2);
        assertThat(store.writes).as("the repeated round applies nothing again").isEqualTo(2);
        assertThat(store.row(1).get("pg_version")).isEqualTo(6L);
        assertThat(outbox.entries).isEmpty();
        assertThat(applier.applyNext()).isZero();
    }

    @Test
    void shouldGiveANodeCreatedWithoutAKeyPostgresKeyBeforeTheRowAndKeepItOnARepeat() {
        outbox.nodes.put("4:abc:9", new HashMap<>());
        NodeCreated created = new NodeCreated("ContentItem", "4:abc:9", null, 1, Map.of("title", "made in the graph"));
        NodeUpdated editedBeforeItsKey = new NodeUpdated("ContentItem", null, "4:abc:9", null, 1, 2,
                Map.of("title", new PropertyChange("made in the graph", "renamed")));
        outbox.add(new GraphEdit(1, EARLY, List.of(created)));
        outbox.add(new GraphEdit(2, EARLY, List.of(editedBeforeItsKey)));
        store.failApply = 1;

        assertThatThrownBy(applier::applyNext).hasMessageContaining("PostgreSQL unreachable");
        String key = (String) outbox.nodes.get("4:abc:9").get("id");
        assertThat(key).as("the node holds its key before the row exists").isEqualTo(uuid(1000));

        applier.applyNext();
        assertThat(store.keysIssued).as("the repeat keeps the key the node holds").isEqualTo(1);
        assertThat(outbox.nodes.get("4:abc:9")).containsEntry("id", uuid(1000));
        Map<String, Object> row = store.rows.get(uuid(1000));
        assertThat(row).containsEntry("title", "renamed").containsEntry("neo4j_node_id", "4:abc:9").containsEntry("neo4j_version", 2L);
        assertThat(outbox.removedNodes).isEmpty();
    }

    @Test
    void shouldRemoveFromTheGraphANodeWhoseRowPostgresRefusedEvenWhenTheRoundIsRepeated() {
        outbox.nodes.put("4:abc:9", new HashMap<>());
        outbox.add(new GraphEdit(1, EARLY, List.of(new NodeCreated("ContentItem", "4:abc:9", null, 1, Map.of()))));
        store.refuseInsertsWithoutTitle = true;
        outbox.failNodeRemovals = 1;

        assertThatThrownBy(applier::applyNext).hasMessageContaining("graph unreachable");
        assertThat(store.position).isEqualTo(1);
        assertThat(outbox.nodes).containsKey("4:abc:9");

        applier.applyNext();
        assertThat(outbox.nodes).as("PostgreSQL owns existence: the node goes").doesNotContainKey("4:abc:9");
        assertThat(store.conflicts).singleElement().extracting(ConflictRecord::kind).isEqualTo(ConflictRecord.Kind.REFUSED);
        assertThat(outbox.entries).isEmpty();
    }

    @Test
    void shouldWaitForAnEntryCommittedLaterThanTheOneAfterItRatherThanSkipIt() {
        store.put(1, "a", 4, 0);
        outbox.add(new GraphEdit(1, EARLY, List.of(titleEdit(1, 4, 1, "a", "b"))));
        outbox.add(new GraphEdit(3, EARLY, List.of(titleEdit(1, 4, 3, "c", "d"))));

        assertThat(applier.applyNext()).isEqualTo(1);
        assertThat(store.position).as("not past the gap").isEqualTo(1);
        assertThat(applier.applyNext()).as("entry 2 is not visible yet").isZero();
        assertThat(outbox.entries).containsOnlyKeys(3L);

        outbox.add(new GraphEdit(2, EARLY, List.of(titleEdit(1, 4, 2, "b", "c"))));
        assertThat(applier.applyNext()).isEqualTo(2);
        assertThat(store.row(1)).containsEntry("title", "d").containsEntry("neo4j_version", 3L);
        assertThat(store.position).isEqualTo(3);
    }

    /** The plugin's outbox and the few nodes the applier touches. */
    static final class Outbox implements GraphOutbox {
        final TreeMap<Long, GraphEdit> entries = new TreeMap<>();
        final Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
        final List<String> removedNodes = new ArrayList<>();
        int failRemovals;
        int failNodeRemovals;

        void add(GraphEdit edit) {
            entries.put(edit.seq(), edit);
        }

        @Override
        public List<GraphEdit> next(int limit) {
            return entries.values().stream().limit(limit).toList();
        }

        @Override
        public void removeThrough(long seq) {
            if (failRemovals-- > 0) {
                throw SyncException.retryable("graph unreachable", null);
            }
            entries.headMap(seq, true).clear();
        }

        @Override
        public Backlog backlog() {
            return new Backlog(entries.size(), entries.isEmpty() ? null : entries.firstEntry().getValue().committedAt());
        }

        @Override
        public String assignKey(String label, String idProperty, String elementId, String key) {
            Map<String, Object> node = nodes.get(elementId);
            if (node == null) {
                return null;
            }
            node.putIfAbsent(idProperty, key);
            node.putIfAbsent("pgId", key);
            return (String) node.get(idProperty);
        }

        @Override
        public String keyOf(String label, String idProperty, String elementId) {
            Map<String, Object> node = nodes.get(elementId);
            return node == null ? null : (String) node.get(idProperty);
        }

        @Override
        public void removeNode(String label, String elementId) {
            if (failNodeRemovals-- > 0) {
                throw SyncException.retryable("graph unreachable", null);
            }
            nodes.remove(elementId);
            removedNodes.add(elementId);
        }

        @Override
        public void removeRelationship(ReverseCatalog.RelationshipRules rules, String fromId, String toId) {}

        @Override
        public void publish(ReverseCatalog catalog) {}

        @Override
        public boolean pluginInstalled() {
            return true;
        }
    }

    /** content_items rows in memory, written as PostgreSQL would: a transaction per apply, the position with it. */
    static final class Store implements ReverseStore {
        final Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        final List<ConflictRecord> conflicts = new ArrayList<>();
        long position;
        int writes;
        int keysIssued;
        int failApply;
        boolean refuseInsertsWithoutTitle;

        void put(int n, String title, long pgVersion, long graphVersion) {
            rows.put(uuid(n), ReverseFixtures.contentState(n, title, "project", pgVersion, graphVersion, EARLY).values());
            rows.put(uuid(n), new LinkedHashMap<>(rows.get(uuid(n))));
        }

        Map<String, Object> row(int n) {
            return rows.get(uuid(n));
        }

        @Override
        public long appliedThrough() {
            return position;
        }

        @Override
        public ReverseBatch apply(List<GraphEdit> entries, EditDecider decider, boolean positioned) {
            if (failApply-- > 0) {
                throw SyncException.retryable("PostgreSQL unreachable", null);
            }
            Map<String, Map<String, Object>> working = new LinkedHashMap<>();
            rows.forEach((k, v) -> working.put(k, new LinkedHashMap<>(v)));
            List<ConflictRecord> logged = new ArrayList<>();
            int applied = 0;
            long last = position;
            for (GraphEdit entry : entries) {
                if (positioned && entry.seq() <= position) {
                    continue;
                }
                for (EntityEdit edit : entry.edits()) {
                    Map<RowRef, RowState> found = new HashMap<>();
                    for (RowRef ref : decider.rowsOf(edit)) {
                        Map<String, Object> row = working.get(ref.entityKey());
                        if (row != null) {
                            found.put(ref, new RowState(row, (Long) row.get("pg_version"), (Long) row.get("neo4j_version"), EARLY));
                        }
                    }
                    Decision decision = decider.decide(entry, edit, found);
                    try {
                        execute(decision, working);
                    } catch (SyncException refused) {
                        decision = decider.refused(entry, edit, found, refused);
                        execute(decision, working);
                    }
                    logged.addAll(decision.conflicts());
                }
                applied++;
                last = entry.seq();
            }
            rows.clear();
            rows.putAll(working);
            conflicts.addAll(logged);
            if (positioned) {
                position = last;
            }
            return new ReverseBatch(applied, Map.of(), logged);
        }

        private void execute(Decision decision, Map<String, Map<String, Object>> working) {
            for (RowWrite write : decision.writes()) {
                write.accept(new RowWrite.Visitor<Void>() {
                    @Override
                    public Void update(RowWrite.Update u) {
                        Map<String, Object> row = working.get(u.row().entityKey());
                        row.putAll(u.columns());
                        if (u.graphVersion() != null) {
                            row.put("neo4j_version", u.graphVersion());
                        }
                        row.put("pg_version", (Long) row.get("pg_version") + 1);
                        writes++;
                        return null;
                    }

                    @Override
                    public Void insert(RowWrite.Insert i) {
                        if (refuseInsertsWithoutTitle && !i.columns().containsKey("title")) {
                            throw SyncException.rejected("null value in column \"title\" violates not-null constraint", null);
                        }
                        Map<String, Object> row = new LinkedHashMap<>(i.columns());
                        row.put("pg_version", 1L);
                        row.put("neo4j_version", i.graphVersion());
                        row.put("neo4j_node_id", i.crossReference());
                        working.put(i.entityKey(), row);
                        writes++;
                        return null;
                    }

                    @Override
                    public Void delete(RowWrite.Delete d) {
                        working.remove(d.row().entityKey());
                        writes++;
                        return null;
                    }
                });
            }
        }

        @Override
        public String newKey(TableId table, String keyColumn) {
            assertThat(table).isEqualTo(CONTENT);
            return uuid(1000 + keysIssued++);
        }

        @Override
        public Set<RowRef> existing(Collection<RowRef> refs) {
            Set<RowRef> found = new HashSet<>();
            refs.forEach(ref -> {
                if (rows.containsKey(ref.entityKey())) {
                    found.add(ref);
                }
            });
            return found;
        }

        @Override
        public Map<RowRef, Long> graphVersions(Collection<RowRef> refs) {
            Map<RowRef, Long> versions = new HashMap<>();
            refs.forEach(ref -> {
                Map<String, Object> row = rows.get(ref.entityKey());
                if (row != null) {
                    versions.put(ref, (Long) row.get("neo4j_version"));
                }
            });
            return versions;
        }
    }
}
