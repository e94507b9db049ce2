package io.nexussync.plugin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.graphdb.Entity;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.event.LabelEntry;
import org.neo4j.graphdb.event.PropertyEntry;
import org.neo4j.graphdb.event.TransactionData;

/**
 * What a transaction changed, read out of its {@link TransactionData} before the plugin writes anything: the created
 * and deleted entities are live views of the transaction's state in Neo4j 5, so they would otherwise show the plugin's
 * own writes. Entities are keyed by elementId. A deleted entity's committed properties and labels come as removed
 * property and label entries (the node can no longer be read).
 */
final class TransactionChanges {
    final Map<String, Node> createdNodes = new LinkedHashMap<>();
    final Set<String> deletedNodes = new HashSet<>();
    /** Nodes whose properties changed or that gained or lost a label, deleted ones included. */
    final Map<String, Node> touchedNodes = new LinkedHashMap<>();
    final Map<String, Map<String, PropertyChange>> nodeProperties = new LinkedHashMap<>();
    final Map<String, Set<String>> assignedLabels = new LinkedHashMap<>();
    final Map<String, Set<String>> removedLabels = new LinkedHashMap<>();
    final List<Relationship> createdRelationships = new ArrayList<>();
    final Map<String, Relationship> deletedRelationships = new LinkedHashMap<>();
    final Map<String, Relationship> touchedRelationships = new LinkedHashMap<>();
    final Map<String, Map<String, PropertyChange>> relationshipProperties = new LinkedHashMap<>();

    static TransactionChanges of(TransactionData data) {
        TransactionChanges changes = new TransactionChanges();
        for (Node node : data.createdNodes()) {
            changes.createdNodes.put(node.getElementId(), node);
        }
        for (Node node : data.deletedNodes()) {
            changes.deletedNodes.add(node.getElementId());
        }
        for (Relationship relationship : data.createdRelationships()) {
            changes.createdRelationships.add(relationship);
        }
        for (Relationship relationship : data.deletedRelationships()) {
            changes.deletedRelationships.put(relationship.getElementId(), relationship);
        }
        for (PropertyEntry<Node> entry : data.assignedNodeProperties()) {
            put(changes.touchedNodes, changes.nodeProperties, entry, entry.value());
        }
        for (PropertyEntry<Node> entry : data.removedNodeProperties()) {
            put(changes.touchedNodes, changes.nodeProperties, entry, null);
        }
        for (LabelEntry entry : data.assignedLabels()) {
            label(changes.touchedNodes, changes.assignedLabels, entry);
        }
        for (LabelEntry entry : data.removedLabels()) {
            label(changes.touchedNodes, changes.removedLabels, entry);
        }
        for (PropertyEntry<Relationship> entry : data.assignedRelationshipProperties()) {
            put(changes.touchedRelationships, changes.relationshipProperties, entry, entry.value());
        }
        for (PropertyEntry<Relationship> entry : data.removedRelationshipProperties()) {
            put(changes.touchedRelationships, changes.relationshipProperties, entry, null);
        }
        return changes;
    }

    boolean nodeCreated(String elementId) {
        return createdNodes.containsKey(elementId);
    }

    boolean nodeDeleted(String elementId) {
        return deletedNodes.contains(elementId);
    }

    /** The value {@code key} had before this transaction (null for no key). */
    Object committed(Node node, String key) {
        if (key == null) {
            return null;
        }
        PropertyChange change = nodeProperties.getOrDefault(node.getElementId(), Map.of()).get(key);
        if (change != null) {
            return change.committed();
        }
        return nodeDeleted(node.getElementId()) || nodeCreated(node.getElementId()) ? null : node.getProperty(key, null);
    }

    /** The committed value of a relationship's property (a deleted relationship's are all among the removed entries). */
    Object committed(Relationship relationship, String key) {
        if (key == null) {
            return null;
        }
        PropertyChange change = relationshipProperties.getOrDefault(relationship.getElementId(), Map.of()).get(key);
        if (change != null) {
            return change.committed();
        }
        return deletedRelationships.containsKey(relationship.getElementId()) ? null : relationship.getProperty(key, null);
    }

    /** Every committed property of a deleted relationship. */
    Map<String, Object> committedProperties(Relationship relationship) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (PropertyChange change : relationshipProperties.getOrDefault(relationship.getElementId(), Map.of()).values()) {
            if (change.committed() != null) {
                values.put(change.key(), change.committed());
            }
        }
        return values;
    }

    private static <E extends Entity> void put(Map<String, E> entities, Map<String, Map<String, PropertyChange>> properties,
            PropertyEntry<E> entry, Object value) {
        E entity = entry.entity();
        String id = entity.getElementId();
        entities.putIfAbsent(id, entity);
        properties.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(entry.key(), new PropertyChange(entry.key(), entry.previouslyCommittedValue(), value));
    }

    private static void label(Map<String, Node> nodes, Map<String, Set<String>> labels, LabelEntry entry) {
        Node node = entry.node();
        nodes.putIfAbsent(node.getElementId(), node);
        labels.computeIfAbsent(node.getElementId(), k -> new LinkedHashSet<>()).add(entry.label().name());
    }
}
