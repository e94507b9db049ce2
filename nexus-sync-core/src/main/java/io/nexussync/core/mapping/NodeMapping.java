package io.nexussync.core.mapping;

import io.nexussync.core.model.TableId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the rows of one table become nodes: one node per row, found by {@code label} and the identity
 * property {@code idProperty} ({@code id} unless the mapping names another), which holds the key as one
 * string ({@link NodeIdentity}); {@code pgId} holds the same. Every column becomes a property (its
 * lowerCamelCase name unless renamed) except the PG-only ones, the sync columns, the columns of a
 * {@link ParentLink} that are not key columns, and a single key column whose property would be the
 * identity property itself (the identity holds it). Key columns of a composite key stay properties.
 *
 * @param keyColumns           the key, one column or several (unique and not null in the table)
 * @param versionColumn        the row version that only moves forward ({@code pg_version}), or null for none
 * @param graphVersionColumn   the graph-side version column setup adds beside the row version ({@code neo4j_version}), or null
 * @param crossReferenceColumn where the node's elementId is written back ({@code neo4j_node_id}), or null
 * @param tombstones           a deleted row's node stays as a tombstone ({@link #TOMBSTONE_LABEL}, {@link #DELETED_AT_PROPERTY},
 *                             its last properties) with its temporal relationships closed, so history outlives the delete;
 *                             false (the contract's rule) removes the node and every relationship with it
 */
public record NodeMapping(
        TableId table,
        String label,
        List<String> keyColumns,
        String idProperty,
        String versionColumn,
        String graphVersionColumn,
        String crossReferenceColumn,
        Set<String> graphOnlyProperties,
        ColumnRules columns,
        List<ParentLink> parentLinks,
        boolean tombstones) {

    public static final String DEFAULT_ID_PROPERTY = "id";
    /** The contract's copy of the identity on every node. */
    public static final String PG_ID_PROPERTY = "pgId";
    /**
     * The label a tombstone gains beside its own: every current-state read leaves such nodes out. The node keeps its label
     * and identity, so the unique constraint still finds it, and a row inserted again with its key brings it back.
     */
    public static final String TOMBSTONE_LABEL = "Deleted";
    /** When the row was deleted (its transaction's commit time), on a tombstone only. */
    public static final String DELETED_AT_PROPERTY = "deletedAt";

    /** The one key column; only for a single-column key. */
    public String keyColumn() {
        if (keyColumns.size() != 1) {
            throw new IllegalStateException(table + " has a composite key " + keyColumns + ": use keyColumns()");
        }
        return keyColumns.get(0);
    }

    public boolean compositeKey() {
        return keyColumns.size() > 1;
    }

    public Set<String> pgOnlyColumns() {
        return columns.pgOnly();
    }

    public String propertyName(String column) {
        return columns.propertyName(column);
    }

    public String versionProperty() {
        return versionColumn == null ? null : propertyName(versionColumn);
    }

    /** The row's identity, or null when a key column is null (or absent from the row). */
    public String identity(Map<String, Object> row) {
        return NodeIdentity.of(row, keyColumns);
    }

    /** The key columns' text forms that {@code identity} encodes, by column: a row image that has this identity. */
    public Map<String, Object> keyValues(String identity) {
        List<String> parts = NodeIdentity.decode(identity, keyColumns.size());
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            values.put(keyColumns.get(i), parts.get(i));
        }
        return values;
    }

    /** Whether {@code column} becomes a property of its own (flattened json columns are handled apart). */
    public boolean isPropertyColumn(String column) {
        if (column.equals(crossReferenceColumn) || columns.pgOnly().contains(column) || columns.flattened(column) != null) {
            return false;
        }
        boolean key = keyColumns.contains(column);
        if (key && keyColumns.size() == 1 && propertyName(column).equals(idProperty)) {
            return false;
        }
        if (!key) {
            for (ParentLink link : parentLinks) {
                if (link.columns().contains(column)) {
                    return false;
                }
            }
        }
        return !graphOnlyProperties.contains(propertyName(column));
    }
}
