package io.nexussync.core.reverse;

import io.nexussync.core.model.TableId;
import java.util.Map;

/**
 * One row by its key: the key columns' text forms (a node's identity decoded, or a join row's endpoint identities),
 * which PostgreSQL casts to the columns' types. {@code entityKey} is the one string the logs show (a node's identity,
 * a join row's pair key).
 */
public record RowRef(TableId table, Map<String, Object> key, String entityKey) {
    public RowRef {
        key = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(key));
    }
}
