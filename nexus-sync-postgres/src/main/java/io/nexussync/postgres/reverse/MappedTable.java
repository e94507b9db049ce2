package io.nexussync.postgres.reverse;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the reverse applier needs of a mapped table: its key, its row version (bumped on every write), its graph
 * version and cross-reference columns (nodes only), and how its columns are named in the graph.
 *
 * @param label null for a join table
 */
record MappedTable(TableId table, String label, List<String> keyColumns, String versionColumn, String graphVersionColumn,
                   String crossReferenceColumn, NodeMapping node, RelationshipMapping relationship) {

    static Map<TableId, MappedTable> of(Mapping mapping) {
        Map<TableId, MappedTable> tables = new LinkedHashMap<>();
        for (NodeMapping node : mapping.nodes()) {
            tables.put(node.table(), new MappedTable(node.table(), node.label(), node.keyColumns(), node.versionColumn(),
                    node.graphVersionColumn(), node.crossReferenceColumn(), node, null));
        }
        for (RelationshipMapping relationship : mapping.relationships()) {
            tables.putIfAbsent(relationship.table(), new MappedTable(relationship.table(), null, relationship.keyColumns(),
                    relationship.versionColumn(), null, null, null, relationship));
        }
        return tables;
    }

    /** The graph property a column is, where the graph names it so. */
    String propertyName(String column) {
        return node != null ? node.propertyName(column) : relationship.propertyName(column);
    }
}
