package io.nexussync.postgres.critical;

import io.nexussync.core.critical.CriticalTransactions;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs SQL statements as a critical write ({@code POST /critical}): BEGIN, the statements, PREPARE TRANSACTION
 * {@code 'nexus_sync:<id>'}, then waits for nexus-sync to commit or roll it back ({@link PgPreparedTransactions#status}).
 * What an application does itself, for callers that cannot. A statement PostgreSQL refuses rolls the transaction back
 * and is named by its index and SQLState, never by PostgreSQL's text (it can quote a row's values; the log has it).
 */
public final class PgCriticalRunner {
    private static final Logger log = LoggerFactory.getLogger(PgCriticalRunner.class);
    /** Statements that would end the transaction before it is prepared (what ran before them would be committed as an ordinary one). */
    private static final List<String> TRANSACTION_CONTROL = List.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE");
    private static final Duration FIRST_POLL = Duration.ofMillis(20);
    private static final Duration LONGEST_POLL = Duration.ofMillis(250);

    private final PgConnectionSource connections;
    private final PgPreparedTransactions prepared;

    /**
     * @param connections where the statements run: best a connection of its own each time ({@link PgConnectionSource#direct}), as a
     *                    statement may change its session ({@code SET}) for whoever borrows it next
     * @param prepared    where the outcome is read while waiting
     */
    public PgCriticalRunner(PgConnectionSource connections, PgPreparedTransactions prepared) {
        this.connections = connections;
        this.prepared = prepared;
    }

    /**
     * Prepares {@code statements} as one critical write and waits up to {@code wait} for its outcome.
     *
     * @param id null for a new one (a UUID); else letters, digits and - _ . :, never used before
     * @return its status when it stopped pending, or still {@link CriticalStatus.State#PENDING} when {@code wait} ran out
     */
    public CriticalStatus run(List<String> statements, String id, Duration wait) throws InterruptedException {
        String gid = CriticalTransactions.gidOf(id == null ? UUID.randomUUID().toString() : id);
        check(statements);
        try (Connection c = connections.connection()) {
            refuseUsed(c, gid);
            c.setAutoCommit(false);
            try {
                String xid = currentXid(c);
                for (int i = 0; i < statements.size(); i++) {
                    try (Statement st = c.createStatement()) {
                        st.execute(statements.get(i));
                    } catch (SQLException e) {
                        throw refused(gid, i, statements.size(), e);
                    }
                }
                if (!xid.equals(currentXid(c))) {
                    throw SyncException.persistent("a statement ended the transaction before it was prepared (a COMMIT or ROLLBACK among them): what "
                            + "ran before it is committed as an ordinary transaction, and nothing was prepared as " + gid, null);
                }
                try (Statement st = c.createStatement()) {
                    st.execute("PREPARE TRANSACTION '" + gid + "'");
                }
            } catch (SQLException | RuntimeException e) {
                rollBack(c);
                throw e;
            }
            // PREPARE TRANSACTION ended the transaction; the connection is idle again.
            c.setAutoCommit(true);
        } catch (SQLException e) {
            // A connection lost during PREPARE may or may not have prepared it: its status tells.
            throw PgErrors.withoutServerText("preparing critical transaction " + gid + " (GET /critical/" + CriticalTransactions.idOf(gid)
                    + " tells whether it was prepared)", connections.settings(), e);
        }
        log.info("critical transaction {} prepared ({} statements); waiting up to {} ms for nexus-sync to finish it", gid, statements.size(), wait.toMillis());
        return awaitOutcome(CriticalTransactions.idOf(gid), wait);
    }

    private CriticalStatus awaitOutcome(String id, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Duration pause = FIRST_POLL;
        while (true) {
            CriticalStatus status = prepared.status(id);
            long left = deadline - System.nanoTime();
            if (!status.pending() || left <= 0) {
                return status;
            }
            Thread.sleep(Math.max(1, Math.min(pause.toMillis(), left / 1_000_000)));
            pause = pause.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : pause.multipliedBy(2);
        }
    }

    private static void check(List<String> statements) {
        if (statements == null || statements.isEmpty()) {
            throw SyncException.persistent("no statements: a critical write runs one or more SQL statements", null);
        }
        for (int i = 0; i < statements.size(); i++) {
            String statement = statements.get(i);
            if (statement == null || statement.isBlank()) {
                throw SyncException.persistent("statements[" + i + "] is empty", null);
            }
            String first = statement.strip().split("[\\s;(]", 2)[0].toUpperCase(Locale.ROOT);
            if (TRANSACTION_CONTROL.contains(first)) {
                throw SyncException.persistent("statements[" + i + "] is " + first + ": the statements run inside the critical transaction, which "
                        + "nexus-sync begins and prepares itself; leave transaction control out", null);
            }
        }
    }

    /** An id names one critical write for good: its recorded outcome, and the graph's decision, belong to the first one. */
    private static void refuseUsed(Connection c, String gid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM pg_prepared_xacts WHERE gid = ?) + (SELECT count(*) FROM "
                + PgPreparedTransactions.TABLE + " WHERE gid = ?)")) {
            ps.setString(1, gid);
            ps.setString(2, gid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw SyncException.persistent("the id '" + CriticalTransactions.idOf(gid) + "' was used before: each critical write needs an id "
                            + "of its own (leave \"id\" out for a new UUID)", null);
                }
            }
        }
    }

    /** Forces the transaction's id now, so that a statement that ends the transaction shows by a different one at the end. */
    private static String currentXid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private SyncException refused(String gid, int index, int count, SQLException e) {
        String state = e.getSQLState() == null || e.getSQLState().isEmpty() ? "unknown" : e.getSQLState();
        String ours = "statements[" + index + "] (of " + count + ") was refused by PostgreSQL (SQLState " + state + "); the transaction was "
                + "rolled back and nothing was prepared as " + gid;
        ErrorText text = new ErrorText(ours + ": " + PgErrors.serverText(e), ours + " (PostgreSQL's message is in the service log)");
        log.warn("{}", text.full());
        // Only ours and the SQLState for the caller: no cause, whose text an error answer could repeat.
        return PgErrors.translate("", connections.settings(), e).isRetryable() ? SyncException.retryable(text, null) : SyncException.rejected(text, null);
    }

    private static void rollBack(Connection c) {
        try {
            c.rollback();
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection goes back broken and the pool drops it; the server rolls back a transaction whose session ends
        }
    }
}
