package io.nexussync.core.reverse;

import java.util.Map;

/**
 * What a graph transaction did to one mapped entity. Sealed with a visitor: a new kind does not compile until every
 * place that handles edits handles it.
 */
public sealed interface EntityEdit {

    <R> R accept(Visitor<R> visitor);

    /** The label or relationship type the edit is about: what conflicts and applied counts are reported by. */
    String entity();

    /** The row version the graph showed when the edit was made (null: none known, or an edit that makes something new). */
    Long basePgVersion();

    interface Visitor<R> {
        R nodeUpdated(NodeUpdated edit);

        R nodeCreated(NodeCreated edit);

        R nodeDeleted(NodeDeleted edit);

        R relationshipCreated(RelationshipCreated edit);

        R relationshipDeleted(RelationshipDeleted edit);

        R relationshipUpdated(RelationshipUpdated edit);
    }

    /**
     * Flowing properties of a node edited; the plugin moved its graph version from {@code baseGraphVersion} to
     * {@code graphVersion}. {@code basePgVersion}: the row version the node showed when edited (null: none).
     */
    record NodeUpdated(String label, String id, String elementId, Long basePgVersion, long baseGraphVersion, long graphVersion,
                       Map<String, PropertyChange> changes) implements EntityEdit {
        public NodeUpdated {
            changes = Map.copyOf(changes);
        }

        @Override
        public String entity() {
            return label;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.nodeUpdated(this);
        }
    }

    /** A node of a mapped label created in the graph; {@code id} is null until PostgreSQL's key is assigned to it. */
    record NodeCreated(String label, String elementId, String id, long graphVersion, Map<String, Object> properties) implements EntityEdit {
        public NodeCreated {
            properties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
        }

        public NodeCreated withId(String key) {
            return new NodeCreated(label, elementId, key, graphVersion, properties);
        }

        @Override
        public String entity() {
            return label;
        }

        @Override
        public Long basePgVersion() {
            return null;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.nodeCreated(this);
        }
    }

    /** A node deleted in the graph (only for labels whose mapping deletes rows; the others refuse in the graph). */
    record NodeDeleted(String label, String id, String elementId, Long basePgVersion, long baseGraphVersion) implements EntityEdit {
        @Override
        public String entity() {
            return label;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.nodeDeleted(this);
        }
    }

    /** A relationship of a mapped type created between two identified nodes. */
    record RelationshipCreated(String type, String fromId, String toId, Map<String, Object> properties) implements EntityEdit {
        public RelationshipCreated {
            properties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
        }

        @Override
        public String entity() {
            return type;
        }

        @Override
        public Long basePgVersion() {
            return null;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.relationshipCreated(this);
        }
    }

    /** A relationship of a mapped type deleted (for a temporal type: its current version). */
    record RelationshipDeleted(String type, String fromId, String toId, Long basePgVersion) implements EntityEdit {
        @Override
        public String entity() {
            return type;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.relationshipDeleted(this);
        }
    }

    /** Flowing properties of a relationship edited (for a temporal type: of its current version, which the plugin left as it was). */
    record RelationshipUpdated(String type, String fromId, String toId, Long basePgVersion, Map<String, PropertyChange> changes)
            implements EntityEdit {
        public RelationshipUpdated {
            changes = Map.copyOf(changes);
        }

        @Override
        public String entity() {
            return type;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.relationshipUpdated(this);
        }
    }
}
