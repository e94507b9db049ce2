package io.nexussync.postgres.deadletter;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-table compensation of a change the graph refuses for good: PostgreSQL is put back as the graph has it, in the
 * transaction that records the dead letter. A refused INSERT is deleted; a refused UPDATE is undone by writing back the
 * columns it changed from the old row image; a refused DELETE is undone by inserting the row again from it. The old
 * image is the whole row only under {@code REPLICA IDENTITY FULL} (setup sets it for these tables); without it the row
 * stays marked failed.
 *
 * <p>A release message comes first in the WAL, so the revert's own change, after it, is applied like any change (to a
 * graph that already has that state). Nothing is put back over a row that changed since the refused change: the row must
 * still be exactly the refused change's new image (or still be gone, for a DELETE). Nor is a revert's own change, refused
 * in its turn, reverted again (the row's version is the transaction of a reverted dead letter): that would go back and
 * forth for ever. Every statement waits at most {@link #LOCK_TIMEOUT} for a row lock: the holder may be a prepared
 * transaction that only the apply loop commits, and the loop may be waiting for this. Whatever the outcome, the
 * transaction log says what was refused and what was done.
 */
final class RowRevert {
    private static final Logger log = LoggerFactory.getLogger(RowRevert.class);
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(1);
    static final String ACTOR = "nexus-sync compensation";

    /** Why a change is not reverted: said in the log row and the alert. */
    private static final class NotReverted extends Exception {
        NotReverted(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Map<TableId, Set<String>> serviceColumns;
    private final Map<TableId, Set<String>> versionColumns;

    /**
     * @param serviceColumns per table, the columns the service itself writes (cross-reference, graph version): neither
     *                       compared nor put back, since the write-back may have written them since
     * @param versionColumns per table, the row version: compared, but never put back (the version trigger moves it on)
     */
    RowRevert(Map<TableId, Set<String>> serviceColumns, Map<TableId, Set<String>> versionColumns) {
        this.serviceColumns = Map.copyOf(serviceColumns);
        this.versionColumns = Map.copyOf(versionColumns);
    }

    /** In the transaction that recorded dead letter {@code id} (the head of its entity), which the caller commits. */
    void revert(Connection c, long id, RowChange change, TableId table, Map<String, String> key, String entityKey) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        String action;
        try {
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT.toMillis() + "ms'");
            }
            action = revert(c, id, change, table, key);
            try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.dead_letter SET status = 'reverted', resolved_at = now(), "
                    + "resolution = ?, released_by = ? WHERE id = ?")) {
                ps.setString(1, "compensated: " + action);
                ps.setString(2, ACTOR);
                ps.setLong(3, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.sync_status SET sync_status = 'reverted', updated_at = now() "
                    + "WHERE table_name = ? AND entity_key = ?")) {
                ps.setString(1, table.toString());
                ps.setString(2, entityKey);
                ps.executeUpdate();
            }
            c.releaseSavepoint(savepoint);
        } catch (NotReverted | SQLException e) {
            c.rollback(savepoint);
            String reason = e instanceof SQLException sql ? refused(sql) : e.getMessage();
            logRow(c, "failed", change, table, entityKey, null, "dead letter #" + id + ": the graph refused the " + ChangeJson.operation(change)
                    + " and " + table + " reverts refused changes, but it was not reverted: " + reason);
            log.error("ALERT {} {}: could not revert the refused {} (dead letter #{}): {}; it stays marked failed", table, entityKey,
                    ChangeJson.operation(change), id, reason);
            return;
        }
        logRow(c, "reverted", change, table, entityKey, "dead letter #" + id + ": the graph refused the " + ChangeJson.operation(change)
                + ", and " + table + " reverts refused changes: " + action, null);
        log.error("ALERT {} {}: the graph refused its {} (dead letter #{}); compensated in PostgreSQL: {}", table, entityKey,
                ChangeJson.operation(change), id, action);
    }

    private String revert(Connection c, long id, RowChange change, TableId table, Map<String, String> key) throws SQLException, NotReverted {
        List<RowLocator.Column> columns = RowLocator.columns(c, table);
        if (change instanceof RowChange.Insert insert) {
            return undoInsert(c, id, insert, table, columns, key);
        } else if (change instanceof RowChange.Update update) {
            return undoUpdate(c, id, update, table, columns, key);
        } else if (change instanceof RowChange.Delete delete) {
            return undoDelete(c, id, delete, table, columns, key);
        } else if (change instanceof RowChange.Truncate) {
            throw new NotReverted("a TRUNCATE is not reverted");
        }
        throw RowChange.unhandled(change);
    }

    private String undoInsert(Connection c, long id, RowChange.Insert insert, TableId table, List<RowLocator.Column> columns,
                              Map<String, String> key) throws SQLException, NotReverted {
        RowImage now = RowImage.read(c, table, columns, key, true);
        if (now != null) {
            notOwnWrite(c, table, now);
            unchangedSince(now, insert.newValues(), table, "insert");
        }
        release(c, id);
        if (now == null) {
            return "the row was already gone";
        }
        if (RowLocator.delete(c, table, key) != 1) {
            throw new NotReverted("the row was not found to delete");
        }
        return "the insert was undone: the row deleted";
    }

    private String undoUpdate(Connection c, long id, RowChange.Update update, TableId table, List<RowLocator.Column> columns,
                              Map<String, String> key) throws SQLException, NotReverted {
        Map<String, Object> before = update.oldKey();
        if (before == null || !before.keySet().containsAll(update.newValues().keySet()) || before.containsValue(Unchanged.TOAST)) {
            throw noOldImage(table);
        }
        // Unchanged TOAST values of the new image are the old image's: under FULL identity it holds every value in line.
        Map<String, Object> refused = Unchanged.keepFrom(before, update.newValues());
        RowImage now = RowImage.read(c, table, columns, key, true);
        if (now == null) {
            throw new NotReverted("the row was deleted after the refused update: there is nothing to restore");
        }
        notOwnWrite(c, table, now);
        unchangedSince(now, refused, table, "update");
        List<RowLocator.Column> restored = new ArrayList<>();
        for (RowLocator.Column column : columns) {
            if (before.containsKey(column.name()) && !kept(table, column.name()) && !RowImage.same(now.values().get(column.name()), before.get(column.name()))) {
                restored.add(writable(column, before));
            }
        }
        release(c, id);
        if (restored.isEmpty()) {
            return "nothing to restore: the update changed only columns the service writes";
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(SqlNames.quote(table)).append(" SET ");
        for (int i = 0; i < restored.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(SqlNames.quote(restored.get(i).name())).append(" = CAST(? AS ").append(restored.get(i).type()).append(')');
        }
        sql.append(" WHERE ").append(RowLocator.where(table, columns, key));
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int next = 1;
            for (RowLocator.Column column : restored) {
                ps.setString(next++, ValueText.of(before.get(column.name())));
            }
            RowLocator.bind(ps, key, next);
            if (ps.executeUpdate() != 1) {
                throw new NotReverted("the row was not found to restore");
            }
        }
        Map<String, String> keyBefore = PrimaryKeys.keyOf(List.copyOf(key.keySet()), before);
        return "the previous row restored (" + String.join(", ", restored.stream().map(RowLocator.Column::name).toList()) + " set back)"
                + written(RowImage.read(c, table, columns, keyBefore, false), restored, before);
    }

    private String undoDelete(Connection c, long id, RowChange.Delete delete, TableId table, List<RowLocator.Column> columns,
                              Map<String, String> key) throws SQLException, NotReverted {
        Map<String, Object> before = delete.oldKey();
        if (columns.stream().anyMatch(column -> !before.containsKey(column.name())) || before.containsValue(Unchanged.TOAST)) {
            throw noOldImage(table);
        }
        undoneInsert(c, id, table, before);
        if (RowImage.read(c, table, columns, key, true) != null) {
            throw new NotReverted("a row with its key was inserted after the refused delete: the deleted row is not put back over it");
        }
        List<RowLocator.Column> restored = new ArrayList<>();
        for (RowLocator.Column column : columns) {
            restored.add(writable(column, before));
        }
        release(c, id);
        StringBuilder names = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (RowLocator.Column column : restored) {
            names.append(names.isEmpty() ? "" : ", ").append(SqlNames.quote(column.name()));
            values.append(values.isEmpty() ? "" : ", ").append("CAST(? AS ").append(column.type()).append(')');
        }
        // The row's own identity values, whatever kind of identity column holds them.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SqlNames.quote(table) + " (" + names + ") OVERRIDING SYSTEM VALUE VALUES ("
                + values + ")")) {
            for (int i = 0; i < restored.size(); i++) {
                ps.setString(i + 1, ValueText.of(before.get(restored.get(i).name())));
            }
            ps.executeUpdate();
        }
        return "the deleted row inserted again from its old image" + written(RowImage.read(c, table, columns, key, false), restored, before);
    }

    /** A release before the revert's own change: the entity is free from here on in the stream, and that change applies. */
    private static void release(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            ps.setString(1, ReleaseMessage.PREFIX);
            ps.setString(2, ReleaseMessage.encode(id, false, List.of()));
            ps.execute();
        }
    }

    private void unchangedSince(RowImage now, Map<String, Object> refused, TableId table, String operation) throws NotReverted {
        String changed = now.firstDifference(refused, serviceColumns.getOrDefault(table, Set.of()));
        if (changed != null) {
            throw new NotReverted("the row changed after the refused " + operation + " (" + changed + " differs): it is not reverted over that change");
        }
    }

    /** The row as a revert left it, refused in its turn: reverting again would undo the revert, and so on for ever. */
    private static void notOwnWrite(Connection c, TableId table, RowImage now) throws SQLException, NotReverted {
        // The dead letter a revert marks is written in the revert's transaction: the row's version has the same xmin.
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM nexus_sync.dead_letter WHERE table_name = ? AND status = 'reverted' "
                + "AND xmin::text = ? LIMIT 1")) {
            ps.setString(1, table.toString());
            ps.setString(2, now.version());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new NotReverted("the refused change is the revert of dead letter #" + rs.getLong(1) + " itself: not reverted again");
                }
            }
        }
    }

    /** A refused DELETE that is the revert of a refused INSERT of the same row: re-inserting it would go back and forth. */
    private static void undoneInsert(Connection c, long id, TableId table, Map<String, Object> before) throws SQLException, NotReverted {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM nexus_sync.dead_letter WHERE table_name = ? AND status = 'reverted' "
                + "AND operation = 'insert' AND id < ? AND (change_data::jsonb -> 'values') = ?::jsonb ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, table.toString());
            ps.setLong(2, id);
            ps.setString(3, ChangeJson.values(before).toString());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new NotReverted("the refused delete is the revert of dead letter #" + rs.getLong(1) + " itself: not reverted again");
                }
            }
        }
    }

    private boolean kept(TableId table, String column) {
        return serviceColumns.getOrDefault(table, Set.of()).contains(column) || versionColumns.getOrDefault(table, Set.of()).contains(column);
    }

    private static RowLocator.Column writable(RowLocator.Column column, Map<String, Object> before) throws NotReverted {
        if (!ValueText.has(before.get(column.name()))) {
            throw new NotReverted("the old value of " + column.name() + " has no form that could be written back (" + column.type() + ")");
        }
        return column;
    }

    /**
     * The row read back through the stream's converter, against the old image. A column that did not come back exactly (a
     * trigger of the table's own set it, say) is said in the action, not refused: the graph gets the row as it is now
     * through the stream all the same, so the two sides agree.
     */
    private static String written(RowImage written, List<RowLocator.Column> columns, Map<String, Object> before) throws NotReverted {
        if (written == null) {
            throw new NotReverted("the reverted row is not found by its previous key");
        }
        List<String> inexact = new ArrayList<>();
        for (RowLocator.Column column : columns) {
            if (!RowImage.same(written.values().get(column.name()), before.get(column.name()))) {
                inexact.add(column.name());
            }
        }
        return inexact.isEmpty() ? "" : "; not exactly as before: " + String.join(", ", inexact) + " (as PostgreSQL has them now, which the graph gets)";
    }

    private static NotReverted noOldImage(TableId table) {
        return new NotReverted("the change carries no old row image: " + table + " does not have REPLICA IDENTITY FULL (nexus-sync setup "
                + "sets it for tables that revert refused changes)");
    }

    private static String refused(SQLException e) {
        if ("55P03".equals(e.getSQLState())) {
            return "the row was locked by another transaction (a prepared one, perhaps) for longer than the revert waits ("
                    + LOCK_TIMEOUT.toMillis() + " ms)";
        }
        return "PostgreSQL refused it (SQLState " + e.getSQLState() + "): " + e.getMessage();
    }

    private static void logRow(Connection c, String status, RowChange change, TableId table, String entityKey, String reason, String error)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.transaction_log (kind, status, operation, entity_pg, change_data, "
                + "actor, reason, error) VALUES ('operation', ?, 'compensation', ?, ?, ?, ?, ?)")) {
            ps.setString(1, status);
            ps.setString(2, table + " " + entityKey);
            ps.setString(3, ChangeJson.of(change));
            ps.setString(4, ACTOR);
            ps.setString(5, reason);
            ps.setString(6, error);
            ps.executeUpdate();
        }
    }
}
