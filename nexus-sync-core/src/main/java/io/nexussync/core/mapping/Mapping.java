package io.nexussync.core.mapping;

import io.nexussync.core.model.TableId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The whole mapping from tables to graph: immutable, validated when loaded ({@link MappingLoader}). */
public record Mapping(String name, List<NodeMapping> nodes, List<RelationshipMapping> relationships) {

    public Optional<NodeMapping> node(TableId table) {
        return nodes.stream().filter(n -> n.table().equals(table)).findFirst();
    }

    public Optional<RelationshipMapping> relationship(TableId table) {
        return relationships.stream().filter(r -> r.table().equals(table)).findFirst();
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
