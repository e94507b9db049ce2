package io.nexussync.postgres.history;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A column's value in the form the graph's history gives back its versions' properties: numbers as numbers, text as text,
 * times as their ISO text (an instant for {@code timestamptz}), anything else as its text; so that a restore compares the
 * two as the same kind of thing.
 */
final class GraphValues {
    private GraphValues() {}

    static Object read(ResultSet rs, String column, String type) throws SQLException {
        if ("timestamp with time zone".equals(type)) {
            OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
            return time == null ? null : time.toInstant().toString();
        }
        Object value = rs.getObject(column);
        if (value == null || value instanceof Number || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toLocalDateTime().toString();
        }
        if (value instanceof Date date) {
            return date.toLocalDate().toString();
        }
        if (value instanceof UUID uuid) {
            return uuid.toString();
        }
        return rs.getString(column);
    }
}
