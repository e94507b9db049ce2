package io.nexussync.postgres.critical;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalTransactions;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's side of critical writes: the transactions prepared as {@code nexus_sync:<id>} in the connected database
 * ({@code pg_prepared_xacts}), how one is finished, and what became of one ({@link #status}).
 *
 * <p>Finishing records the decision in {@code nexus_sync.critical_transaction} first (with the transaction's full id,
 * read while it is still prepared), then runs COMMIT PREPARED or ROLLBACK PREPARED, then records PostgreSQL's answer:
 * a crash between two steps leaves a row that says what was decided, and the transaction's id tells what became of it.
 * Each step is a statement of its own on an auto-commit connection (COMMIT PREPARED cannot run inside a transaction).
 * Thread-safe: every call borrows a connection for its own work.
 */
public final class PgPreparedTransactions implements PreparedTransactions {
    private static final Logger log = LoggerFactory.getLogger(PgPreparedTransactions.class);
    static final String TABLE = "nexus_sync.critical_transaction";
    /** SQLState: no prepared transaction with that global id (finished before). */
    private static final String UNDEFINED_OBJECT = "42704";
    /** SQLState: only the role that prepared it, or a superuser, may finish it. */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String UNDEFINED_TABLE = "42P01";

    private final PgConnectionSource connections;

    public PgPreparedTransactions(PgConnectionSource connections) {
        this.connections = connections;
    }

    @Override
    public List<Prepared> list() {
        try (Connection c = connections.connection();
             PreparedStatement ps = c.prepareStatement("SELECT gid, transaction::text::bigint AS xid, prepared FROM pg_prepared_xacts "
                     + "WHERE database = current_database() AND starts_with(gid, ?) ORDER BY prepared, gid")) {
            ps.setString(1, CriticalTransactions.GID_PREFIX);
            List<Prepared> prepared = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    prepared.add(new Prepared(rs.getString("gid"), rs.getLong("xid"), instant(rs, "prepared")));
                }
            }
            return prepared;
        } catch (SQLException e) {
            throw PgErrors.translate("listing the prepared critical transactions", connections.settings(), e);
        }
    }

    @Override
    public Finished finish(CriticalDecision decision) {
        String gid = checked(decision.gid());
        String command = decision.commits() ? "COMMIT PREPARED" : "ROLLBACK PREPARED";
        try (Connection c = connections.connection()) {
            record(c, gid, decision);
            try (Statement st = c.createStatement()) {
                // The gid is letters, digits and - _ . : only (checked above): nothing in it can end the literal.
                st.execute(command + " '" + gid + "'");
            } catch (SQLException e) {
                if (UNDEFINED_OBJECT.equals(e.getSQLState())) {
                    learnOutcome(c, gid);
                    return Finished.NOT_PREPARED;
                }
                if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    throw SyncException.persistent(ErrorText.withDetail(command + " '" + gid + "' was refused (SQLState 42501): only the role that "
                            + "prepared a transaction, or a superuser, may finish it; nexus-sync connects as '" + connections.settings().user()
                            + "': let the application prepare critical writes as that role, or give nexus-sync a superuser", PgErrors.serverText(e)), e);
                }
                throw PgErrors.translate(command + " of critical transaction " + gid, connections.settings(), e);
            }
            Finished result = decision.commits() ? Finished.COMMITTED : Finished.ROLLED_BACK;
            markFinished(c, gid, result);
            return result;
        } catch (SQLException e) {
            throw PgErrors.translate("finishing critical transaction " + gid, connections.settings(), e);
        }
    }

    /**
     * What became of the critical transaction {@code id} (with or without the prefix): pending while PostgreSQL still holds
     * it prepared; committed or rolled back as PostgreSQL answers for the transaction id nexus-sync recorded, else as
     * nexus-sync recorded it; unknown when neither knows it.
     */
    public CriticalStatus status(String id) {
        String gid = CriticalTransactions.gidOf(id);
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(statusesOf("(SELECT ?::text AS gid)"))) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return CriticalStatuses.of(CriticalTransactions.idOf(gid), gid, rs);
            }
        } catch (SQLException e) {
            throw failedReading("the status of critical transaction " + gid, e);
        }
    }

    /**
     * The critical writes an operator looks at first: every one still prepared in this database, oldest first (the one
     * that waits longest heads the list), then the newest finished ones as nexus-sync recorded them; {@code limit} in all.
     */
    public List<CriticalStatus> recent(int limit) {
        String gids = "((SELECT gid, 0 AS finished, prepared AS at FROM pg_prepared_xacts WHERE database = current_database() "
                + "AND starts_with(gid, ?) ORDER BY prepared LIMIT ?) UNION ALL (SELECT r.gid, 1, r.decided_at FROM " + TABLE + " r "
                + "WHERE NOT EXISTS (SELECT 1 FROM pg_prepared_xacts q WHERE q.gid = r.gid) ORDER BY r.decided_at DESC NULLS LAST LIMIT ?))";
        String sql = statusesOf(gids) + " ORDER BY g.finished, CASE WHEN g.finished = 0 THEN g.at END, g.at DESC NULLS LAST LIMIT ?";
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, CriticalTransactions.GID_PREFIX);
            ps.setInt(2, limit);
            ps.setInt(3, limit);
            ps.setInt(4, limit);
            List<CriticalStatus> statuses = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String gid = rs.getString("gid");
                    statuses.add(CriticalStatuses.of(CriticalTransactions.idOf(gid), gid, rs));
                }
            }
            return statuses;
        } catch (SQLException e) {
            throw failedReading("the recent critical transactions", e);
        }
    }

    /** What {@link CriticalStatuses} reads of each global id the relation {@code gids} (a column {@code gid}) names. */
    private static String statusesOf(String gids) {
        return "SELECT g.gid, p.prepared, p.database, p.database = current_database() AS here, t.gid AS recorded, t.xid8, t.outcome, t.reason, "
                + "t.decided_by, t.prepared_at, t.decided_at, t.finished_at, t.result, "
                + "CASE WHEN t.xid8 IS NULL THEN NULL ELSE pg_xact_status(t.xid8::text::xid8) END AS xact_status "
                + "FROM " + gids + " g LEFT JOIN pg_prepared_xacts p ON p.gid = g.gid LEFT JOIN " + TABLE + " t ON t.gid = g.gid";
    }

    private SyncException failedReading(String what, SQLException e) {
        if (UNDEFINED_TABLE.equals(e.getSQLState())) {
            return SyncException.persistent(TABLE + " does not exist in this database: run nexus-sync setup (or start the service) once "
                    + "with this version, which creates it", e);
        }
        return PgErrors.translate("reading " + what, connections.settings(), e);
    }

    /** The decision, with the transaction's full id and prepare time while PostgreSQL still shows them, before it is carried out. */
    private void record(Connection c, String gid, CriticalDecision decision) throws SQLException {
        Long xid8 = null;
        OffsetDateTime preparedAt = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT p.transaction::text::bigint AS xid, p.prepared, p.database, "
                + "p.database = current_database() AS here, pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next_xid "
                + "FROM pg_prepared_xacts p WHERE p.gid = ?")) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!rs.getBoolean("here")) {
                        throw SyncException.persistent("critical transaction " + gid + " is prepared in database '" + rs.getString("database")
                                + "', not in this service's: COMMIT PREPARED and ROLLBACK PREPARED only work in the database that prepared it, "
                                + "and nexus-sync finishes only its own database's", null);
                    }
                    xid8 = Xid8.of(rs.getLong("xid"), rs.getLong("next_xid"));
                    preparedAt = rs.getObject("prepared", OffsetDateTime.class);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " AS t (gid, xid8, outcome, reason, decided_by, prepared_at, decided_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (gid) DO UPDATE SET xid8 = COALESCE(EXCLUDED.xid8, t.xid8), outcome = EXCLUDED.outcome, "
                + "reason = EXCLUDED.reason, decided_by = EXCLUDED.decided_by, prepared_at = COALESCE(EXCLUDED.prepared_at, t.prepared_at), "
                + "decided_at = EXCLUDED.decided_at WHERE t.finished_at IS NULL")) {
            ps.setString(1, gid);
            ps.setObject(2, xid8);
            ps.setString(3, decision.outcome().text());
            ps.setString(4, decision.reason());
            ps.setString(5, decision.decidedBy());
            ps.setObject(6, preparedAt);
            ps.setObject(7, OffsetDateTime.ofInstant(decision.decidedAt(), ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    /** PostgreSQL did as told; should recording that fail, the recorded transaction id still tells it. */
    private static void markFinished(Connection c, String gid, Finished result) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET finished_at = now(), result = ? WHERE gid = ? AND finished_at IS NULL")) {
            ps.setString(1, result == Finished.COMMITTED ? "committed" : "rolled_back");
            ps.setString(2, gid);
            ps.executeUpdate();
        } catch (SQLException e) {
            log.warn("critical transaction {} is {} in PostgreSQL, but recording that failed (SQLState {}: {}); its status is read from its "
                    + "transaction id", gid, result, e.getSQLState(), PgErrors.serverText(e));
        }
    }

    /** No longer prepared: someone finished it before. What became of it, when nexus-sync recorded its transaction id. */
    private static void learnOutcome(Connection c, String gid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET finished_at = now(), result = CASE pg_xact_status(xid8::text::xid8) "
                + "WHEN 'committed' THEN 'committed' ELSE 'rolled_back' END WHERE gid = ? AND finished_at IS NULL AND xid8 IS NOT NULL "
                + "AND pg_xact_status(xid8::text::xid8) IN ('committed', 'aborted')")) {
            ps.setString(1, gid);
            ps.executeUpdate();
        }
    }

    /** The global id of a critical write, refused unless it is one: it is quoted into COMMIT PREPARED. */
    private static String checked(String gid) {
        if (!CriticalTransactions.isCritical(gid) || !CriticalTransactions.gidOf(gid).equals(gid)) {
            throw SyncException.persistent("'" + gid + "' is not the global id of a critical write ('" + CriticalTransactions.GID_PREFIX
                    + "' followed by letters, digits or - _ . :): nexus-sync finishes only those", null);
        }
        return gid;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
