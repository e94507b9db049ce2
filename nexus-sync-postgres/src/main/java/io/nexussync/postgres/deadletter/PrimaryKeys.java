package io.nexussync.postgres.deadletter;

import io.nexussync.core.model.TableId;
import io.nexussync.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A table's primary key columns, from the catalog, and a row's key as text (how a dead letter names its row). */
final class PrimaryKeys {
    private final Map<TableId, List<String>> columns = new ConcurrentHashMap<>();

    List<String> of(Connection connection, TableId table) throws SQLException {
        List<String> known = columns.get(table);
        if (known != null) {
            return known;
        }
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT a.attname FROM pg_index i "
                + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
                + "WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)")) {
            ps.setString(1, SqlNames.quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        columns.put(table, List.copyOf(found));
        return found;
    }

    /** The key columns' values as text, in key order; a table without a primary key is keyed by every column it sent. */
    static Map<String, String> keyOf(List<String> keyColumns, Map<String, Object> row) {
        Map<String, String> key = new LinkedHashMap<>();
        for (String column : keyColumns.isEmpty() ? List.copyOf(row.keySet()) : keyColumns) {
            Object value = row.get(column);
            key.put(column, value == null ? null : value.toString());
        }
        return key;
    }

    static String describe(Map<String, String> key) {
        StringBuilder text = new StringBuilder();
        key.forEach((column, value) -> text.append(text.isEmpty() ? "" : ", ").append(column).append('=').append(value));
        return text.toString();
    }
}
