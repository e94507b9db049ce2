package io.nexussync.postgres.reverse;

import io.nexussync.postgres.ArrayLiterals;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HexFormat;
import java.util.List;

/**
 * A graph value as the text PostgreSQL casts to a column's type ({@code CAST(? AS type)}): the graph gives strings,
 * longs, doubles, booleans, lists and temporal values as ISO-8601 text, and every one of those has a text form the
 * column's input function reads. A list becomes an array literal (a json or jsonb column gets JSON instead); a json
 * column's string is its JSON text already. A value the type cannot read is PostgreSQL's to refuse (class 22), which
 * refuses that write only.
 */
final class CastText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CastText() {}

    /** @param sqlType the column's type as {@code format_type} spells it ({@code jsonb}, {@code integer[]}) */
    static String of(Object value, String sqlType) {
        if (value == null) {
            return null;
        }
        if (isJson(sqlType) && !(value instanceof String)) {
            try {
                return JSON.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                return String.valueOf(value);
            }
        }
        if (value instanceof List<?> list) {
            return ArrayLiterals.of(list, element -> element instanceof byte[] bytes ? "\\x" + HexFormat.of().formatHex(bytes) : String.valueOf(element));
        }
        if (value instanceof byte[] bytes) {
            return "\\x" + HexFormat.of().formatHex(bytes);
        }
        return String.valueOf(value);
    }

    static boolean isJson(String sqlType) {
        return sqlType.equals("json") || sqlType.equals("jsonb");
    }
}
