package io.nexussync.core.acknowledge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.ReadableValue;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One change as a per-entity row of the transaction log names it: the operation, the entity in PostgreSQL (table and key)
 * and in Neo4j (label or relationship type, the {@code id} the node is found by or the pair {@code (from)->(to)}, and the
 * node's {@code elementId} when the row image carries its cross-reference), and the change as JSON. Only for changes that
 * failed or were retried: the happy path never builds one.
 *
 * <p>The change holds only the columns the graph receives (PG-only columns, such as audit and security columns and large
 * bodies, are left out), each text cut at {@link #MAX_VALUE_CHARS} and the whole at {@link #MAX_CHANGE_CHARS}.
 *
 * @param key the key columns' text forms in key order, comma-separated (one column: its text form, as the node's {@code id})
 */
public record LoggedEntity(String operation, String table, String key, String graphType, String graphId, String elementId, String change) {
    public static final int MAX_VALUE_CHARS = 256;
    public static final int MAX_CHANGE_CHARS = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static LoggedEntity of(Mapping mapping, RowChange change) {
        if (change instanceof RowChange.Truncate truncate) {
            String tables = truncate.tables().stream().map(TableId::toString).collect(Collectors.joining(","));
            ObjectNode json = JSON.createObjectNode().put("operation", "truncate").put("tables", tables);
            return new LoggedEntity("truncate", tables, null, null, null, null, json.toString());
        }
        TableId table = RowChange.tableOf(change);
        Map<String, Object> row = RowChange.valuesOf(change);
        NodeMapping node = mapping == null ? null : mapping.node(table).orElse(null);
        RelationshipMapping relationship = node != null || mapping == null ? null : mapping.relationship(table).orElse(null);
        String kind = BatchSummary.kind(change);
        if (node != null) {
            Object elementId = change instanceof RowChange.Delete || node.crossReferenceColumn() == null ? null : row.get(node.crossReferenceColumn());
            return new LoggedEntity(kind, table.toString(), key(row, node.keyColumns()), node.label(), NodeIdentity.of(row, node.keyColumns()),
                    elementId instanceof String text && !text.isEmpty() ? text : null,
                    json(kind, table, row, node.keyColumns(), node.pgOnlyColumns(), node.crossReferenceColumn()));
        }
        if (relationship != null) {
            String operation = change instanceof RowChange.Delete
                    ? (relationship.temporal() ? "relationship close" : "relationship delete") : "relationship upsert";
            String from = relationship.from().identity(row);
            String to = relationship.to().identity(row);
            return new LoggedEntity(operation, table.toString(), key(row, relationship.keyColumns()), relationship.type(),
                    from == null || to == null ? null : "(" + from + ")->(" + to + ")", null,
                    json(kind, table, row, relationship.keyColumns(), relationship.pgOnlyColumns(), null));
        }
        // Not mapped (any more): no column is known to reach the graph, so only the operation and table are kept.
        return new LoggedEntity(kind, table.toString(), null, null, null, null,
                JSON.createObjectNode().put("operation", kind).put("table", table.toString()).toString());
    }

    private static String key(Map<String, Object> row, List<String> columns) {
        List<String> parts = new ArrayList<>(columns.size());
        for (String column : columns) {
            String part = NodeIdentity.of(row, List.of(column));
            if (part == null) {
                return null;
            }
            parts.add(part);
        }
        return String.join(",", parts);
    }

    private static String json(String kind, TableId table, Map<String, Object> row, List<String> keyColumns, Set<String> pgOnly, String crossReference) {
        ObjectNode json = JSON.createObjectNode().put("operation", kind).put("table", table.toString());
        ObjectNode key = json.putObject("key");
        ObjectNode values = JSON.createObjectNode();
        row.forEach((column, value) -> {
            if (keyColumns.contains(column)) {
                key.set(column, JSON.valueToTree(ReadableValue.of(value, MAX_VALUE_CHARS)));
            } else if (!pgOnly.contains(column) && !column.equals(crossReference)) {
                values.set(column, JSON.valueToTree(ReadableValue.of(value, MAX_VALUE_CHARS)));
            }
        });
        json.set("values", values);
        String text = json.toString();
        if (text.length() <= MAX_CHANGE_CHARS) {
            return text;
        }
        json.remove("values");
        json.put("values", "(left out: " + text.length() + " characters, more than the log keeps)");
        return json.toString();
    }

    /** For a log line or a test: the entity as {@code table:key} (the CLI's {@code --entity} form). */
    @Override
    public String toString() {
        return operation + " " + table + ":" + key;
    }
}
