package io.nexussync.postgres.verify;

import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.Finding;
import io.nexussync.core.verify.FindingKind;
import io.nexussync.core.verify.FindingStatus;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.ReconciliationLog;
import io.nexussync.core.verify.RepairAction;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code nexus_sync.reconciliation_log}: one row per finding, from found to settled. Each call borrows a connection
 * for one statement (auto-commit). A state change applies only to a row in a state it may follow (a repair does not
 * start on a finding a person has settled meanwhile) and always sets {@code updated_at}.
 *
 * <p>Keys are stored as {@link EntityKeys#display shown}: a relationship's key holds a NUL, which PostgreSQL's text
 * cannot.
 */
public final class PgReconciliationLog implements ReconciliationLog {
    private static final String OPEN = "('found', 'repair-requested', 'repairing', 'waiting')";
    private static final String QUEUED = "('repair-requested', 'repairing')";
    private static final String COLUMNS = "id, finding, entity_type, graph_name, entity_key, element_id, properties, status, action, rule, "
            + "decided_by, reason, checked_at, settled_at, repair_id";

    private final PgConnectionSource connections;

    public PgReconciliationLog(PgConnectionSource connections) {
        this.connections = connections;
    }

    @Override
    public long found(Finding finding, String by) {
        // Found again while open: the row is refreshed (what differs now), not duplicated; the unique index makes that
        // hold for two runs at once too.
        String sql = "INSERT INTO nexus_sync.reconciliation_log AS r (entity_type, entity_key, finding, action, detail, status, check_kind, "
                + "graph_name, element_id, properties, found_by) VALUES (?, ?, ?, 'none', ?, 'found', ?, ?, ?, ?, ?) "
                + "ON CONFLICT (entity_type, entity_key, finding) WHERE status IN " + OPEN + " DO UPDATE SET "
                + "detail = EXCLUDED.detail, graph_name = EXCLUDED.graph_name, element_id = EXCLUDED.element_id, properties = EXCLUDED.properties, "
                + "updated_at = CASE WHEN (r.detail, r.graph_name, r.element_id, r.properties) IS NOT DISTINCT FROM "
                + "(EXCLUDED.detail, EXCLUDED.graph_name, EXCLUDED.element_id, EXCLUDED.properties) THEN r.updated_at ELSE now() END "
                + "RETURNING id";
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, finding.table());
            ps.setString(2, EntityKeys.display(finding.key()));
            ps.setString(3, finding.kind().external());
            ps.setString(4, finding.describe());
            ps.setString(5, finding.check().external());
            ps.setString(6, finding.graphName());
            ps.setString(7, finding.elementId());
            ps.setArray(8, c.createArrayOf("text", finding.properties().toArray()));
            ps.setString(9, by);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw PgErrors.translate("logging a verify finding", connections.settings(), e);
        }
    }

    @Override
    public List<LoggedFinding> openFor(String table, String key) {
        return select("WHERE entity_type = ? AND entity_key = ? AND status IN " + OPEN + " ORDER BY id", ps -> {
            ps.setString(1, table);
            ps.setString(2, EntityKeys.display(key));
        });
    }

    @Override
    public void requestRepair(Collection<Long> ids, String by) {
        if (ids.isEmpty()) {
            return;
        }
        // A row already queued keeps who queued it; a waiting one is queued again (a rule may settle it now).
        update("UPDATE nexus_sync.reconciliation_log SET status = 'repair-requested', decided_by = ?, updated_at = now() "
                + "WHERE id = ANY (?) AND status IN ('found', 'waiting')", "queueing repairs", (c, ps) -> {
            ps.setString(1, by);
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray()));
        });
    }

    @Override
    public List<LoggedFinding> repairQueue(int limit) {
        return select("WHERE status IN " + QUEUED + " ORDER BY id LIMIT ?", ps -> ps.setInt(1, limit));
    }

    /** @throws IllegalStateException when the finding is no longer queued (a person settled it meanwhile): do not repair */
    @Override
    public void repairing(long id, RepairAction action, String rule, String repairId) {
        int changed = update("UPDATE nexus_sync.reconciliation_log SET status = 'repairing', action = ?, rule = ?, repair_id = ?, updated_at = now() "
                + "WHERE id = ? AND status IN " + QUEUED, "recording a repair's start", (c, ps) -> {
            ps.setString(1, action.external());
            ps.setString(2, rule);
            ps.setString(3, repairId);
            ps.setLong(4, id);
        });
        if (changed == 0) {
            throw new IllegalStateException("finding #" + id + " is not queued for repair (it was settled meanwhile, or does not exist): not repaired");
        }
    }

    @Override
    public void repaired(long id) {
        update("UPDATE nexus_sync.reconciliation_log SET status = 'repaired', settled_at = now(), updated_at = now() "
                + "WHERE id = ? AND status IN " + QUEUED, "recording a repair", (c, ps) -> ps.setLong(1, id));
    }

    @Override
    public void waiting(long id, String rule, String reason) {
        update("UPDATE nexus_sync.reconciliation_log SET status = 'waiting', action = 'none', rule = ?, reason = ?, updated_at = now() "
                + "WHERE id = ? AND status IN " + OPEN, "recording a finding that waits for a person", (c, ps) -> {
            ps.setString(1, rule);
            ps.setString(2, reason);
            ps.setLong(3, id);
        });
    }

    @Override
    public void cleared(long id, String reason) {
        update("UPDATE nexus_sync.reconciliation_log SET status = 'cleared', reason = ?, settled_at = now(), updated_at = now() "
                + "WHERE id = ? AND status IN " + OPEN, "recording a cleared finding", (c, ps) -> {
            ps.setString(1, reason);
            ps.setLong(2, id);
        });
    }

    @Override
    public Optional<LoggedFinding> resolve(long id, boolean takePostgres, String reason, String by) {
        String change = takePostgres
                ? "status = 'repair-requested', rule = 'person'"
                : "status = 'resolved', action = 'none', rule = 'person', settled_at = now()";
        List<LoggedFinding> resolved = select("UPDATE nexus_sync.reconciliation_log SET " + change + ", decided_by = ?, reason = ?, updated_at = now() "
                + "WHERE id = ? AND status IN " + OPEN + " RETURNING " + COLUMNS, ps -> {
            ps.setString(1, by);
            ps.setString(2, reason);
            ps.setLong(3, id);
        });
        return resolved.stream().findFirst();
    }

    @Override
    public Optional<LoggedFinding> finding(long id) {
        return select("WHERE id = ?", ps -> ps.setLong(1, id)).stream().findFirst();
    }

    @Override
    public List<LoggedFinding> findings(boolean openOnly, int limit) {
        return select((openOnly ? "WHERE status IN " + OPEN + " " : "") + "ORDER BY id DESC LIMIT ?", ps -> ps.setInt(1, limit));
    }

    @FunctionalInterface
    private interface Parameters {
        void set(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(Connection c, PreparedStatement ps) throws SQLException;
    }

    /** @param rest what follows {@code SELECT columns FROM the log}, or a whole statement that returns the columns */
    private List<LoggedFinding> select(String rest, Parameters parameters) {
        String sql = rest.startsWith("UPDATE") ? rest : "SELECT " + COLUMNS + " FROM nexus_sync.reconciliation_log " + rest;
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            parameters.set(ps);
            List<LoggedFinding> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(logged(rs));
                }
            }
            return found;
        } catch (SQLException e) {
            throw PgErrors.translate("reading the reconciliation log", connections.settings(), e);
        }
    }

    private int update(String sql, String operation, Binder binder) {
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(c, ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PgErrors.translate(operation, connections.settings(), e);
        }
    }

    private static LoggedFinding logged(ResultSet rs) throws SQLException {
        Array properties = rs.getArray("properties");
        Finding finding = new Finding(FindingKind.fromExternal(rs.getString("finding")), rs.getString("entity_type"), rs.getString("graph_name"),
                EntityKeys.parseDisplayed(rs.getString("entity_key")), rs.getString("element_id"),
                properties == null ? List.of() : Arrays.asList((String[]) properties.getArray()));
        Timestamp settled = rs.getTimestamp("settled_at");
        return new LoggedFinding(rs.getLong("id"), finding, FindingStatus.fromExternal(rs.getString("status")), action(rs.getString("action")),
                rs.getString("rule"), rs.getString("decided_by"), rs.getString("reason"), rs.getTimestamp("checked_at").toInstant(),
                settled == null ? null : settled.toInstant(), rs.getString("repair_id"));
    }

    private static RepairAction action(String external) {
        return RepairAction.valueOf(external.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
