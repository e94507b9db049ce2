package io.nexussync.plugin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/** The rules the service published in the graph, read in one go: node rules by label, relationship rules by type. */
record ReverseConfig(Map<String, NodeRule> nodes, Map<String, List<RelationshipRule>> relationships) {
    static final Label NODE_RULE = Label.label("_SyncReverseNode");
    static final Label RELATIONSHIP_RULE = Label.label("_SyncReverseRelationship");
    static final ReverseConfig NONE = new ReverseConfig(Map.of(), Map.of());

    boolean isEmpty() {
        return nodes.isEmpty() && relationships.isEmpty();
    }

    /** The rule of the type whose endpoints carry its labels, or null. */
    RelationshipRule relationship(String type, Node from, Node to) {
        for (RelationshipRule rule : relationships.getOrDefault(type, List.of())) {
            if (from.hasLabel(Label.label(rule.fromLabel())) && to.hasLabel(Label.label(rule.toLabel()))) {
                return rule;
            }
        }
        return null;
    }

    static ReverseConfig read(Transaction tx) {
        Map<String, NodeRule> nodes = new LinkedHashMap<>();
        try (ResourceIterator<Node> found = tx.findNodes(NODE_RULE)) {
            found.forEachRemaining(n -> {
                String label = text(n, "label", null);
                if (label != null) {
                    nodes.put(label, new NodeRule(label, text(n, "idProperty", "id"), text(n, "pgIdProperty", "pgId"),
                            text(n, "versionProperty", null), text(n, "graphVersionProperty", null), names(n),
                            !"delete".equals(text(n, "onDelete", "refuse")), Boolean.TRUE.equals(n.getProperty("create", false)),
                            text(n, "tombstoneLabel", null)));
                }
            });
        }
        Map<String, List<RelationshipRule>> relationships = new LinkedHashMap<>();
        try (ResourceIterator<Node> found = tx.findNodes(RELATIONSHIP_RULE)) {
            found.forEachRemaining(n -> {
                String type = text(n, "type", null);
                String fromLabel = text(n, "fromLabel", null);
                String toLabel = text(n, "toLabel", null);
                if (type != null && fromLabel != null && toLabel != null) {
                    relationships.computeIfAbsent(type, t -> new ArrayList<>()).add(new RelationshipRule(type, fromLabel,
                            text(n, "fromIdProperty", "id"), toLabel, text(n, "toIdProperty", "id"), text(n, "versionProperty", null),
                            Boolean.TRUE.equals(n.getProperty("temporal", false)), names(n)));
                }
            });
        }
        return nodes.isEmpty() && relationships.isEmpty() ? NONE : new ReverseConfig(nodes, relationships);
    }

    private static String text(Node n, String key, String otherwise) {
        Object value = n.getProperty(key, null);
        return value instanceof String s && !s.isEmpty() ? s : otherwise;
    }

    private static Set<String> names(Node n) {
        Object value = n.getProperty("properties", null);
        Set<String> names = new LinkedHashSet<>();
        if (value instanceof String[] array) {
            names.addAll(List.of(array));
        } else if (value instanceof String single) {
            names.add(single);
        }
        return Collections.unmodifiableSet(names);
    }
}
