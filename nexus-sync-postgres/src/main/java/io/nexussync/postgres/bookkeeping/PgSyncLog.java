package io.nexussync.postgres.bookkeeping;

import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.postgres.PgConnectionSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code nexus_sync.transaction_log}: a row per applied batch and per failed attempt. The log is a
 * record, not a control: if PostgreSQL cannot take a row, the row is logged and the sync goes on.
 */
public final class PgSyncLog implements SyncLog {
    private static final Logger log = LoggerFactory.getLogger(PgSyncLog.class);

    private final PgConnectionSource connections;

    public PgSyncLog(PgConnectionSource connections) {
        this.connections = connections;
    }

    @Override
    public void batchApplied(BatchRecord r) {
        insert("INSERT INTO nexus_sync.transaction_log (kind, status, operation, from_lsn, to_lsn, changes, node_rows, "
                + "relationship_rows, cross_references, duration_ms) VALUES ('batch', 'applied', 'apply', ?::pg_lsn, ?::pg_lsn, ?, ?, ?, ?, ?)", ps -> {
            ps.setString(1, r.fromLsn().isValid() ? r.fromLsn().toString() : null);
            ps.setString(2, r.toLsn().isValid() ? r.toLsn().toString() : null);
            ps.setInt(3, r.changes());
            ps.setLong(4, r.nodeRows());
            ps.setLong(5, r.relationshipRows());
            ps.setInt(6, r.crossReferences());
            ps.setLong(7, r.duration().toMillis());
        });
    }

    @Override
    public void operationFailed(FailureRecord r) {
        insert("INSERT INTO nexus_sync.transaction_log (kind, status, operation, entity_pg, change_data, error, retry_count, next_attempt_at) "
                + "VALUES ('operation', ?, ?, ?, ?, ?, ?, ?)", ps -> {
            ps.setString(1, r.nextAttemptIn() == null ? "failed" : "retrying");
            ps.setString(2, r.operation());
            ps.setString(3, r.entity());
            ps.setString(4, r.change());
            ps.setString(5, r.error());
            ps.setInt(6, r.attempt());
            if (r.nextAttemptIn() == null) {
                ps.setNull(7, Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                ps.setTimestamp(7, Timestamp.from(Instant.now().plus(r.nextAttemptIn())));
            }
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private void insert(String sql, Binder binder) {
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            log.warn("could not write to nexus_sync.transaction_log: {}", e.getMessage());
        }
    }
}
