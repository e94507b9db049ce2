package io.nexussync.core.verify;

import java.util.List;

/**
 * One discrepancy between a row and the graph, confirmed after the stream had applied everything committed before
 * it was read. Holds names, never values: property names that differ, the entity's key, the node's elementId.
 *
 * @param table      the mapped table, as {@code schema.table}
 * @param graphName  the label or relationship type
 * @param key        the entity's {@link EntityKeys key} (for a node without identity, its elementId)
 * @param elementId  the node's elementId where the graph has the node, else null
 * @param properties the property names concerned (empty when the finding is about the whole entity)
 */
public record Finding(FindingKind kind, String table, String graphName, String key, String elementId, List<String> properties) {

    public Finding {
        properties = List.copyOf(properties);
    }

    public Check check() {
        return kind.check();
    }

    /** One line for a person: what, where, which properties. */
    public String describe() {
        return kind.description() + ": " + table + " " + EntityKeys.display(key) + " / " + graphName
                + (properties.isEmpty() ? "" : " " + properties);
    }
}
