package io.nexussync.postgres.reverse;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.reverse.ConflictLog;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code nexus_sync.conflict_log} for people: reads borrow a connection for one statement; a resolution is one
 * transaction that locks the conflict, writes what the person took, and records who, when and why. Taking the graph's
 * side is an ordinary change of the row (the version trigger bumps it and the stream brings it to the graph); taking
 * PostgreSQL's changes nothing but the conflict (the row holds PostgreSQL's state already, and so does the graph).
 */
public final class PgConflictLog implements ConflictLog {
    private final PgConnectionSource connections;

    public PgConflictLog(PgConnectionSource connections) {
        this.connections = connections;
    }

    @Override
    public List<LoggedConflict> list(boolean all, int limit) {
        String sql = "SELECT " + ConflictRows.COLUMNS + " FROM " + ConflictRows.TABLE + (all ? "" : " WHERE status = 'open'") + " ORDER BY id DESC LIMIT ?";
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, limit);
            List<LoggedConflict> conflicts = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    conflicts.add(ConflictRows.logged(rs));
                }
            }
            return conflicts;
        } catch (SQLException e) {
            throw PgErrors.translate("reading the conflict log", connections.settings(), e);
        }
    }

    @Override
    public Optional<LoggedConflict> find(long id) {
        try (Connection c = connections.connection()) {
            return read(c, id, false).map(Locked::conflict);
        } catch (SQLException e) {
            throw PgErrors.translate("reading conflict #" + id, connections.settings(), e);
        }
    }

    @Override
    public long openCount() {
        try (Connection c = connections.connection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + ConflictRows.TABLE + " WHERE status = 'open'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw PgErrors.translate("counting open conflicts", connections.settings(), e);
        }
    }

    @Override
    public LoggedConflict resolve(long id, ConflictRecord.Side take, String by, String reason) {
        if (take == null || take == ConflictRecord.Side.WAITING) {
            throw new IllegalArgumentException("a resolution takes postgres or graph, not " + (take == null ? "nothing" : take.spelling()));
        }
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            try {
                Locked locked = read(c, id, true).orElseThrow(() -> new IllegalArgumentException("there is no conflict #" + id));
                LoggedConflict conflict = locked.conflict();
                if (!"open".equals(conflict.status())) {
                    throw new IllegalArgumentException("conflict #" + id + " is " + conflict.status() + ", not open: only a conflict that waits for "
                            + "a person (rule manual) can be resolved");
                }
                if (take == ConflictRecord.Side.GRAPH) {
                    takeGraph(c, conflict, locked);
                }
                LoggedConflict resolved;
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + ConflictRows.TABLE + " SET status = 'resolved', decision = ?, "
                        + "resolved_by = ?, resolved_at = now(), resolution = ? WHERE id = ? RETURNING " + ConflictRows.COLUMNS)) {
                    ps.setString(1, take.spelling());
                    ps.setString(2, by);
                    ps.setString(3, reason);
                    ps.setLong(4, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        resolved = ConflictRows.logged(rs);
                    }
                }
                c.commit();
                return resolved;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is closed all the same
                }
                throw e;
            }
        } catch (SQLException e) {
            throw PgErrors.translateWrite("resolving conflict #" + id, connections.settings(), e);
        }
    }

    /** A property conflict: the graph's value into the column; a delete conflict: the row deleted. */
    private static void takeGraph(Connection c, LoggedConflict conflict, Locked locked) throws SQLException {
        TableId table = TableId.parse(conflict.table());
        List<String> keyColumns = new ArrayList<>(locked.rowKey().keySet());
        TableLayout layout = TableLayout.read(c, table, keyColumns);
        List<String> terms = new ArrayList<>();
        for (String column : keyColumns) {
            terms.add(quote(column) + " = CAST(? AS " + layout.column(column).sqlType() + ")");
        }
        String where = " WHERE " + String.join(" AND ", terms);
        switch (conflict.kind()) {
            case "property": {
                String column = conflict.property();
                String sql = "UPDATE " + quote(table) + " SET " + quote(column) + " = CAST(? AS " + layout.column(column).sqlType() + ")" + where;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, locked.graphValueCast() != null ? locked.graphValueCast() : conflict.graphValue());
                    bindKey(ps, 2, locked.rowKey());
                    if (ps.executeUpdate() == 0) {
                        throw new IllegalArgumentException("conflict #" + conflict.id() + ": the row " + conflict.entityKey() + " of " + table
                                + " no longer exists, so the graph's value of " + column + " has nowhere to go; take postgres to close it");
                    }
                }
                return;
            }
            case "delete": {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + quote(table) + where)) {
                    bindKey(ps, 1, locked.rowKey());
                    ps.executeUpdate();
                }
                return;
            }
            default:
                throw new IllegalArgumentException("conflict #" + conflict.id() + " is about " + conflict.kind() + " (" + conflict.reason()
                        + "): PostgreSQL owns existence and its constraints, so only postgres can be taken");
        }
    }

    private static void bindKey(PreparedStatement ps, int from, Map<String, String> key) throws SQLException {
        int i = from;
        for (String value : key.values()) {
            ps.setString(i++, value);
        }
    }

    /** A conflict with what a resolution needs beyond what people see: the row's key and the graph's value as its column reads it. */
    private record Locked(LoggedConflict conflict, Map<String, String> rowKey, String graphValueCast) {}

    private static Optional<Locked> read(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ConflictRows.COLUMNS + ", graph_value_cast, "
                + "(SELECT array_agg(k.key ORDER BY k.ord) FROM jsonb_each_text(row_key) WITH ORDINALITY AS k(key, value, ord)) AS key_columns, "
                + "(SELECT array_agg(k.value ORDER BY k.ord) FROM jsonb_each_text(row_key) WITH ORDINALITY AS k(key, value, ord)) AS key_values "
                + "FROM " + ConflictRows.TABLE + " WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Map<String, String> key = new LinkedHashMap<>();
                Object[] columns = (Object[]) rs.getArray("key_columns").getArray();
                Object[] values = (Object[]) rs.getArray("key_values").getArray();
                for (int i = 0; i < columns.length; i++) {
                    key.put((String) columns[i], (String) values[i]);
                }
                return Optional.of(new Locked(ConflictRows.logged(rs), key, rs.getString("graph_value_cast")));
            }
        }
    }
}
