package io.nexussync.core.mapping;

import io.nexussync.core.model.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the rows of a join table become relationships {@code (from)-[:type]->(to)}, one per (from, to)
 * pair. The other columns become properties (lowerCamelCase unless renamed), the version column under
 * {@code versionProperty}. A temporal relationship keeps its history: a change closes the current
 * version ({@code validTo}) and opens a new one.
 */
public record RelationshipMapping(
        TableId table,
        String type,
        Endpoint from,
        Endpoint to,
        String versionColumn,
        String versionProperty,
        boolean temporal,
        ColumnRules columns) {

    /**
     * One end of the relationship: the node label, this table's columns holding that node's key (in
     * the node's key order), and the label's identity property.
     */
    public record Endpoint(String label, List<String> columns, String idProperty) {
        /** The endpoint node's identity from a row, or null when a column is null or absent. */
        public String identity(Map<String, Object> row) {
            return NodeIdentity.of(row, columns);
        }
    }

    /** The columns that identify one relationship row: the from columns, then the to columns (a column in both once). */
    public List<String> keyColumns() {
        List<String> key = new ArrayList<>(from.columns());
        for (String column : to.columns()) {
            if (!key.contains(column)) {
                key.add(column);
            }
        }
        return List.copyOf(key);
    }

    public Set<String> pgOnlyColumns() {
        return columns.pgOnly();
    }

    public boolean isPropertyColumn(String column) {
        return !from.columns().contains(column) && !to.columns().contains(column) && !columns.pgOnly().contains(column)
                && columns.flattened(column) == null;
    }

    public String propertyName(String column) {
        return column.equals(versionColumn) ? versionProperty : columns.propertyName(column);
    }

    /**
     * A relationship row's one string, its pair: the start node's identity, a NUL, the end node's identity (a NUL is
     * never part of a key's text, and sorts first, so pairs sort by start node, then end node); null when an end is
     * null. Backfill's watermark windows and verify both name a join row so, and must agree.
     */
    public String pairKey(Map<String, Object> row) {
        String fromId = from.identity(row);
        String toId = to.identity(row);
        return fromId == null || toId == null ? null : pairKey(fromId, toId);
    }

    public static String pairKey(String fromId, String toId) {
        return fromId + PAIR_SEPARATOR + toId;
    }

    /** Between the two identities of a {@link #pairKey pair key}. */
    public static final char PAIR_SEPARATOR = '\u0000';
}
