package io.nexussync.postgres.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.Unchanged;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** A row change as a person reads it in {@code dlq show}: the operation, the table and the column values. */
final class ChangeJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChangeJson() {}

    static String of(RowChange change) {
        ObjectNode node = JSON.createObjectNode();
        if (change instanceof RowChange.Insert insert) {
            node.put("operation", "insert").put("table", insert.table().toString());
            node.set("values", values(insert.newValues()));
        } else if (change instanceof RowChange.Update update) {
            node.put("operation", "update").put("table", update.table().toString());
            if (update.oldKey() != null) {
                node.set("oldKey", values(update.oldKey()));
            }
            node.set("values", values(update.newValues()));
        } else if (change instanceof RowChange.Delete delete) {
            node.put("operation", "delete").put("table", delete.table().toString());
            node.set("key", values(delete.oldKey()));
        } else if (change instanceof RowChange.Truncate truncate) {
            node.put("operation", "truncate");
            ArrayNode tables = node.putArray("tables");
            truncate.tables().forEach(t -> tables.add(t.toString()));
        }
        return node.toString();
    }

    static String operation(RowChange change) {
        return change.getClass().getSimpleName().toLowerCase();
    }

    /** The row's values the change carries (new values, or the old key of a DELETE). */
    static Map<String, Object> rowOf(RowChange change) {
        if (change instanceof RowChange.Insert insert) {
            return insert.newValues();
        } else if (change instanceof RowChange.Update update) {
            return update.newValues();
        } else if (change instanceof RowChange.Delete delete) {
            return delete.oldKey();
        }
        return Map.of();
    }

    static ObjectNode values(Map<String, Object> row) {
        ObjectNode values = JSON.createObjectNode();
        row.forEach((column, value) -> values.set(column, JSON.valueToTree(readable(value))));
        return values;
    }

    private static Object readable(Object value) {
        if (value == null || value instanceof Boolean || value instanceof Number || value instanceof String) {
            return value;
        }
        if (value == Unchanged.TOAST) {
            return "(unchanged TOAST value)";
        }
        if (value instanceof JsonText json) {
            return json.canonical();
        }
        if (value instanceof byte[] bytes) {
            return "\\x" + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ChangeJson::readable).toList();
        }
        return value.toString();
    }
}
