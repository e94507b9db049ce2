package io.nexussync.core.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The value of a column that PostgreSQL did not send because it is TOASTed and the UPDATE did not
 * change it. It means "keep what you have": it must never be written as null.
 */
public enum Unchanged {
    TOAST;

    /**
     * Two images of one row in stream order: the later one, with each unchanged TOAST value taken from the
     * earlier image where that has it (the later image itself when it has none).
     */
    public static Map<String, Object> keepFrom(Map<String, Object> earlier, Map<String, Object> later) {
        if (!later.containsValue(TOAST)) {
            return later;
        }
        Map<String, Object> merged = new LinkedHashMap<>(later);
        merged.replaceAll((column, value) -> value == TOAST && earlier.containsKey(column) ? earlier.get(column) : value);
        return merged;
    }

    @Override
    public String toString() {
        return "<unchanged toast>";
    }
}
