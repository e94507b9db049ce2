package io.nexussync.postgres.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexussync.core.model.ReadableValue;
import io.nexussync.core.model.RowChange;
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

    static ObjectNode values(Map<String, Object> row) {
        ObjectNode values = JSON.createObjectNode();
        row.forEach((column, value) -> values.set(column, JSON.valueToTree(ReadableValue.of(value, ReadableValue.WHOLE))));
        return values;
    }
}
