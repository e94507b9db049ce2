package io.nexussync.plugin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;

/**
 * Turns one transaction's changes into the edits of its outbox entry and the writes that go with them (version bumps,
 * the undoing of changes to a temporal type's history). Everything is read and every refusal thrown before anything is
 * written. A node counts for a mapped label it has, gains (a create) or loses (a delete, also when the node survives
 * without the label).
 */
final class EditCollector {
    private final ReverseConfig config;
    private final TransactionChanges changes;
    private final List<Map<String, Object>> edits = new ArrayList<>();
    private final List<Runnable> writes = new ArrayList<>();
    private final List<PairGuard.Pair> createdPairs = new ArrayList<>();

    private EditCollector(ReverseConfig config, TransactionChanges changes) {
        this.config = config;
        this.changes = changes;
    }

    /** @throws Refusal when the transaction changes what only PostgreSQL may change */
    static EditCollector collect(ReverseConfig config, TransactionChanges changes) {
        EditCollector collector = new EditCollector(config, changes);
        collector.nodes();
        collector.relationships();
        return collector;
    }

    List<Map<String, Object>> edits() {
        return edits;
    }

    /**
     * The pairs this transaction leaves a new relationship of a mapped type between, once the writes are done: those it
     * created (but not a temporal type's, which the writes remove again) and the current versions the writes put back.
     */
    List<PairGuard.Pair> createdPairs() {
        return createdPairs;
    }

    /** The writes that go with the edits, in the transaction being committed. */
    void write() {
        writes.forEach(Runnable::run);
    }

    private void nodes() {
        for (Node node : changes.createdNodes.values()) {
            for (Label label : node.getLabels()) {
                NodeRule rule = config.nodes().get(label.name());
                if (rule != null) {
                    created(node, rule);
                }
            }
        }
        for (Map.Entry<String, Node> touched : changes.touchedNodes.entrySet()) {
            String elementId = touched.getKey();
            Node node = touched.getValue();
            if (changes.nodeCreated(elementId)) {
                continue;
            }
            Set<String> removed = changes.removedLabels.getOrDefault(elementId, Set.of());
            for (String label : removed) {
                NodeRule rule = config.nodes().get(label);
                if (rule != null && !tombstone(node, rule, removed)) {
                    deleted(node, rule);
                }
            }
            if (changes.nodeDeleted(elementId)) {
                continue;
            }
            Set<String> gained = changes.assignedLabels.getOrDefault(elementId, Set.of());
            for (String label : gained) {
                NodeRule rule = config.nodes().get(label);
                if (rule != null) {
                    created(node, rule);
                }
            }
            Map<String, PropertyChange> properties = changes.nodeProperties.get(elementId);
            if (properties == null) {
                continue;
            }
            for (Label label : node.getLabels()) {
                NodeRule rule = config.nodes().get(label.name());
                if (rule != null && !gained.contains(label.name()) && !tombstone(node, rule, removed)) {
                    updated(node, rule, properties);
                }
            }
        }
    }

    /** The node is, or was when the transaction began, one of the label's tombstones: history, not a row's mirror. */
    private static boolean tombstone(Node node, NodeRule rule, Set<String> removedLabels) {
        if (rule.tombstoneLabel() == null) {
            return false;
        }
        return removedLabels.contains(rule.tombstoneLabel()) || (!removedLabels.contains(rule.label()) && node.hasLabel(Label.label(rule.tombstoneLabel())));
    }

    private void created(Node node, NodeRule rule) {
        if (!rule.create()) {
            throw Refusal.creation(rule.label());
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String key : rule.properties()) {
            Object value = node.getProperty(key, null);
            if (value != null) {
                properties.put(key, value);
            }
        }
        edits.add(edit("node-created", "label", rule.label(), "elementId", node.getElementId(), "id", node.getProperty(rule.idProperty(), null),
                "graphVersion", 1L, "properties", properties));
        setGraphVersion(node, rule, 1L);
    }

    private void deleted(Node node, NodeRule rule) {
        if (rule.refuseDelete()) {
            throw Refusal.deletion(rule.label());
        }
        edits.add(edit("node-deleted", "label", rule.label(), "id", changes.committed(node, rule.idProperty()), "elementId", node.getElementId(),
                "basePgVersion", version(changes.committed(node, rule.versionProperty())),
                "baseGraphVersion", graphVersion(node, rule)));
    }

    private void updated(Node node, NodeRule rule, Map<String, PropertyChange> properties) {
        Map<String, Object> changed = flowing(rule.properties(), properties);
        if (changed.isEmpty()) {
            return;
        }
        long base = graphVersion(node, rule);
        edits.add(edit("node-updated", "label", rule.label(), "id", changes.committed(node, rule.idProperty()), "elementId", node.getElementId(),
                "basePgVersion", version(changes.committed(node, rule.versionProperty())), "baseGraphVersion", base,
                "graphVersion", base + 1, "changes", changed));
        setGraphVersion(node, rule, base + 1);
    }

    private long graphVersion(Node node, NodeRule rule) {
        Object committed = changes.committed(node, rule.graphVersionProperty());
        return committed instanceof Number n ? n.longValue() : 0L;
    }

    private void setGraphVersion(Node node, NodeRule rule, long version) {
        if (rule.graphVersionProperty() != null) {
            writes.add(() -> node.setProperty(rule.graphVersionProperty(), version));
        }
    }

