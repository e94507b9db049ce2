package io.nexussync.core.mapping;

import io.nexussync.core.model.TableId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole mapping from tables to graph: immutable, validated when loaded ({@link MappingLoader}). {@code reverse}
 * holds each table's rules for edits made in the graph where its entry has a {@code reverse:} key; the others follow
 * {@link ReverseRules#NODE_DEFAULT} or {@link ReverseRules#RELATIONSHIP_DEFAULT}.
 */
public record Mapping(String name, List<NodeMapping> nodes, List<RelationshipMapping> relationships, Map<TableId, ReverseRules> reverse) {

    public Mapping(String name, List<NodeMapping> nodes, List<RelationshipMapping> relationships) {
        this(name, nodes, relationships, Map.of());
    }

    /** The table's rules for graph-side edits. */
    public ReverseRules reverseRules(TableId table) {
        ReverseRules rules = reverse.get(table);
        if (rules != null) {
            return rules;
        }
        return relationship(table).isPresent() ? ReverseRules.RELATIONSHIP_DEFAULT : ReverseRules.NODE_DEFAULT;
    }

    /** The temporal relationship types with an end of this label: what a tombstone of it keeps, closed. */
    public List<String> historyTypes(String label) {
        return relationships.stream().filter(RelationshipMapping::temporal)
                .filter(r -> r.from().label().equals(label) || r.to().label().equals(label))
                .map(RelationshipMapping::type).distinct().toList();
    }

    public Optional<NodeMapping> nodeByLabel(String label) {
        return nodes.stream().filter(n -> n.label().equals(label)).findFirst();
    }

    public Optional<RelationshipMapping> relationshipByType(String type) {
        return relationships.stream().filter(r -> r.type().equals(type)).findFirst();
    }

    // Plain loops, not streams: these two are asked several times for every change read.
    public Optional<NodeMapping> node(TableId table) {
        for (NodeMapping n : nodes) {
            if (n.table().equals(table)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    public Optional<RelationshipMapping> relationship(TableId table) {
        for (RelationshipMapping r : relationships) {
            if (r.table().equals(table)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Every mapped table, node tables first: the order that creates nodes before what points at them. */
    public Set<TableId> tables() {
        Set<TableId> tables = new LinkedHashSet<>();
        nodes.forEach(n -> tables.add(n.table()));
        relationships.forEach(r -> tables.add(r.table()));
        return tables;
    }

    public Set<String> labels() {
        Set<String> labels = new LinkedHashSet<>();
        nodes.forEach(n -> labels.add(n.label()));
        return labels;
    }
}
