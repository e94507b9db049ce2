package io.nexussync.postgres.snapshot;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.snapshot.SnapshotSource.Chunk;
import io.nexussync.postgres.pgoutput.ValueConversionException;
import io.nexussync.postgres.pgoutput.ValueConverter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads one chunk of a table in key order (keyset pagination: {@code WHERE key > last ORDER BY key LIMIT n},
 * so each chunk costs an index range scan however far into the table it is), for readers whose chunks outlive one
 * view and so need a position that does (backfill; the snapshot reads in physical order). Values are read as
 * their text output and converted by {@link ValueConverter}, as the stream does, so a row read here
 * and a streamed row of the same state become the same graph values.
 */
public final class ChunkReader {
    private ChunkReader() {}

    /**
     * Plans each chunk query for its own last key, for the transaction just begun only (a pooled connection is others'
     * next). Once pgjdbc prepares the statement on the server, PostgreSQL may switch to a generic plan that does not know
     * how far into the table the key is, and a chunk can then cost a scan of the whole table.
     */
    public static void preferCustomPlansInTransaction(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("SET LOCAL plan_cache_mode = force_custom_plan");
        }
    }

    /**
     * @param where a SQL condition on the table's columns, or null; it is the operator's own SQL (see the backfill command)
     */
    public static Chunk read(Connection c, TableLayout layout, String where, List<String> afterKey, int limit) throws SQLException {
        List<TableLayout.Column> columns = List.copyOf(layout.columns().values());
        String keyList = layout.keyColumns().stream().map(k -> quote(k)).collect(Collectors.joining(", "));
        List<String> conditions = new ArrayList<>();
        if (afterKey != null) {
            conditions.add("(" + keyList + ") > (" + layout.keyColumns().stream()
                    .map(k -> "CAST(? AS " + layout.column(k).sqlType() + ")").collect(Collectors.joining(", ")) + ")");
        }
        if (where != null) {
            conditions.add("(" + where + ")");
        }
        String sql = "SELECT " + textColumns(columns)
                + " FROM " + quote(layout.table())
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY " + keyList + " LIMIT " + limit;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (afterKey != null) {
                for (int i = 0; i < afterKey.size(); i++) {
                    ps.setString(i + 1, afterKey.get(i));
                }
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            List<String> lastKey = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> text = text(rs, columns);
                    lastKey = layout.keyColumns().stream().map(text::get).toList();
                    rows.add(convert(layout, text, lastKey));
                }
            }
            return new Chunk(rows, lastKey);
        }
    }

    /** The select list that reads each of {@code columns} as its text output. */
    static String textColumns(List<TableLayout.Column> columns) {
        return columns.stream().map(col -> quote(col.name()) + "::text").collect(Collectors.joining(", "));
    }

    /** The current row of a query on {@link #textColumns}, by column name. */
    static Map<String, String> text(ResultSet rs, List<TableLayout.Column> columns) throws SQLException {
        Map<String, String> text = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            text.put(columns.get(i).name(), rs.getString(i + 1));
        }
        return text;
    }

    /**
     * A row read as text, converted column by column as the stream converts it: for any reader of the mapped tables
     * (verify reads them too), so that every reader hands the planner the same values.
     *
     * @param key the row's key columns' text forms: named in the log when a value cannot be converted
     */
    public static Map<String, Object> convert(TableLayout layout, Map<String, String> text, List<String> key) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (var entry : text.entrySet()) {
            try {
                row.put(entry.getKey(), ValueConverter.fromText(layout.column(entry.getKey()).typeOid(), entry.getValue()));
            } catch (ValueConversionException e) {
                // The key and the converter's message are a row's values: in the full message (the log) only.
                String column = entry.getKey();
                String fix = ": fix the row (the service log names it), then start again";
                throw SyncException.persistent(new ErrorText("row " + key + " of " + layout.table() + ", column " + column + ": " + e.getMessage() + fix,
                        "a row of " + layout.table() + " has a " + layout.column(column).sqlType() + " value in column " + column
                                + " that the graph cannot take" + fix), e);
            }
        }
        return row;
    }
}
