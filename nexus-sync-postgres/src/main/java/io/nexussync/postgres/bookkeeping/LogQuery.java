package io.nexussync.postgres.bookkeeping;

import java.time.Instant;

/**
 * Which rows of the transaction log to read, newest first: all filters optional (null), {@code limit} rows at most.
 *
 * @param table  the entity's table, {@code schema.table} (with {@code key}: one row's entity)
 * @param key    the entity's key as the log holds it: the key columns' text forms in key order, comma-separated
 * @param status a row status ({@code retrying}, {@code dead-lettered}, {@code applied}, ...)
 * @param since  rows logged at or after it
 */
public record LogQuery(String table, String key, String status, Instant since, int limit) {
    public static final int MAX_LIMIT = 1_000;

    public LogQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is out of range: use 1 to " + MAX_LIMIT);
        }
        if (key != null && table == null) {
            throw new IllegalArgumentException("a key needs its table");
        }
    }
}
