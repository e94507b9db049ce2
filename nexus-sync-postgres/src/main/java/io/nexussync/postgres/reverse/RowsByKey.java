package io.nexussync.postgres.reverse;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.reverse.RowRef;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Rows of one table named by {@link RowRef}s, in one statement: the keys' text forms are bound as one text array per key
 * column, cast to the column's type, and joined with the table, so each row found comes back with the position of the
 * reference that named it (a key the cast makes canonical, an upper-case uuid say, still finds its row).
 *
 * <p>A key text that is no value of the column's type fails the whole statement (class 22): callers read such a batch
 * again one key at a time, and a key that fails alone names no row.
 */
final class RowsByKey {
    /** A row found: which reference named it, its columns' text forms (those asked for), its last writer's commit time. */
    record Found(int index, Map<String, String> text, Instant lastCommitted) {}

    private RowsByKey() {}

    /**
     * @param columns     the columns to read, as text (none: only whether the rows exist)
     * @param commitTimes also the commit time of each row's last writer, where PostgreSQL keeps them
     * @param lock        {@code FOR UPDATE}: the caller decides on the rows and writes them in this transaction
     */
    static List<Found> read(Connection c, TableLayout layout, List<RowRef> refs, List<String> columns, boolean commitTimes, boolean lock)
            throws SQLException {
        List<String> key = layout.keyColumns();
        StringBuilder sql = new StringBuilder("SELECT k.nexus_ord");
        for (String column : columns) {
            sql.append(", r.").append(quote(column)).append("::text");
        }
        if (commitTimes) {
            // The function fails (and with it the transaction) while the setting is off: asked only when it is on.
            sql.append(", CASE WHEN current_setting('track_commit_timestamp') = 'on' THEN pg_xact_commit_timestamp(r.xmin) END");
        }
        sql.append(" FROM ").append(quote(layout.table())).append(" AS r JOIN unnest(")
                .append(key.stream().map(column -> "CAST(? AS " + layout.column(column).sqlType() + "[])").collect(Collectors.joining(", ")))
                .append(") WITH ORDINALITY AS k(");
        for (int i = 0; i < key.size(); i++) {
            sql.append("nexus_key_").append(i).append(", ");
        }
        sql.append("nexus_ord) ON ");
        for (int i = 0; i < key.size(); i++) {
            sql.append(i == 0 ? "" : " AND ").append("r.").append(quote(key.get(i))).append(" = k.nexus_key_").append(i);
        }
        if (lock) {
            sql.append(" FOR UPDATE OF r");
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < key.size(); i++) {
                String column = key.get(i);
                ps.setArray(i + 1, c.createArrayOf("text", refs.stream().map(ref -> keyText(ref, column)).toArray()));
            }
            List<Found> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> text = new LinkedHashMap<>();
                    for (int i = 0; i < columns.size(); i++) {
                        text.put(columns.get(i), rs.getString(i + 2));
                    }
                    Instant committed = null;
                    if (commitTimes) {
                        OffsetDateTime at = rs.getObject(columns.size() + 2, OffsetDateTime.class);
                        committed = at == null ? null : at.toInstant();
                    }
                    found.add(new Found((int) rs.getLong(1) - 1, text, committed));
                }
            }
            return found;
        }
    }

    static String keyText(RowRef ref, String column) {
        Object value = ref.key().get(column);
        if (value == null) {
            throw new IllegalArgumentException(ref.table() + " row " + ref.entityKey() + " names no value for key column " + column);
        }
        return String.valueOf(value);
    }

    /** Class 22, data exception: a key text that is no value of its column's type. */
    static boolean badKey(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("22");
    }
}
