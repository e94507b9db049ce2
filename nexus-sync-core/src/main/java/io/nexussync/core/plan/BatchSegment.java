package io.nexussync.core.plan;

import io.nexussync.core.mapping.JsonColumn;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
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
 */
final class BatchSegment {
    private record NodeKey(NodeMapping mapping, String id) {}

    private record PairKey(RelationshipMapping mapping, String fromId, String toId) {}

    /** {@code row == null} means the entity ends the segment deleted. */
    private static final class EntityState {
        Map<String, Object> row;
        boolean deleteFirst;
    }

    private final Map<NodeKey, EntityState> nodes = new LinkedHashMap<>();
    private final Map<PairKey, EntityState> relationships = new LinkedHashMap<>();
    private final Map<PairKey, List<TemporalRow>> temporal = new LinkedHashMap<>();

    void upsertNode(NodeMapping mapping, Map<String, Object> oldKey, Map<String, Object> newValues) {
        String id = mapping.identity(newValues);
        if (id == null) {
            throw new IllegalArgumentException(mapping.table() + ": a row image without its key " + mapping.keyColumns());
        }
        if (oldKey != null) {
            String oldId = mapping.identity(oldKey);
            if (oldId != null && !oldId.equals(id)) {
                deleteNode(mapping, oldKey);
            }
        }
        EntityState state = nodes.computeIfAbsent(new NodeKey(mapping, id), k -> new EntityState());
        becomePresent(state, newValues);
    }

    void deleteNode(NodeMapping mapping, Map<String, Object> oldKey) {
        String id = mapping.identity(oldKey);
        if (id == null) {
            throw new IllegalArgumentException(mapping.table() + ": a deleted row's old key lacks " + mapping.keyColumns()
                    + "; the replica identity must carry the mapped key");
        }
        markDeleted(nodes.computeIfAbsent(new NodeKey(mapping, id), k -> new EntityState()));
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
            temporal.computeIfAbsent(key, k -> new ArrayList<>()).add(
                    new TemporalRow(key.fromId(), key.toId(), relationshipProperties(mapping, newValues, key.fromId(), key.toId()),
                            GraphValues.version(newValues, mapping.versionColumn()), at));
        } else {
            becomePresent(relationships.computeIfAbsent(key, k -> new EntityState()), newValues);
        }
    }

    void deleteRelationship(RelationshipMapping mapping, Map<String, Object> oldKey, Instant at) {
        PairKey key = pairOf(mapping, oldKey);
        if (key.fromId() == null || key.toId() == null) {
            return;
        }
        if (mapping.temporal()) {
            temporal.computeIfAbsent(key, k -> new ArrayList<>()).add(new TemporalRow(key.fromId(), key.toId(), null, null, at));
        } else {
            markDeleted(relationships.computeIfAbsent(key, k -> new EntityState()));
        }
    }

    private static PairKey pairOf(RelationshipMapping mapping, Map<String, Object> values) {
        return new PairKey(mapping, mapping.from().identity(values), mapping.to().identity(values));
    }

    private static void becomePresent(EntityState state, Map<String, Object> newValues) {
        state.row = state.row == null ? newValues : Unchanged.keepFrom(state.row, newValues);
    }

    private static void markDeleted(EntityState state) {
        state.row = null;
        state.deleteFirst = true;
    }

    void appendStepsTo(List<GraphStep> steps) {
        Set<String> deletedNodes = new HashSet<>();
        Map<NodeMapping, List<String>> nodeDeletes = new LinkedHashMap<>();
        Map<NodeMapping, List<NodeRow>> nodeUpserts = new LinkedHashMap<>();
        nodes.forEach((key, state) -> {
            if (state.row == null) {
                deletedNodes.add(key.mapping().label() + ":" + key.id());
            }
            if (state.row == null || state.deleteFirst) {
                nodeDeletes.computeIfAbsent(key.mapping(), m -> new ArrayList<>()).add(key.id());
            }
            if (state.row != null) {
                nodeUpserts.computeIfAbsent(key.mapping(), m -> new ArrayList<>()).add(nodeRow(key, state.row));
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
                        relationshipProperties(key.mapping(), state.row, key.fromId(), key.toId()), GraphValues.version(state.row, key.mapping().versionColumn())));
            }
        });

        relationshipDeletes.forEach((m, keys) -> steps.add(new DeleteRelationships(m, sorted(keys, Comparator.comparing(RelationshipKey::fromId).thenComparing(RelationshipKey::toId)))));
        nodeDeletes.forEach((m, ids) -> steps.add(new DeleteNodes(m, sorted(ids, Comparator.naturalOrder()))));
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
                rows.add(new ParentRow(key.id(), parentId, GraphValues.version(state.row, mapping.versionColumn())));
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

    private static NodeRow nodeRow(NodeKey key, Map<String, Object> row) {
        NodeMapping mapping = key.mapping();
        Map<String, Object> properties = nodeProperties(mapping, key.id(), row);
        Object xref = mapping.crossReferenceColumn() == null ? null : row.get(mapping.crossReferenceColumn());
        return new NodeRow(key.id(), properties, GraphValues.version(row, mapping.versionColumn()),
                xref instanceof String s ? s : null, !row.containsValue(Unchanged.TOAST));
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
