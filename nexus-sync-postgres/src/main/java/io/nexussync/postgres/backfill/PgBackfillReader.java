package io.nexussync.postgres.backfill;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.backfill.BackfillReader;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.snapshot.SnapshotSource.Chunk;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.pgoutput.ValueConversionException;
import io.nexussync.postgres.snapshot.ChunkReader;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backfill's side of PostgreSQL: watermarks as transactional logical messages, each committed on its
 * own so it takes its place in the stream's commit order, and chunks read in read-only transactions
 * (the {@code --where} condition is operator SQL; read-only keeps it from writing) under a statement
 * timeout (so a slow condition, or {@code pg_sleep}, cannot hold the backfill thread). A failed read
 * reports the SQLState, never PostgreSQL's message, which may quote a row's values and ends up in the
 * job's error; the message goes to the service log.
 */
public final class PgBackfillReader implements BackfillReader {
    private static final Logger log = LoggerFactory.getLogger(PgBackfillReader.class);
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(60);

    private final PgConnectionSource connections;
    private final Mapping mapping;
    private final Duration statementTimeout;

    public PgBackfillReader(PgConnectionSource connections, Mapping mapping) {
        this(connections, mapping, DEFAULT_STATEMENT_TIMEOUT);
    }

    public PgBackfillReader(PgConnectionSource connections, Mapping mapping, Duration statementTimeout) {
        this.connections = connections;
        this.mapping = mapping;
        this.statementTimeout = statementTimeout;
    }

    @Override
    public void emitWatermark(String prefix, String content) {
        // In auto-commit: the message commits on its own.
        try (Connection c = connections.connection(); var ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            ps.setString(1, prefix);
            ps.setString(2, content);
            ps.execute();
        } catch (SQLException e) {
            throw PgErrors.translate("writing a backfill watermark", connections.settings(), e);
        }
    }

    @Override
    public Chunk readChunk(TableId table, String where, List<String> afterKey, int limit) {
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try {
                limitTransaction(c, statementTimeout);
                ChunkReader.preferCustomPlansInTransaction(c);
                List<String> key = mapping.node(table).map(n -> n.keyColumns()).orElse(null);
                return ChunkReader.read(c, TableLayout.read(c, table, key), where, afterKey, limit);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            String operation = "reading " + table + " for a backfill";
            log.warn("{} failed (SQLState {}): {}", operation, e.getSQLState(), e.getMessage());
            if (TIMED_OUT.equals(e.getSQLState())) {
                throw SyncException.persistent(operation + " was cancelled after the statement timeout of " + statementTimeout.toSeconds()
                        + " s (NEXUS_SYNC_BACKFILL_STATEMENT_TIMEOUT_S): make the where condition cheaper (an index on its columns) "
                        + "or raise the timeout", e);
            }
            throw PgErrors.withoutServerText(operation, connections.settings(), e);
        } catch (SyncException e) {
            if (e.getCause() instanceof ValueConversionException) {
                log.warn("reading {} for a backfill: {}", table, e.getMessage());
                throw SyncException.persistent("a row of " + table + " has a value the graph cannot take: the service log names the row "
                        + "and column (the value is not repeated here)", e);
            }
            throw e;
        }
    }

    /** PostgreSQL's query_canceled: a statement timeout (or an administrator's pg_cancel_backend). */
    private static final String TIMED_OUT = "57014";

    /**
     * For the transaction just begun: the statement timeout, and standard_conforming_strings on, the
     * quoting that {@link io.nexussync.core.backfill.WhereCondition} checked the condition by.
     */
    public static void limitTransaction(Connection c, Duration statementTimeout) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("SET LOCAL statement_timeout = " + Math.max(1, statementTimeout.toMillis()));
            st.execute("SET LOCAL standard_conforming_strings = on");
        }
    }
}
