package io.nexussync.core.mapping;

import java.util.Map;
import java.util.Set;

/**
 * What a mapping says about a table's ordinary columns, for node and relationship tables alike.
 *
 * @param pgOnly        columns that never reach the graph
 * @param propertyNames a property name per column where it is not the column's lowerCamelCase
 * @param json          json/jsonb columns with an explicit storage rule (absent: a canonical JSON string)
 * @param asText        columns of a type without a graph form of its own that the user accepts as their text form
 * @param lanes         the lanes of the table's changes
 */
public record ColumnRules(Set<String> pgOnly, Map<String, String> propertyNames, Map<String, JsonColumn> json,
                          Set<String> asText, Lanes lanes) {
    public static final ColumnRules NONE = new ColumnRules(Set.of(), Map.of(), Map.of(), Set.of(), Lanes.DEFAULT);

    public String propertyName(String column) {
        String named = propertyNames.get(column);
        return named != null ? named : PropertyNames.camelCase(column);
    }

    /** A flattened json column's storage rule, or null when the column is not flattened. */
    public JsonColumn flattened(String column) {
        JsonColumn rule = json.get(column);
        return rule != null && rule.flatten() ? rule : null;
    }
}
