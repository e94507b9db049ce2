package io.nexussync.core.plan;

import io.nexussync.core.model.TableId;
import java.util.List;
import java.util.Set;

/**
 * How the rows of one table become nodes: one node per row, found by {@code label} and {@code id}
 * (the key as a string). Every column becomes a lowerCamelCase property except the PG-only ones,
 * the cross-reference column and the columns that carry a {@link ParentLink}.
 *
 * @param versionColumn        the row version that only moves forward ({@code pg_version}), or null for none
 * @param crossReferenceColumn where the node's elementId is written back ({@code neo4j_node_id}), or null
 */
public record NodeMapping(
        TableId table,
        String label,
        String keyColumn,
        String versionColumn,
        String crossReferenceColumn,
        Set<String> pgOnlyColumns,
        Set<String> graphOnlyProperties,
        List<ParentLink> parentLinks) {

    public String versionProperty() {
        return versionColumn == null ? null : PropertyNames.camelCase(versionColumn);
    }

    public boolean isPropertyColumn(String column) {
        if (column.equals(crossReferenceColumn) || pgOnlyColumns.contains(column)) {
            return false;
        }
        for (ParentLink link : parentLinks) {
            if (link.column().equals(column)) {
                return false;
            }
        }
        return !graphOnlyProperties.contains(PropertyNames.camelCase(column));
    }
}
