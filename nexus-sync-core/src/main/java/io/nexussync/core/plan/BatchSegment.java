package io.nexussync.core.plan;

import io.nexussync.core.mapping.JsonColumn;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.plan.GraphStep.DeleteNodes;
import io.nexussync.core.plan.GraphStep.DeleteRelationships;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.NodeRow;
import io.nexussync.core.plan.GraphStep.ParentRow;
import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.plan.GraphStep.RelationshipRow;
import io.nexussync.core.plan.GraphStep.TemporalRound;
import io.nexussync.core.plan.GraphStep.TemporalRow;
import io.nexussync.core.plan.GraphStep.Tombstone;
import io.nexussync.core.plan.GraphStep.TombstoneNodes;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import io.nexussync.core.plan.GraphStep.UpsertRelationships;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coalesced effect of a run of changes with no TRUNCATE among them: per entity its last state
 * (a delete wins over earlier upserts; a later upsert after a delete recreates the node from scratch),
 * per temporal pair every version in order, since history is what a temporal relationship is for.
 * <p>
 * A node of a mapping that keeps tombstones is not coalesced across its delete: its tombstone closes its open versions
 * at the delete's time, which must follow every earlier version of its pairs and precede a later one. So the planner
 * ends the segment before a tombstone when the segment holds the node or one of its pairs ({@link #mustEndBefore}), and
 * before any change that writes a node tombstoned in the segment or opens a version of one of its pairs; a pair's delete
 * after its node's tombstone (a cascade, in the same transaction) closes nothing the tombstone has not closed, and is
 * left out.
 */
final class BatchSegment {
    private record NodeKey(NodeMapping mapping, String id) {}

    private record PairKey(RelationshipMapping mapping, String fromId, String toId) {}

    /** {@code row == null} means the entity ends the segment deleted. */
    private static final class EntityState {
        Map<String, Object> row;
        boolean deleteFirst;
        /** The commit time of the entity's last change here, and of its last delete here (null when none, or unknown). */
        Instant at;
        Instant deletedAt;
    }

    private final Map<NodeKey, EntityState> nodes = new LinkedHashMap<>();
    private final Map<PairKey, EntityState> relationships = new LinkedHashMap<>();
    private final Map<PairKey, List<TemporalRow>> temporal = new LinkedHashMap<>();
    private final Map<NodeKey, Instant> tombstones = new LinkedHashMap<>();
    /** "label:id" of every node tombstoned here, and of every end of a temporal pair with versions here (a superset once a delete drops some). */
    private final Set<String> tombstoned = new HashSet<>();
    private final Set<String> pairEnds = new HashSet<>();
    private final Mapping mapping;
    private final boolean anyTombstoning;

    BatchSegment(Mapping mapping) {
        this.mapping = mapping;
        this.anyTombstoning = mapping.nodes().stream().anyMatch(NodeMapping::tombstones);
    }

    /**
     * Whether this segment must be written before {@code change} joins a segment: the change tombstones a node this
     * segment holds or one of whose pairs it holds, or writes a node tombstoned here, or opens a version or writes a
     * relationship of a pair with an end tombstoned here.
     */
    boolean mustEndBefore(RowChange change) {
        if (!anyTombstoning) {
            return false;
        }
        TableId table = RowChange.tableOf(change);
        var node = mapping.node(table);
        if (node.isPresent()) {
            NodeMapping m = node.get();
            if (change instanceof RowChange.Delete delete) {
                String id = m.identity(delete.oldKey());
                return m.tombstones() && id != null && holds(m, id);
            }
            Map<String, Object> row = change instanceof RowChange.Insert insert ? insert.newValues() : ((RowChange.Update) change).newValues();
            if (change instanceof RowChange.Update update && update.oldKey() != null && m.tombstones()) {
                String oldId = m.identity(update.oldKey());
                if (oldId != null && !oldId.equals(m.identity(row)) && holds(m, oldId)) {
                    return true;
                }
            }
            return isTombstoned(m.label(), m.identity(row));
        }
        var relationship = mapping.relationship(table);
        if (relationship.isEmpty() || change instanceof RowChange.Delete) {
            return false;
        }
        Map<String, Object> row = change instanceof RowChange.Insert insert ? insert.newValues() : ((RowChange.Update) change).newValues();
        PairKey pair = pairOf(relationship.get(), row);
        return isTombstoned(pair.mapping().from().label(), pair.fromId()) || isTombstoned(pair.mapping().to().label(), pair.toId());
    }

    /** The segment holds the node's state, or a version of one of its pairs. */
    private boolean holds(NodeMapping m, String id) {
        return nodes.containsKey(new NodeKey(m, id)) || pairEnds.contains(m.label() + ":" + id);
    }

    private boolean isTombstoned(String label, String id) {
        return id != null && tombstoned.contains(label + ":" + id);
    }

    /** Keeps the deleted row's node as a tombstone at {@code at}; the segment holds nothing else of it ({@link #mustEndBefore}). */
    void tombstoneNode(NodeMapping mapping, Map<String, Object> oldKey, Instant at) {
        String id = mapping.identity(oldKey);
        if (id == null) {
            throw new IllegalArgumentException(mapping.table() + ": a deleted row's old key lacks " + mapping.keyColumns()
                    + "; the replica identity must carry the mapped key");
        }
        tombstones.putIfAbsent(new NodeKey(mapping, id), at);
        tombstoned.add(mapping.label() + ":" + id);
    }

    private void addVersion(PairKey key, TemporalRow row) {
        temporal.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        pairEnds.add(key.mapping().from().label() + ":" + key.fromId());
        pairEnds.add(key.mapping().to().label() + ":" + key.toId());
    }

    private void upsertNodeAt(NodeMapping mapping, Map<String, Object> oldKey, Map<String, Object> newValues, Instant at) {
        String id = mapping.identity(newValues);
        if (id == null) {
            throw new IllegalArgumentException(mapping.table() + ": a row image without its key " + mapping.keyColumns());
        }
        if (oldKey != null) {
            String oldId = mapping.identity(oldKey);
            if (oldId != null && !oldId.equals(id)) {
                deleteNode(mapping, oldKey, at);
            }
        }
        EntityState state = nodes.computeIfAbsent(new NodeKey(mapping, id), k -> new EntityState());
        becomePresent(state, newValues, at);
    }

    /**
     * An INSERT or UPDATE committed at {@code at}. A key-changing UPDATE: the old identity's node is deleted, or kept as a
     * tombstone at the change's time.
     */
    void upsertNode(NodeMapping mapping, Map<String, Object> oldKey, Map<String, Object> newValues, Instant at) {
        if (mapping.tombstones() && oldKey != null) {
            String oldId = mapping.identity(oldKey);
            if (oldId != null && !oldId.equals(mapping.identity(newValues))) {
                tombstoneNode(mapping, oldKey, at);
                upsertNodeAt(mapping, null, newValues, at);
                return;
            }
        }
        upsertNodeAt(mapping, oldKey, newValues, at);
    }

    void deleteNode(NodeMapping mapping, Map<String, Object> oldKey, Instant at) {
        String id = mapping.identity(oldKey);
        if (id == null) {
            throw new IllegalArgumentException(mapping.table() + ": a deleted row's old key lacks " + mapping.keyColumns()
                    + "; the replica identity must carry the mapped key");
        }
        markDeleted(nodes.computeIfAbsent(new NodeKey(mapping, id), k -> new EntityState()), at);
        // The detach-delete takes the node's temporal history with it; a node recreated later in the
        // batch must not get that history back.
        temporal.keySet().removeIf(pair -> touches(pair, mapping.label(), id));
    }

    void upsertRelationship(RelationshipMapping mapping, Map<String, Object> oldKey, Map<String, Object> newValues, Instant at) {
        PairKey key = pairOf(mapping, newValues);
        if (oldKey != null) {
            PairKey oldPair = pairOf(mapping, oldKey);
            if (oldPair.fromId() != null && oldPair.toId() != null && !oldPair.equals(key)) {
                deleteRelationship(mapping, oldKey, at);
            }
        }
        if (key.fromId() == null || key.toId() == null) {
            return;
        }
        if (mapping.temporal()) {
            addVersion(key, new TemporalRow(key.fromId(), key.toId(), relationshipProperties(mapping, newValues, key.fromId(), key.toId()),
                    GraphValues.version(newValues, mapping.versionColumn()), at));
        } else {
            becomePresent(relationships.computeIfAbsent(key, k -> new EntityState()), newValues, at);
        }
    }

    void deleteRelationship(RelationshipMapping mapping, Map<String, Object> oldKey, Instant at) {
        PairKey key = pairOf(mapping, oldKey);
        if (key.fromId() == null || key.toId() == null) {
            return;
        }
        if (mapping.temporal()) {
            if (isTombstoned(mapping.from().label(), key.fromId()) || isTombstoned(mapping.to().label(), key.toId())) {
                return; // the tombstone closed the pair's open version at the same or an earlier time
            }
            addVersion(key, new TemporalRow(key.fromId(), key.toId(), null, null, at));
        } else {
            markDeleted(relationships.computeIfAbsent(key, k -> new EntityState()), at);
        }
    }

    private static PairKey pairOf(RelationshipMapping mapping, Map<String, Object> values) {
        return new PairKey(mapping, mapping.from().identity(values), mapping.to().identity(values));
    }

    private static void becomePresent(EntityState state, Map<String, Object> newValues, Instant at) {
        state.row = state.row == null ? newValues : Unchanged.keepFrom(state.row, newValues);
        state.at = at;
    }

    private static void markDeleted(EntityState state, Instant at) {
        state.row = null;
        state.deleteFirst = true;
        state.at = at;
        state.deletedAt = at;
    }

    /** A node deleted here, with the time of its last delete (the node may be created again after it, in this segment). */
    private record Deletion(String id, Instant at) {}

    void appendStepsTo(List<GraphStep> steps) {
        Set<String> deletedNodes = new HashSet<>();
        Map<NodeMapping, List<Tombstone>> nodeTombstones = new LinkedHashMap<>();
        tombstones.forEach((key, at) -> {
            deletedNodes.add(key.mapping().label() + ":" + key.id());
            nodeTombstones.computeIfAbsent(key.mapping(), m -> new ArrayList<>()).add(new Tombstone(key.id(), at));
        });
        Map<NodeMapping, List<Deletion>> nodeDeletes = new LinkedHashMap<>();
        Map<NodeMapping, List<NodeRow>> nodeUpserts = new LinkedHashMap<>();
        nodes.forEach((key, state) -> {
            if (state.row == null) {
                deletedNodes.add(key.mapping().label() + ":" + key.id());
            }
            if (state.row == null || state.deleteFirst) {
                nodeDeletes.computeIfAbsent(key.mapping(), m -> new ArrayList<>()).add(new Deletion(key.id(), state.deletedAt));
            }
            if (state.row != null) {
                nodeUpserts.computeIfAbsent(key.mapping(), m -> new ArrayList<>()).add(nodeRow(key, state.row, state.at));
            }
        });

        Map<RelationshipMapping, List<RelationshipKey>> relationshipDeletes = new LinkedHashMap<>();
        Map<RelationshipMapping, List<RelationshipRow>> relationshipUpserts = new LinkedHashMap<>();
        relationships.forEach((key, state) -> {
            // Deleted and inserted again: the new row starts from scratch (its version restarts too).
            if (state.row == null || state.deleteFirst) {
                relationshipDeletes.computeIfAbsent(key.mapping(), m -> new ArrayList<>()).add(new RelationshipKey(key.fromId(), key.toId()));
            }
            if (state.row != null && !touchesDeleted(key, deletedNodes)) {
                relationshipUpserts.computeIfAbsent(key.mapping(), m -> new ArrayList<>()).add(new RelationshipRow(key.fromId(), key.toId(),
                        relationshipProperties(key.mapping(), state.row, key.fromId(), key.toId()), GraphValues.version(state.row, key.mapping().versionColumn()),
                        state.at));
            }
        });

        relationshipDeletes.forEach((m, keys) -> steps.add(new DeleteRelationships(m, sorted(keys, Comparator.comparing(RelationshipKey::fromId).thenComparing(RelationshipKey::toId)))));
        nodeDeletes.forEach((m, deletions) -> {
            List<Deletion> byId = sorted(deletions, Comparator.comparing(Deletion::id));
            steps.add(new DeleteNodes(m, byId.stream().map(Deletion::id).toList(), byId.stream().map(Deletion::at).toList()));
        });
        nodeTombstones.forEach((m, rows) -> steps.add(new TombstoneNodes(m, mapping.historyTypes(m.label()), sorted(rows, Comparator.comparing(Tombstone::id)))));
        nodeUpserts.forEach((m, rows) -> steps.add(new UpsertNodes(m, sorted(rows, Comparator.comparing(NodeRow::id)))));
        nodes.keySet().stream().map(NodeKey::mapping).distinct().forEach(m -> appendParentLinks(m, deletedNodes, steps));
        relationshipUpserts.forEach((m, rows) -> steps.add(new UpsertRelationships(m, sorted(rows, Comparator.comparing(RelationshipRow::fromId).thenComparing(RelationshipRow::toId)))));
        appendTemporalRounds(deletedNodes, steps);
    }

    private void appendParentLinks(NodeMapping mapping, Set<String> deletedNodes, List<GraphStep> steps) {
        for (ParentLink link : mapping.parentLinks()) {
            List<ParentRow> rows = new ArrayList<>();
            nodes.forEach((key, state) -> {
                if (key.mapping() != mapping || state.row == null || GraphValues.anyUnchanged(state.row, link.columns())) {
                    return;
                }
                String parentId = link.parentIdentity(state.row);
                // A parent deleted in this batch must not come back as an empty node through the link.
                if (parentId != null && deletedNodes.contains(link.parentLabel() + ":" + parentId)) {
                    parentId = null;
                }
                rows.add(new ParentRow(key.id(), parentId, GraphValues.version(state.row, mapping.versionColumn()), state.at));
            });
            if (!rows.isEmpty()) {
                steps.add(new LinkParents(mapping, link, sorted(rows, Comparator.comparing(ParentRow::childId))));
            }
        }
    }

    private void appendTemporalRounds(Set<String> deletedNodes, List<GraphStep> steps) {
        Map<RelationshipMapping, List<List<TemporalRow>>> rounds = new LinkedHashMap<>();
        temporal.forEach((key, versions) -> {
            if (touchesDeleted(key, deletedNodes)) {
                return;
            }
            List<List<TemporalRow>> mappingRounds = rounds.computeIfAbsent(key.mapping(), m -> new ArrayList<>());
            for (int i = 0; i < versions.size(); i++) {
                if (mappingRounds.size() <= i) {
                    mappingRounds.add(new ArrayList<>());
                }
                mappingRounds.get(i).add(versions.get(i));
            }
        });
        // By start node: the statement that opens a version locks the pair's start node, and two workers whose rounds
        // share start nodes then take those locks in one order instead of deadlocking (at 5,000 changes/s with two
        // workers, Neo4j's deadlock retries had made single batches take 12 s).
        Comparator<TemporalRow> byStartNode = Comparator.comparing(TemporalRow::fromId).thenComparing(TemporalRow::toId);
        rounds.forEach((m, list) -> list.forEach(round -> steps.add(new TemporalRound(m, round.stream().sorted(byStartNode).toList()))));
    }

    private static boolean touches(PairKey pair, String label, String id) {
        return (pair.mapping().from().label().equals(label) && pair.fromId().equals(id))
                || (pair.mapping().to().label().equals(label) && pair.toId().equals(id));
    }

    private static boolean touchesDeleted(PairKey key, Set<String> deletedNodes) {
        return deletedNodes.contains(key.mapping().from().label() + ":" + key.fromId())
                || deletedNodes.contains(key.mapping().to().label() + ":" + key.toId());
    }

    private static NodeRow nodeRow(NodeKey key, Map<String, Object> row, Instant at) {
        NodeMapping mapping = key.mapping();
        Map<String, Object> properties = nodeProperties(mapping, key.id(), row);
        Object xref = mapping.crossReferenceColumn() == null ? null : row.get(mapping.crossReferenceColumn());
        return new NodeRow(key.id(), properties, GraphValues.version(row, mapping.versionColumn()),
                xref instanceof String s ? s : null, !row.containsValue(Unchanged.TOAST), at);
    }

    /** The properties a row gives its node (the columns' values a TOAST marker holds are left out), its identity included. */
    static Map<String, Object> nodeProperties(NodeMapping mapping, String id, Map<String, Object> row) {
        Map<String, Object> properties = new HashMap<>();
        row.forEach((column, value) -> {
            if (value == Unchanged.TOAST) {
                return;
            }
            JsonColumn flattened = mapping.columns().flattened(column);
            if (flattened != null) {
                GraphValues.flatten(flattened, value, properties, mapping.table().toString(), id);
            } else if (mapping.isPropertyColumn(column)) {
                properties.put(mapping.propertyName(column), GraphValues.toProperty(value));
            }
        });
        properties.put(mapping.idProperty(), id);
        properties.put(NodeMapping.PG_ID_PROPERTY, id);
        return properties;
    }

    static Map<String, Object> relationshipProperties(RelationshipMapping mapping, Map<String, Object> row, String fromId, String toId) {
        Map<String, Object> properties = new HashMap<>();
        row.forEach((column, value) -> {
            if (value == Unchanged.TOAST) {
                return;
            }
            JsonColumn flattened = mapping.columns().flattened(column);
            if (flattened != null) {
                GraphValues.flatten(flattened, value, properties, mapping.table().toString(), "(" + fromId + ") -> (" + toId + ")");
            } else if (mapping.isPropertyColumn(column)) {
                properties.put(mapping.propertyName(column), GraphValues.toProperty(value));
            }
        });
        return properties;
    }

    private static <T> List<T> sorted(List<T> list, Comparator<? super T> order) {
        list.sort(order);
        return List.copyOf(list);
    }
}
