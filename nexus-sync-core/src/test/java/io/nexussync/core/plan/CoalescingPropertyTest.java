package io.nexussync.core.plan;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import static org.assertj.core.api.Assertions.assertThat;

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
import io.nexussync.core.plan.GraphStep.RelationshipRow;
import io.nexussync.core.plan.GraphStep.TemporalRound;
import io.nexussync.core.plan.GraphStep.TemporalRow;
import io.nexussync.core.plan.GraphStep.TruncateNodes;
import io.nexussync.core.plan.GraphStep.TruncateRelationships;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import io.nexussync.core.plan.GraphStep.UpsertRelationships;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * Coalescing must be invisible: one plan for a whole batch leaves the graph exactly as one plan per change does.
 * The change streams are ones PostgreSQL can produce for the contract's schema: content_tags rows only point at
 * existing content items, and deleting a content item cascades to its content_tags rows (logged after it).
 */
public class CoalescingPropertyTest {
    private static final TableId CONTENT_ITEMS = TableId.parse("content_items");
    private static final TableId CONTENT_TAGS = TableId.parse("content_tags");
    private static final List<String> CONTENT_IDS = List.of("c-1", "c-2", "c-3");
    private static final List<String> TAG_IDS = List.of("t-1", "t-2");
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());

    public enum Kind { INSERT_ITEM, UPDATE_ITEM, DELETE_ITEM, INSERT_TAG_LINK, UPDATE_TAG_LINK, DELETE_TAG_LINK }

    public record Op(Kind kind, int item, int tag, String title, float weight, boolean toastMetadata) {}

    /**
     * Tries per property. Each try draws its inputs from {@code new Random(seed)}, its seed being the next
     * {@code nextLong()} of {@code new Random(BASE_SEED)}; a failure names the seed, and
     * {@link #checkBatchEqualsOneByOne(long, boolean)} with that seed replays the try.
     */
    static final int TRIES = 1000;
    static final long BASE_SEED = 0x5EED_C0A1_E5CEL;
    private static final int MAX_SCRIPT_LENGTH = 40;
    private static final int MAX_ALREADY_APPLIED = 40;
    private static final String ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final float[] WEIGHTS = {0.25f, 0.5f, 1f, 2f};

    @Test
    void shouldLeaveSameGraphWhenBatchedAsWhenAppliedOneByOne() {
        forEachTry(seed -> checkBatchEqualsOneByOne(seed, false));
    }

    @Test
    void shouldLeaveSameGraphWhenReinsertedRowsStartAgainAtVersionOne() {
        forEachTry(seed -> checkBatchEqualsOneByOne(seed, true));
    }

    /** With content items kept as tombstones: a batch split around each tombstone leaves what one change at a time leaves. */
    @Test
    void shouldLeaveSameGraphWhenBatchedAsWhenAppliedOneByOneKeepingTombstones() {
        GraphPlanner keeping = new GraphPlanner(io.nexussync.core.mapping.TombstoneMappings.builtInWithTombstones("ContentItem"));
        forEachTry(seed -> checkBatchEqualsOneByOne(keeping, seed, seed % 2 == 0));
    }

    /** One try of the property, reproducible from its seed alone. */
    void checkBatchEqualsOneByOne(long seed, boolean versionsRestartOnInsert) {
        checkBatchEqualsOneByOne(planner, seed, versionsRestartOnInsert);
    }

    void checkBatchEqualsOneByOne(GraphPlanner planner, long seed, boolean versionsRestartOnInsert) {
        Random random = new Random(seed);
        List<Op> script = script(random);
        int alreadyApplied = random.nextInt(MAX_ALREADY_APPLIED + 1);
        String input = "seed=" + seed + " (versionsRestartOnInsert=" + versionsRestartOnInsert + "), alreadyApplied="
                + alreadyApplied + ", script=" + script;
        try {
            assertBatchEqualsOneByOne(planner, new PgSimulation(versionsRestartOnInsert).changesFor(script), alreadyApplied, input);
        } catch (RuntimeException e) {
            // assertion failures already name the input in their description
            throw new AssertionError("property failed for " + input, e);
        }
    }

    private static void forEachTry(LongConsumer check) {
        Random seeds = new Random(BASE_SEED);
        for (int i = 0; i < TRIES; i++) {
            check.accept(seeds.nextLong());
        }
    }

    /** 1 to 40 operations, each with every component drawn uniformly from its choices. */
    public static List<Op> script(Random random) {
        int length = 1 + random.nextInt(MAX_SCRIPT_LENGTH);
        List<Op> script = new ArrayList<>(length);
        Kind[] kinds = Kind.values();
        for (int i = 0; i < length; i++) {
            script.add(new Op(
                    kinds[random.nextInt(kinds.length)],
                    random.nextInt(CONTENT_IDS.size()),
                    random.nextInt(TAG_IDS.size()),
                    alphaString(random, 1, 4),
                    WEIGHTS[random.nextInt(WEIGHTS.length)],
                    random.nextBoolean()));
        }
        return script;
    }

    private static String alphaString(Random random, int minLength, int maxLength) {
        int length = minLength + random.nextInt(maxLength - minLength + 1);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHA.charAt(random.nextInt(ALPHA.length())));
        }
        return s.toString();
    }

    @Test
    void shouldKeepTitleOfLastUpdateAfterDeleteAndReinsert() {
        List<Op> script = List.of(
                new Op(Kind.INSERT_ITEM, 0, 0, "a", 1f, false),
                new Op(Kind.INSERT_TAG_LINK, 0, 0, "", 0.5f, false),
                new Op(Kind.DELETE_ITEM, 0, 0, "", 1f, false),
                new Op(Kind.INSERT_ITEM, 0, 0, "b", 1f, false),
                new Op(Kind.UPDATE_ITEM, 0, 0, "c", 1f, true));
        List<RowChange> changes = new PgSimulation(false).changesFor(script);

        FakeGraph batched = assertBatchEqualsOneByOne(planner, changes, 0, "example");

        assertThat(batched.nodes.get("ContentItem:c-1")).containsEntry("title", "c").containsEntry("metadata", "{\"n\":\"b\"}");
        assertThat(batched.relationships).isEmpty();
    }

    private static FakeGraph assertBatchEqualsOneByOne(GraphPlanner planner, List<RowChange> changes, int alreadyApplied, String input) {
        int split = Math.min(alreadyApplied, changes.size());
        List<SourceChange> history = sourceChanges(changes);
        FakeGraph oneByOne = FakeGraph.withTags();
        FakeGraph batched = FakeGraph.withTags();
        for (SourceChange change : history.subList(0, split)) {
            oneByOne.apply(planner.plan(List.of(change)));
            batched.apply(planner.plan(List.of(change)));
        }
        for (SourceChange change : history.subList(split, history.size())) {
            oneByOne.apply(planner.plan(List.of(change)));
        }
        batched.apply(planner.plan(history.subList(split, history.size())));

        assertThat(batched.nodes).as("nodes for %s; changes %s", input, changes).isEqualTo(oneByOne.nodes);
        assertThat(batched.relationships).as("relationships for %s; changes %s", input, changes).isEqualTo(oneByOne.relationships);
        return batched;
    }

    private static List<SourceChange> sourceChanges(List<RowChange> changes) {
        List<SourceChange> out = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            out.add(new SourceChange(changes.get(i), Lsn.of(0x100L * (i + 1)), T0.plusSeconds(i)));
        }
        return out;
    }

    /** Turns a script into the row changes PostgreSQL would log for it; an operation the table state forbids becomes one it allows. */
    /** Also drives the scheduler's property test (core.schedule). */
    public static final class PgSimulation {
        private final boolean versionsRestartOnInsert;
        private final Map<String, Map<String, Object>> items = new HashMap<>();
        private final Map<List<String>, Map<String, Object>> tagLinks = new LinkedHashMap<>();
        private final Map<Object, Long> lastVersion = new HashMap<>();
        private final List<RowChange> out = new ArrayList<>();

        public PgSimulation(boolean versionsRestartOnInsert) {
            this.versionsRestartOnInsert = versionsRestartOnInsert;
        }

        public List<RowChange> changesFor(List<Op> script) {
            script.forEach(this::run);
            return out;
        }

        private void run(Op op) {
            String item = CONTENT_IDS.get(op.item());
            List<String> link = List.of(item, TAG_IDS.get(op.tag()));
            switch (op.kind()) {
                case INSERT_ITEM, UPDATE_ITEM -> {
                    if (items.containsKey(item)) {
                        updateItem(item, op);
                    } else {
                        insertItem(item, op);
                    }
                }
                case DELETE_ITEM -> {
                    if (items.containsKey(item)) {
                        deleteItem(item);
                    } else {
                        insertItem(item, op);
                    }
                }
                case INSERT_TAG_LINK, UPDATE_TAG_LINK -> {
                    if (!items.containsKey(item)) {
                        insertItem(item, op);
                    } else if (tagLinks.containsKey(link)) {
                        Map<String, Object> row = new LinkedHashMap<>(tagLinks.get(link));
                        row.put("weight", op.weight());
                        row.put("pg_version", nextVersion(link, false));
                        tagLinks.put(link, row);
                        out.add(new RowChange.Update(CONTENT_TAGS, null, row));
                    } else {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("content_id", item);
                        row.put("tag_id", link.get(1));
                        row.put("weight", op.weight());
                        row.put("created_at", T0);
                        row.put("pg_version", nextVersion(link, true));
                        tagLinks.put(link, row);
                        out.add(new RowChange.Insert(CONTENT_TAGS, row));
                    }
                }
                case DELETE_TAG_LINK -> {
                    if (tagLinks.remove(link) != null) {
                        out.add(new RowChange.Delete(CONTENT_TAGS, Map.of("content_id", item, "tag_id", link.get(1))));
                    } else if (!items.containsKey(item)) {
                        insertItem(item, op);
                    }
                }
            }
        }

        private void insertItem(String id, Op op) {
            Map<String, Object> row = itemRow(id, op.title(), nextVersion(id, true));
            items.put(id, row);
            out.add(new RowChange.Insert(CONTENT_ITEMS, row));
        }

        private void updateItem(String id, Op op) {
            Map<String, Object> row = itemRow(id, op.title(), nextVersion(id, false));
            Map<String, Object> stored = new LinkedHashMap<>(row);
            if (op.toastMetadata()) {
                // PostgreSQL leaves an unchanged TOASTed value out of the new image; the table keeps the old one.
                stored.put("metadata", items.get(id).get("metadata"));
                row.put("metadata", Unchanged.TOAST);
            }
            items.put(id, stored);
            out.add(new RowChange.Update(CONTENT_ITEMS, null, row));
        }

        private void deleteItem(String id) {
            items.remove(id);
            out.add(new RowChange.Delete(CONTENT_ITEMS, Map.of("id", id)));
            // ON DELETE CASCADE: the referencing rows' deletes follow the parent's in the WAL.
            tagLinks.keySet().removeIf(link -> {
                if (link.get(0).equals(id)) {
                    out.add(new RowChange.Delete(CONTENT_TAGS, Map.of("content_id", id, "tag_id", link.get(1))));
                    return true;
                }
                return false;
            });
        }

        private long nextVersion(Object key, boolean insert) {
            long version = insert && versionsRestartOnInsert ? 1 : lastVersion.getOrDefault(key, 0L) + 1;
            lastVersion.put(key, version);
            return version;
        }

        private static Map<String, Object> itemRow(String id, String title, long version) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("tenant_id", "tenant");
            row.put("project_id", "project");
            row.put("title", title);
            row.put("body", "body of " + title);
            row.put("metadata", new JsonText("{\"n\":\"" + title + "\"}"));
            row.put("access_level", "project");
            row.put("neo4j_node_id", null);
            row.put("pg_version", version);
            row.put("neo4j_version", 0L);
            return row;
        }
    }

    /** Applies plans with the semantics of the writer's Cypher, to nodes and relationships held in maps. */
    public static final class FakeGraph {
        static final Instant OPEN_END = Instant.parse("9999-12-31T00:00:00Z");

        /** "Label:id" to properties. */
        public final Map<String, Map<String, Object>> nodes = new TreeMap<>();
        /** "(Label:id)-[TYPE]->(Label:id)" to the properties of each relationship between them, oldest first. */
        public final Map<String, List<Map<String, Object>>> relationships = new TreeMap<>();

        public static FakeGraph withTags() {
            FakeGraph graph = new FakeGraph();
            TAG_IDS.forEach(id -> graph.mergeNode("Tag", id));
            return graph;
        }

        public void apply(GraphWritePlan plan) {
            for (GraphStep step : plan.steps()) {
                if (step instanceof DeleteNodes s) {
                    s.ids().forEach(id -> deleteNode(s.mapping().label(), id));
                } else if (step instanceof UpsertNodes s) {
                    s.rows().forEach(row -> upsertNode(s.mapping(), row));
                } else if (step instanceof LinkParents s) {
                    s.rows().forEach(row -> linkParent(s.mapping(), s.link(), row));
                } else if (step instanceof DeleteRelationships s) {
                    s.keys().forEach(key -> relationships.remove(relationshipKey(s.mapping(), key.fromId(), key.toId())));
                } else if (step instanceof UpsertRelationships s) {
                    s.rows().forEach(row -> upsertRelationship(s.mapping(), row));
                } else if (step instanceof TemporalRound s) {
                    s.rows().forEach(row -> temporal(s.mapping(), row));
                } else if (step instanceof TruncateNodes s) {
                    List.copyOf(nodes.keySet()).stream().filter(k -> k.startsWith(s.mapping().label() + ":")).forEach(k -> {
                        if (s.mapping().tombstones()) {
                            tombstone(k, s.historyTypes(), s.at());
                        } else {
                            deleteNode(k);
                        }
                    });
                } else if (step instanceof TruncateRelationships s) {
                    truncate(s);
                } else if (step instanceof GraphStep.TombstoneNodes s) {
                    s.rows().forEach(row -> tombstone(s.mapping().label() + ":" + row.id(), s.historyTypes(), row.at()));
                } else {
                    throw new AssertionError("the fake graph does not know how to write " + step);
                }
            }
        }

        /** A node property standing for the tombstone label. */
        public static final String TOMBSTONE = ":" + NodeMapping.TOMBSTONE_LABEL;

        /** As StatementRenderer.tombstoneNodes: open history closes at {@code at}, other relationships go, the node is marked. */
        private void tombstone(String nodeKey, List<String> historyTypes, Instant at) {
            Map<String, Object> node = nodes.get(nodeKey);
            if (node == null || node.containsKey(TOMBSTONE)) {
                return;
            }
            String ref = "(" + nodeKey + ")";
            relationships.entrySet().removeIf(e -> {
                String k = e.getKey();
                if (!k.startsWith(ref) && !k.endsWith(ref)) {
                    return false;
                }
                if (historyTypes.stream().noneMatch(type -> k.contains("-[" + type + "]->"))) {
                    return true;
                }
                e.getValue().stream().filter(r -> OPEN_END.equals(r.get("validTo")) && !((Instant) r.get("validFrom")).isAfter(at))
                        .forEach(r -> r.put("validTo", at));
                return false;
            });
            node.put(TOMBSTONE, true);
            node.put(NodeMapping.DELETED_AT_PROPERTY, at);
        }

        private void upsertNode(NodeMapping mapping, NodeRow row) {
            Map<String, Object> node = mergeNode(mapping.label(), row.id());
            if (node.remove(TOMBSTONE) != null) {
                // A row inserted again with a tombstone's key: a new row's node, whatever the versions.
                node.clear();
                node.putAll(row.properties());
                return;
            }
            Object stored = mapping.versionProperty() == null ? null : node.get(mapping.versionProperty());
            if (stored == null || row.version() == null || (Long) stored < row.version()) {
                setAll(node, row.properties());
            }
        }

        private void linkParent(NodeMapping mapping, ParentLink link, ParentRow row) {
            Map<String, Object> child = nodes.get(mapping.label() + ":" + row.childId());
            if (child == null) {
                return;
            }
            Object stored = mapping.versionProperty() == null ? null : child.get(mapping.versionProperty());
            if (row.childVersion() != null && stored != null && (Long) stored > row.childVersion()) {
                return;
            }
            String childRef = "(" + mapping.label() + ":" + row.childId() + ")";
            relationships.keySet().removeIf(k -> k.contains("-[" + link.type() + "]->")
                    && (link.parentToChild() ? k.endsWith(childRef) : k.startsWith(childRef))
                    && (row.parentId() == null || !k.contains("(" + link.parentLabel() + ":" + row.parentId() + ")")));
            if (row.parentId() != null) {
                mergeNode(link.parentLabel(), row.parentId());
                String parentRef = "(" + link.parentLabel() + ":" + row.parentId() + ")";
                String key = link.parentToChild() ? parentRef + "-[" + link.type() + "]->" + childRef : childRef + "-[" + link.type() + "]->" + parentRef;
                relationships.computeIfAbsent(key, k -> new ArrayList<>(List.of(new TreeMap<>())));
            }
        }

        private void upsertRelationship(RelationshipMapping mapping, RelationshipRow row) {
            mergeNode(mapping.from().label(), row.fromId());
            mergeNode(mapping.to().label(), row.toId());
            List<Map<String, Object>> existing = relationships.computeIfAbsent(relationshipKey(mapping, row.fromId(), row.toId()),
                    k -> new ArrayList<>(List.of(new TreeMap<>())));
            Map<String, Object> r = existing.get(0);
            Object stored = mapping.versionProperty() == null ? null : r.get(mapping.versionProperty());
            if (row.version() == null || stored == null || (Long) stored < row.version()) {
                setAll(r, row.properties());
            }
        }

        private void temporal(RelationshipMapping mapping, TemporalRow row) {
            String key = relationshipKey(mapping, row.fromId(), row.toId());
            if (row.closesOnly()) {
                relationships.getOrDefault(key, List.of()).stream()
                        .filter(r -> OPEN_END.equals(r.get("validTo"))).forEach(r -> r.put("validTo", row.at()));
                return;
            }
            mergeNode(mapping.from().label(), row.fromId());
            mergeNode(mapping.to().label(), row.toId());
            List<Map<String, Object>> versions = relationships.computeIfAbsent(key, k -> new ArrayList<>());
            List<Map<String, Object>> current = versions.stream().filter(r -> OPEN_END.equals(r.get("validTo"))).toList();
            String versionProperty = mapping.versionProperty() == null ? "version" : mapping.versionProperty();
            if (row.version() != null && !current.stream().allMatch(c -> c.get(versionProperty) == null || (Long) c.get(versionProperty) < row.version())) {
                return;
            }
            current.forEach(c -> c.put("validTo", row.at()));
            Map<String, Object> opened = new TreeMap<>(row.properties());
            opened.put("validFrom", row.at());
            opened.put("validTo", OPEN_END);
            versions.add(opened);
        }

        private void truncate(TruncateRelationships step) {
            RelationshipMapping m = step.mapping();
            String type = "-[" + m.type() + "]->";
            relationships.forEach((k, versions) -> {
                if (k.startsWith("(" + m.from().label() + ":") && k.contains(type + "(" + m.to().label() + ":")) {
                    if (m.temporal()) {
                        versions.stream().filter(r -> OPEN_END.equals(r.get("validTo"))).forEach(r -> r.put("validTo", step.at()));
                    } else {
                        versions.clear();
                    }
                }
            });
            relationships.values().removeIf(List::isEmpty);
        }

        private Map<String, Object> mergeNode(String label, String id) {
            return nodes.computeIfAbsent(label + ":" + id, k -> {
                Map<String, Object> node = new TreeMap<>();
                node.put("id", id);
                node.put("pgId", id);
                return node;
            });
        }

        private void deleteNode(String label, String id) {
            deleteNode(label + ":" + id);
        }

        private void deleteNode(String nodeKey) {
            if (nodes.remove(nodeKey) != null) {
                String ref = "(" + nodeKey + ")";
                relationships.keySet().removeIf(k -> k.startsWith(ref) || k.endsWith(ref));
            }
        }

        private static void setAll(Map<String, Object> target, Map<String, Object> properties) {
            // SET n += map: a null value removes the property.
            properties.forEach((k, v) -> {
                if (v == null) {
                    target.remove(k);
                } else {
                    target.put(k, v);
                }
            });
        }

        private static String relationshipKey(RelationshipMapping m, String fromId, String toId) {
            return "(" + m.from().label() + ":" + fromId + ")-[" + m.type() + "]->(" + m.to().label() + ":" + toId + ")";
        }

        @Override
        public String toString() {
            return Objects.toString(nodes) + " " + relationships;
        }
    }
}
