package io.nexussync.core.reverse;

import java.time.Instant;
import java.util.Map;

/**
 * A row as the reverse applier found it, locked, in the transaction that decides: every column by name with the value
 * the stream would carry for it (so the planner maps it as it maps a streamed row), the version vector, and the commit
 * time of the transaction that wrote it last (null when PostgreSQL does not keep commit timestamps).
 */
public record RowState(Map<String, Object> values, long pgVersion, Long graphVersion, Instant lastCommitted) {
    public RowState {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }
}
