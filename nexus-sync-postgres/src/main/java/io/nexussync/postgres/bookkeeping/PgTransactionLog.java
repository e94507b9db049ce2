package io.nexussync.postgres.bookkeeping;

import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading and pruning {@code nexus_sync.transaction_log}: the rows a {@link LogQuery} asks for, newest first (each filter
 * served by an index: entity, status of an operation row, logged_at, else the primary key), and retention's bounded deletes.
 */
public final class PgTransactionLog {
    /** Rows one retention DELETE removes at most: short statements, short locks, little WAL at a time. */
    public static final int PRUNE_CHUNK = 1_000;

    private final PgConnectionSource connections;

    public PgTransactionLog(PgConnectionSource connections) {
        this.connections = connections;
    }

    public List<LogEntry> read(LogQuery query) {
        StringBuilder sql = new StringBuilder("SELECT id, logged_at, kind, status, operation, entity_table, entity_key, graph_label, graph_id, "
                + "element_id, entity_pg, change_data, error, retry_count, next_attempt_at, from_lsn::text, to_lsn::text, changes, duration_ms, "
                + "summary::text, dead_letter_id, actor, reason FROM nexus_sync.transaction_log WHERE true");
        List<Object> parameters = new ArrayList<>();
        if (query.table() != null) {
            sql.append(" AND entity_table = ?");
            parameters.add(query.table());
        }
        if (query.key() != null) {
            sql.append(" AND entity_key = ?");
            parameters.add(query.key());
        }
        if (query.status() != null) {
            // Only batch rows are 'applied' (newest first by the primary key); the status index holds the operation rows.
            sql.append("applied".equals(query.status()) ? " AND kind = 'batch' AND status = ?" : " AND kind = 'operation' AND status = ?");
            parameters.add(query.status());
        }
        if (query.since() != null) {
            sql.append(" AND logged_at >= ?");
            parameters.add(Timestamp.from(query.since()));
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        parameters.add(query.limit());
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                ps.setObject(i + 1, parameters.get(i));
            }
            List<LogEntry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(new LogEntry(rs.getLong(1), instant(rs.getTimestamp(2)), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                            rs.getString(12), rs.getString(13), (Integer) rs.getObject(14), instant(rs.getTimestamp(15)), rs.getString(16),
                            rs.getString(17), (Integer) rs.getObject(18), (Long) rs.getObject(19), rs.getString(20), (Long) rs.getObject(21),
                            rs.getString(22), rs.getString(23)));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw PgErrors.translate("reading nexus_sync.transaction_log", connections.settings(), e);
        }
    }

    /** What one prune did: rows deleted, DELETE statements run. */
    public record Pruned(long rows, int statements) {}

    /**
     * Deletes the rows logged before {@code cut}, {@link #PRUNE_CHUNK} at a time (oldest first, through the {@code logged_at}
     * index), each DELETE its own transaction, {@code pause} between two; stops early when {@code stop} says so.
     */
    public Pruned prune(Instant cut, Duration pause, java.util.function.BooleanSupplier stop) throws InterruptedException {
        long rows = 0;
        int statements = 0;
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM nexus_sync.transaction_log WHERE id IN "
                + "(SELECT id FROM nexus_sync.transaction_log WHERE logged_at < ? ORDER BY logged_at LIMIT " + PRUNE_CHUNK + ")")) {
            ps.setTimestamp(1, Timestamp.from(cut));
            while (!stop.getAsBoolean()) {
                int deleted = ps.executeUpdate();
                statements++;
                rows += deleted;
                if (deleted < PRUNE_CHUNK) {
                    break;
                }
                Thread.sleep(pause.toMillis());
            }
        } catch (SQLException e) {
            throw PgErrors.translate("pruning nexus_sync.transaction_log", connections.settings(), e);
        }
        return new Pruned(rows, statements);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
