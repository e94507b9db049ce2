package io.nexussync.core.plan;

import io.nexussync.core.model.TableId;
import java.util.Set;

/**
 * How the rows of a join table become relationships {@code (from)-[:type]->(to)}. The other columns
 * become lowerCamelCase properties, the version column under {@code versionProperty}. A temporal
 * relationship keeps its history: a change closes the current version ({@code validTo}) and opens a new one.
 */
public record RelationshipMapping(
        TableId table,
        String type,
        Endpoint from,
        Endpoint to,
        String versionColumn,
        String versionProperty,
        boolean temporal,
        Set<String> pgOnlyColumns) {

    /** One end of the relationship: the node label and the column holding that node's key. */
    public record Endpoint(String label, String column) {}

    public boolean isPropertyColumn(String column) {
        return !column.equals(from.column()) && !column.equals(to.column()) && !pgOnlyColumns.contains(column);
    }

    public String propertyName(String column) {
        return column.equals(versionColumn) ? versionProperty : PropertyNames.camelCase(column);
    }
}