    private void relationships() {
        Set<String> created = new HashSet<>();
        for (Relationship relationship : changes.createdRelationships) {
            created.add(relationship.getElementId());
            RelationshipRule rule = rule(relationship);
            if (rule != null && !rule.temporal()) {
                createdPairs.add(new PairGuard.Pair(relationship.getStartNode(), relationship.getEndNode(), rule));
            }
            Endpoints ends = endpoints(relationship, rule);
            if (ends == null) {
                continue;
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            for (String key : ends.rule.properties()) {
                Object value = relationship.getProperty(key, null);
                if (value != null) {
                    properties.put(key, value);
                }
            }
            edits.add(edit("relationship-created", "type", ends.rule.type(), "from", ends.from, "to", ends.to, "properties", properties));
            if (ends.rule.temporal()) {
                // PostgreSQL owns the history: the row's INSERT comes back through the stream as the one new version.
                writes.add(relationship::delete);
            }
        }
        for (Relationship relationship : changes.deletedRelationships.values()) {
            if (changes.nodeDeleted(relationship.getStartNode().getElementId()) || changes.nodeDeleted(relationship.getEndNode().getElementId())) {
                continue;
            }
            Endpoints ends = endpoints(relationship);
            if (ends == null) {
                continue;
            }
            if (ends.rule.temporal()) {
                TemporalVersion version = TemporalVersion.of(changes.committed(relationship, "validTo"));
                if (version == TemporalVersion.CLOSED) {
                    throw Refusal.closedVersion(ends.rule.type(), "deleted");
                }
                if (version == TemporalVersion.NONE) {
                    continue;
                }
                // The row's DELETE comes back through the stream and closes this version: the history is kept.
                Map<String, Object> restored = changes.committedProperties(relationship);
                Node from = relationship.getStartNode();
                Node to = relationship.getEndNode();
                writes.add(() -> {
                    Relationship again = from.createRelationshipTo(to, relationship.getType());
                    restored.forEach(again::setProperty);
                });
                createdPairs.add(new PairGuard.Pair(from, to, ends.rule));
            }
            edits.add(edit("relationship-deleted", "type", ends.rule.type(), "from", ends.from, "to", ends.to,
                    "basePgVersion", version(changes.committed(relationship, ends.rule.versionProperty()))));
        }
        for (Map.Entry<String, Relationship> touched : changes.touchedRelationships.entrySet()) {
            if (created.contains(touched.getKey()) || changes.deletedRelationships.containsKey(touched.getKey())) {
                continue;
            }
            updated(touched.getValue(), changes.relationshipProperties.get(touched.getKey()));
        }
    }

    private void updated(Relationship relationship, Map<String, PropertyChange> properties) {
        Endpoints ends = endpoints(relationship);
        if (ends == null) {
            return;
        }
        if (ends.rule.temporal()) {
            TemporalVersion version = TemporalVersion.of(changes.committed(relationship, "validTo"));
            if (version == TemporalVersion.CLOSED && properties.values().stream().anyMatch(PropertyChange::changed)) {
                throw Refusal.closedVersion(ends.rule.type(), "changed");
            }
            if (version != TemporalVersion.CURRENT) {
                return;
            }
            // The row's UPDATE comes back through the stream as the one new version; until then the current one stays as it was.
            writes.add(() -> properties.values().forEach(change -> {
                if (change.committed() == null) {
                    relationship.removeProperty(change.key());
                } else {
                    relationship.setProperty(change.key(), change.committed());
                }
            }));
        }
        Map<String, Object> changed = flowing(ends.rule.properties(), properties);
        if (!changed.isEmpty()) {
            edits.add(edit("relationship-updated", "type", ends.rule.type(), "from", ends.from, "to", ends.to,
                    "basePgVersion", version(changes.committed(relationship, ends.rule.versionProperty())),
                    "changes", changed));
        }
    }

    private record Endpoints(RelationshipRule rule, Object from, Object to) {}

    /** The rule of the relationship's type between its endpoints' labels, or null when it is not mapped. */
    private RelationshipRule rule(Relationship relationship) {
        return config.relationship(relationship.getType().name(), relationship.getStartNode(), relationship.getEndNode());
    }

    private Endpoints endpoints(Relationship relationship) {
        return endpoints(relationship, rule(relationship));
    }

    /** The rule and the endpoints' identities, or null when the type is not mapped between these labels or an endpoint has no identity. */
    private Endpoints endpoints(Relationship relationship, RelationshipRule rule) {
        if (rule == null) {
            return null;
        }
        Node from = relationship.getStartNode();
        Node to = relationship.getEndNode();
        Object fromId = changes.committed(from, rule.fromIdProperty());
        Object toId = changes.committed(to, rule.toIdProperty());
        if (fromId == null) {
            fromId = from.getProperty(rule.fromIdProperty(), null);
        }
        if (toId == null) {
            toId = to.getProperty(rule.toIdProperty(), null);
        }
        return fromId == null || toId == null ? null : new Endpoints(rule, fromId, toId);
    }

    /** The changed flowing properties, in the order the rule names them. */
    private static Map<String, Object> flowing(Set<String> flowing, Map<String, PropertyChange> properties) {
        Map<String, Object> changed = new LinkedHashMap<>();
        for (String key : flowing) {
            PropertyChange change = properties.get(key);
            if (change != null && change.changed()) {
                changed.put(change.key(), edit(null, "old", change.committed(), "new", change.value()));
            }
        }
        return changed;
    }

    private static Object version(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    /** An edit (or any JSON object) in the order the spec writes it; values may be null. */
    private static Map<String, Object> edit(String kind, Object... keysAndValues) {
        Map<String, Object> edit = new LinkedHashMap<>();
        if (kind != null) {
            edit.put("kind", kind);
        }
        for (int i = 0; i < keysAndValues.length; i += 2) {
            edit.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return edit;
    }
}
