package io.nexussync.postgres.backfill;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.backfill.BackfillJob;
import io.nexussync.core.backfill.BackfillStore;
import io.nexussync.core.backfill.WhereCondition;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code nexus_sync.backfill}: the queue of backfill jobs and their progress. Each call borrows a connection for itself. */
public final class PgBackfillStore implements BackfillStore {
    private static final Logger log = LoggerFactory.getLogger(PgBackfillStore.class);
    /** The check plans the condition and reads no row: it is quick unless something is wrong. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

    private final PgConnectionSource connections;

    public PgBackfillStore(PgConnectionSource connections) {
        this.connections = connections;
    }

    /**
     * Queues a job after checking that {@code where} is one boolean expression ({@link WhereCondition}) that
     * PostgreSQL accepts on the table (EXPLAIN: planned, no row read). The condition is the operator's own SQL,
     * run only inside read-only transactions under a statement timeout.
     *
     * @return the job id
     */
    public long request(TableId table, String where, String requestedBy) {
        String condition = WhereCondition.check(where);
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (var st = c.createStatement()) {
                PgBackfillReader.limitTransaction(c, CHECK_TIMEOUT);
                st.execute("EXPLAIN SELECT 1 FROM " + quote(table) + (condition == null ? "" : " WHERE (" + condition + ")"));
            } catch (SQLException e) {
                throw refused(table, condition, e);
            } finally {
                c.rollback();
            }
            c.setReadOnly(false);
            c.setAutoCommit(true);
            try (var ps = c.prepareStatement("INSERT INTO nexus_sync.backfill (table_name, where_clause, requested_by) VALUES (?, ?, ?) RETURNING id")) {
                ps.setString(1, table.toString());
                ps.setString(2, condition);
                ps.setString(3, requestedBy);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate("queueing the backfill", connections.settings(), e);
        }
    }

    /**
     * The condition's check failed. PostgreSQL's message is passed on for class 42 only (a syntax error, an unknown
     * column or function, a type mismatch): found while parsing and planning, before any row is read, it is about
     * the text the caller sent. Anything else may come from evaluating something (and quote what it evaluated):
     * its SQLState only, the message to the service log.
     */
    private SyncException refused(TableId table, String condition, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String what = "cannot backfill " + table + (condition == null ? "" : " where " + condition);
        if (state.startsWith("42")) {
            return SyncException.persistent(what + ": " + firstLine(e)
                    + (condition == null ? "" : " (check the where condition: it must be valid SQL on that table's columns)"), null);
        }
        SyncException translated = PgErrors.withoutServerText("checking the backfill's where condition on " + table, connections.settings(), e);
        if (!translated.isRetryable()) {
            log.warn("checking the backfill of {} where {} failed (SQLState {}): {}", table, condition, state, firstLine(e));
        }
        return translated;
    }

    @Override
    public Optional<BackfillJob> next() {
        try (Connection c = connections.connection()) {
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "UPDATE nexus_sync.backfill SET state = 'running', updated_at = now() WHERE id = ("
                            + "SELECT id FROM nexus_sync.backfill WHERE state IN ('running', 'pending') "
                            + "ORDER BY state = 'running' DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                            + "RETURNING id, table_name, where_clause, last_key, rows_done")) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Array key = rs.getArray(4);
                return Optional.of(new BackfillJob(rs.getLong(1), TableId.parse(rs.getString(2)), rs.getString(3),
                        key == null ? null : Arrays.asList((String[]) key.getArray()), rs.getLong(5)));
            }
        } catch (SQLException e) {
            throw PgErrors.translate("reading the backfill queue", connections.settings(), e);
        }
    }

    @Override
    public void progressed(BackfillJob job, List<String> lastKey, long rowsDone) {
        update("UPDATE nexus_sync.backfill SET last_key = ?, rows_done = ?, updated_at = now() WHERE id = ?", (c, ps) -> {
            ps.setArray(1, c.createArrayOf("text", lastKey.toArray()));
            ps.setLong(2, rowsDone);
            ps.setLong(3, job.id());
        });
    }

    @Override
    public void finished(BackfillJob job, long rowsDone) {
        update("UPDATE nexus_sync.backfill SET state = 'done', rows_done = ?, updated_at = now() WHERE id = ?", (c, ps) -> {
            ps.setLong(1, rowsDone);
            ps.setLong(2, job.id());
        });
    }

    @Override
    public void failed(BackfillJob job, String error) {
        update("UPDATE nexus_sync.backfill SET state = 'failed', error = ?, updated_at = now() WHERE id = ?", (c, ps) -> {
            ps.setString(1, error);
            ps.setLong(2, job.id());
        });
    }

    /** Every job, newest first, for {@code status} and the admin API. */
    public List<Map<String, Object>> list(int limit) {
        try (Connection c = connections.connection();
             var ps = c.prepareStatement("SELECT id, table_name, where_clause, state, rows_done, requested_by, error, "
                     + "requested_at::text, updated_at::text FROM nexus_sync.backfill ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            List<Map<String, Object>> jobs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> job = new LinkedHashMap<>();
                    job.put("id", rs.getLong(1));
                    job.put("table", rs.getString(2));
                    job.put("where", rs.getString(3));
                    job.put("state", rs.getString(4));
                    job.put("rowsDone", rs.getLong(5));
                    job.put("requestedBy", rs.getString(6));
                    job.put("error", rs.getString(7));
                    job.put("requestedAt", rs.getString(8));
                    job.put("updatedAt", rs.getString(9));
                    jobs.add(job);
                }
            }
            return jobs;
        } catch (SQLException e) {
            throw PgErrors.translate("listing backfills", connections.settings(), e);
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(Connection c, PreparedStatement ps) throws SQLException;
    }

    private void update(String sql, Binder binder) {
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(c, ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw PgErrors.translate("recording backfill progress", connections.settings(), e);
        }
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
