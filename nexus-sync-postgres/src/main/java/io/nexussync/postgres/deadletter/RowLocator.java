package io.nexussync.postgres.deadletter;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A table's columns from the catalog, and one row found by its key given as text (each value cast to its column's type). */
final class RowLocator {
    record Column(String name, int typeOid, String type) {}

    private RowLocator() {}

    /** The columns pgoutput sends (not dropped, not generated), in table order. */
    static List<Column> columns(Connection c, TableId table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT attname, atttypid::int, format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum")) {
            ps.setString(1, SqlNames.quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getInt(2), rs.getString(3)));
                }
            }
        }
        return columns;
    }

    /** {@code "a" = CAST(? AS type) AND ...} for the key's columns; the values bind in the key's order. */
    static String where(TableId table, List<Column> columns, Map<String, String> key) {
        StringBuilder sql = new StringBuilder();
        for (String name : key.keySet()) {
            Column column = columns.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow(() -> SyncException.persistent(
                    table + " has no column " + name + " any more: skip this dead letter (nexus-sync dlq skip)", null));
            sql.append(sql.isEmpty() ? "" : " AND ").append(SqlNames.quote(name)).append(" = CAST(? AS ").append(column.type()).append(')');
        }
        return sql.toString();
    }

    static int bind(PreparedStatement ps, Map<String, String> key, int from) throws SQLException {
        int i = from;
        for (String value : key.values()) {
            ps.setString(i++, value);
        }
        return i;
    }

    static int delete(Connection c, TableId table, Map<String, String> key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + SqlNames.quote(table) + " WHERE " + where(table, columns(c, table), key))) {
            bind(ps, key, 1);
            return ps.executeUpdate();
        }
    }
}
