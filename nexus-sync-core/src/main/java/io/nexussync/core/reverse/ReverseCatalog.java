package io.nexussync.core.reverse;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.mapping.ReverseRules;
import io.nexussync.core.model.TableId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What flows back from the graph, per label and relationship type: the mapping's reverse rules applied to the tables'
 * columns. A property flows back when its column is a core column of the mapping (not PG-only, not a sync column, not
 * the key, not a flattened json column) that the table's rules do not keep to the graph; graph-only properties never
 * do. The plugin receives the same (published as configuration nodes), so both sides agree on what an edit is.
 */
public final class ReverseCatalog {

    /** A label's rules. {@code columnsByProperty}: the flowing properties and their columns. */
    public record NodeRules(NodeMapping mapping, ReverseRules rules, Map<String, String> columnsByProperty) {
        public String label() {
            return mapping.label();
        }

        public String idProperty() {
            return mapping.idProperty();
        }

        public String versionProperty() {
            return mapping.versionProperty();
        }

        public String graphVersionProperty() {
            return mapping.graphVersionColumn() == null ? null : mapping.propertyName(mapping.graphVersionColumn());
        }

        public List<String> properties() {
            return List.copyOf(columnsByProperty.keySet());
        }

        /** The row of the node with this identity. */
        public RowRef row(String id) {
            return new RowRef(mapping.table(), mapping.keyValues(id), id);
        }
    }

    /** A relationship type's rules. */
    public record RelationshipRules(RelationshipMapping mapping, ReverseRules rules, Map<String, String> columnsByProperty) {
        public String type() {
            return mapping.type();
        }

        public List<String> properties() {
            return List.copyOf(columnsByProperty.keySet());
        }

        /** The join row of the relationship between the nodes with these identities. */
        public RowRef row(String fromId, String toId) {
            Map<String, Object> key = new LinkedHashMap<>();
            putKey(key, mapping.from().columns(), fromId);
            putKey(key, mapping.to().columns(), toId);
            return new RowRef(mapping.table(), key, RelationshipMapping.pairKey(fromId, toId));
        }

        private static void putKey(Map<String, Object> key, List<String> columns, String identity) {
            List<String> parts = NodeIdentity.decode(identity, columns.size());
            for (int i = 0; i < columns.size(); i++) {
                key.put(columns.get(i), parts.get(i));
            }
        }
    }

    private final Map<String, NodeRules> nodes;
    private final Map<String, RelationshipRules> relationships;

    private ReverseCatalog(Map<String, NodeRules> nodes, Map<String, RelationshipRules> relationships) {
        this.nodes = nodes;
        this.relationships = relationships;
    }

    /** @param columns each mapped table's columns, in table order (from PostgreSQL's catalog) */
    public static ReverseCatalog of(Mapping mapping, Function<TableId, List<String>> columns) {
        Map<String, NodeRules> nodes = new LinkedHashMap<>();
        for (NodeMapping node : mapping.nodes()) {
            ReverseRules rules = mapping.reverseRules(node.table());
            if (!rules.enabled()) {
                continue;
            }
            Map<String, String> flowing = new LinkedHashMap<>();
            for (String column : columns.apply(node.table())) {
                if (node.isPropertyColumn(column) && !node.keyColumns().contains(column) && !column.equals(node.versionColumn())
                        && !column.equals(node.graphVersionColumn()) && rules.flowsBack(column)) {
                    flowing.put(node.propertyName(column), column);
                }
            }
            nodes.put(node.label(), new NodeRules(node, rules, Collections.unmodifiableMap(flowing)));
        }
        Map<String, RelationshipRules> relationships = new LinkedHashMap<>();
        for (RelationshipMapping relationship : mapping.relationships()) {
            ReverseRules rules = mapping.reverseRules(relationship.table());
            if (!rules.enabled() || relationships.containsKey(relationship.type())) {
                continue;
            }
            Map<String, String> flowing = new LinkedHashMap<>();
            for (String column : columns.apply(relationship.table())) {
                if (relationship.isPropertyColumn(column) && !column.equals(relationship.versionColumn()) && rules.flowsBack(column)) {
                    flowing.put(relationship.propertyName(column), column);
                }
            }
            relationships.put(relationship.type(), new RelationshipRules(relationship, rules, Collections.unmodifiableMap(flowing)));
        }
        return new ReverseCatalog(Collections.unmodifiableMap(nodes), Collections.unmodifiableMap(relationships));
    }

    public Optional<NodeRules> node(String label) {
        return Optional.ofNullable(nodes.get(label));
    }

    public Optional<RelationshipRules> relationship(String type) {
        return Optional.ofNullable(relationships.get(type));
    }

    public List<NodeRules> nodes() {
        return new ArrayList<>(nodes.values());
    }

    public List<RelationshipRules> relationships() {
        return new ArrayList<>(relationships.values());
    }

    public boolean isEmpty() {
        return nodes.isEmpty() && relationships.isEmpty();
    }
}
