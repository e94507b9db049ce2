package io.nexussync.postgres.snapshot;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table as the snapshot reads it: its columns with type OIDs (to convert values exactly as the
 * stream does) and SQL type names (to cast key text back), and the key it is read in order of.
 */
public record TableLayout(TableId table, Map<String, Column> columns, List<String> keyColumns) {

    public record Column(String name, int typeOid, String sqlType) {}

    public Column column(String name) {
        Column c = columns.get(name);
        if (c == null) {
            throw SyncException.persistent("table " + table + " has no column '" + name + "' that the mapping names: "
                    + "fix the mapping file or the table", null);
        }
        return c;
    }

    /** @param keyColumns the key to read in order of; null means the table's primary key */
    public static TableLayout read(Connection c, TableId table, List<String> keyColumns) throws SQLException {
        Map<String, Column> columns = new LinkedHashMap<>();
        try (var ps = c.prepareStatement("SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod) "
                + "FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
                + "WHERE n.nspname = ? AND r.relname = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.put(rs.getString(1), new Column(rs.getString(1), (int) rs.getLong(2), rs.getString(3)));
                }
            }
        }
        if (columns.isEmpty()) {
            throw SyncException.persistent("mapped table " + table + " does not exist: create it or remove it from the mapping", null);
        }
        List<String> key = keyColumns != null ? keyColumns : primaryKey(c, table);
        TableLayout layout = new TableLayout(table, columns, List.copyOf(key));
        key.forEach(layout::column);
        return layout;
    }

    private static List<String> primaryKey(Connection c, TableId table) throws SQLException {
        List<String> key = new ArrayList<>();
        try (var ps = c.prepareStatement("SELECT a.attname FROM pg_index i "
                + "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true "
                + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                + "WHERE i.indrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass AND i.indisprimary ORDER BY k.ord")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        if (key.isEmpty()) {
            throw SyncException.persistent("mapped table " + table + " has no primary key, so it cannot be read in key order: "
                    + "add one (ALTER TABLE " + table + " ADD PRIMARY KEY (...))", null);
        }
        return key;
    }
}
