package io.nexussync.core.plan;

import io.nexussync.core.model.JsonText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns converted column values into values a graph property can hold, and keys into node ids. */
final class GraphValues {
    private GraphValues() {}

    static Object toProperty(Object value) {
        if (value instanceof JsonText json) {
            return json.canonical();
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object element : list) {
                out.add(toProperty(element));
            }
            return out;
        }
        return value;
    }

    /** The contract's node id: the key as a string (UUIDs already arrive lower-case). */
    static String toId(Object key) {
        return key == null ? null : key.toString();
    }

    /** The row's version, or null when the mapping has no version column or the row lacks it. */
    static Long version(Map<String, Object> row, String column) {
        return column != null && row.get(column) instanceof Number n ? n.longValue() : null;
    }
}
