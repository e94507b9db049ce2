package io.nexussync.core.mapping;

import java.util.Map;

/**
 * The lanes a table's changes take: {@code insert} for an INSERT, the highest of the changed columns'
 * lanes for an UPDATE (a column without one counts as {@link Lane#NORMAL}); DELETE and TRUNCATE are
 * always {@link Lane#CRITICAL}. Recorded for the lane scheduler (issue 4).
 */
public record Lanes(Lane insert, Map<String, Lane> byColumn) {
    public static final Lanes DEFAULT = new Lanes(Lane.NORMAL, Map.of());

    public Lane column(String column) {
        return byColumn.getOrDefault(column, Lane.NORMAL);
    }
}
