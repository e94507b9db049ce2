package io.nexussync.core.plan;

import io.nexussync.core.mapping.JsonColumn;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Unconvertible;
import io.nexussync.core.model.Unchanged;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns converted column values into values a graph property can hold, and keys into node identities. */
public final class GraphValues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GraphValues() {}

    public static Object toProperty(Object value) {
        if (value instanceof Unconvertible bad) {
            String fix = ": fix the row in PostgreSQL, then nexus-sync dlq retry";
            throw SyncException.rejected(new ErrorText(bad.problem() + (bad.detail() == null ? "" : " (" + bad.detail() + ")") + fix,
                    bad.problem() + fix), null);
        }
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

    static boolean anyUnchanged(Map<String, Object> row, List<String> columns) {
        for (String column : columns) {
            if (row.get(column) == Unchanged.TOAST) {
                return true;
            }
        }
        return false;
    }

    /** The row's version, or null when the mapping has no version column or the row lacks it. */
    static Long version(Map<String, Object> row, String column) {
        return column != null && row.get(column) instanceof Number n ? n.longValue() : null;
    }

    /**
     * Puts the named keys of a flattened json value into {@code properties}: a scalar as itself, a list
     * of scalars of one kind as a list; a missing key, JSON null, or a value that is no JSON object
     * removes the property. A value with no graph form (an object, a list of objects or of mixed kinds)
     * is a persistent error naming the table, the row and the column (the row only in its full form: its key is a
     * row value, see {@link ErrorText}).
     *
     * @param table the table, for the error
     * @param row   the row's identity, for the error's full form
     */
    static void flatten(JsonColumn rule, Object value, Map<String, Object> properties, String table, String row) {
        Where where = new Where(table, row, rule.column());
        JsonNode document = null;
        if (value instanceof JsonText json) {
            try {
                document = JSON.readTree(json.canonical());
            } catch (IOException e) {
                // Jackson's message quotes the document.
                throw SyncException.rejected(where.text("the json value does not parse", e.getMessage()), e);
            }
        } else if (value != null) {
            throw SyncException.rejected(where.text("flattening needs a json or jsonb column, got " + value.getClass().getSimpleName(), null),
                    null);
        }
        for (String key : rule.keys()) {
            JsonNode element = document != null && document.isObject() ? document.get(key) : null;
            properties.put(rule.propertyName(key), graphValue(element, key, where));
        }
    }

    private static Object graphValue(JsonNode node, String key, Where where) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            Class<?> kind = null;
            for (JsonNode element : node) {
                Object scalar = element.isValueNode() && !element.isNull() ? scalar(element) : null;
                if (scalar == null) {
                    throw notStorable(key, where, "a list holding " + (element.isNull() ? "null" : element.getNodeType().toString().toLowerCase()));
                }
                Class<?> elementKind = scalar instanceof Number ? Number.class : scalar.getClass();
                if (kind != null && kind != elementKind) {
                    throw notStorable(key, where, "a list of mixed kinds (a Neo4j list holds one kind)");
                }
                kind = elementKind;
                list.add(scalar);
            }
            boolean anyDouble = list.stream().anyMatch(Double.class::isInstance);
            if (anyDouble) {
                list.replaceAll(n -> ((Number) n).doubleValue());
            }
            return list;
        }
        Object scalar = node.isValueNode() ? scalar(node) : null;
        if (scalar == null) {
            throw notStorable(key, where, "an object");
        }
        return scalar;
    }

    private static Object scalar(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        return null;
    }

    private static SyncException notStorable(String key, Where where, String what) {
        return SyncException.rejected(where.text("key '" + key + "' holds " + what
                + ", which a graph property cannot hold: store the column as a JSON string (store: string) or leave the key out of 'keys'", null), null);
    }

    /** Where a flattened value failed: "table T, row R, column C" in full, without the row (a key is a row value) in public. */
    private record Where(String table, String row, String column) {
        ErrorText text(String problem, String detail) {
            String full = "table " + table + ", row " + row + ", column " + column + ": " + problem + (detail == null ? "" : ": " + detail);
            return new ErrorText(full, "table " + table + ", column " + column + ": " + problem);
        }
    }
}
