package io.nexussync.postgres.bookkeeping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.acknowledge.BatchSummary;
import io.nexussync.core.acknowledge.LoggedEntity;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.postgres.PgConnectionSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code nexus_sync.transaction_log}: a row per applied batch (with its summary) and per failed attempt; a failed batch
 * write also gets a row per entity, which its later attempts update and its end settles (V7). The log is a record, not a
 * control: if PostgreSQL cannot take a row, the row is logged and the sync goes on.
 */
public final class PgSyncLog implements SyncLog {
    private static final Logger log = LoggerFactory.getLogger(PgSyncLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSERT_ENTITY = "INSERT INTO nexus_sync.transaction_log (kind, status, operation, entity_pg, entity_neo4j, "
            + "entity_table, entity_key, graph_label, graph_id, element_id, change_data, error, retry_count, next_attempt_at, retry_group) "
            + "VALUES ('operation', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final PgConnectionSource connections;

    public PgSyncLog(PgConnectionSource connections) {
        this.connections = connections;
    }

    @Override
    public void batchApplied(BatchRecord r) {
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.transaction_log (kind, status, operation, from_lsn, to_lsn, "
                    + "changes, node_rows, relationship_rows, cross_references, duration_ms, summary) "
                    + "VALUES ('batch', 'applied', 'apply', ?::pg_lsn, ?::pg_lsn, ?, ?, ?, ?, ?, ?::jsonb)")) {
                ps.setString(1, r.fromLsn().isValid() ? r.fromLsn().toString() : null);
                ps.setString(2, r.toLsn().isValid() ? r.toLsn().toString() : null);
                ps.setInt(3, r.changes());
                ps.setLong(4, r.nodeRows());
                ps.setLong(5, r.relationshipRows());
                ps.setInt(6, r.crossReferences());
                ps.setLong(7, r.duration().toMillis());
                ps.setString(8, summaryJson(r.summary()));
                ps.executeUpdate();
            }
        });
    }

    /** The summary as the {@code summary} column holds it; null when there is nothing to say (no changes counted). */
    static String summaryJson(BatchSummary summary) {
        if (summary == null || (summary.changes().isEmpty() && summary.graph().isEmpty() && summary.deadLettered() == 0 && summary.parked() == 0
                && summary.consumed().isEmpty())) {
            return null;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("changes", summary.changes());
        json.put("graph", summary.graph());
        json.put("deadLettered", summary.deadLettered());
        json.put("parked", summary.parked());
        if (!summary.consumed().isEmpty()) {
            json.put("consumed", summary.consumed());
        }
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of counts always serialise", e);
        }
    }

    @Override
    public void operationFailed(FailureRecord r) {
        String status = r.nextAttemptIn() == null ? "failed" : "retrying";
        Timestamp next = r.nextAttemptIn() == null ? null : Timestamp.from(Instant.now().plus(r.nextAttemptIn()));
        if (r.retryGroup() == null) {
            write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.transaction_log (kind, status, operation, entity_pg, change_data, "
                        + "error, retry_count, next_attempt_at) VALUES ('operation', ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, status);
                    ps.setString(2, r.operation());
                    ps.setString(3, r.entity());
                    ps.setString(4, r.change());
                    ps.setString(5, r.error());
                    ps.setInt(6, r.attempt());
                    ps.setTimestamp(7, next);
                    ps.executeUpdate();
                }
            });
            return;
        }
        write(c -> {
            c.setAutoCommit(false);
            try {
                // A later attempt moves the rows of the first on; the first (or one whose rows could not be written then) adds them.
                int updated;
                try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.transaction_log SET status = ?, retry_count = ?, next_attempt_at = ?, "
                        + "error = ? WHERE retry_group = ?")) {
                    ps.setString(1, status);
                    ps.setInt(2, r.attempt());
                    ps.setTimestamp(3, next);
                    ps.setString(4, r.error());
                    ps.setString(5, r.retryGroup());
                    updated = ps.executeUpdate();
                }
                if (updated == 0) {
                    insertGroup(c, r, status, next);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        });
    }

    private static void insertGroup(Connection c, FailureRecord r, String status, Timestamp next) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_ENTITY)) {
            int left = r.entityCount() - r.entities().size();
            bind(ps, status, r.operation(), r.entity(), null, null, null, null, null, null,
                    r.change() + (left > 0 ? "; the first " + r.entities().size() + " logged one by one" : ""), r, next);
            ps.addBatch();
            for (LoggedEntity e : r.entities()) {
                bind(ps, status, e.operation(), e.table() + " " + e.key(), e.graphType() == null ? null : e.graphType() + " " + e.graphId(),
                        e.table(), e.key(), e.graphType(), e.graphId(), e.elementId(), e.change(), r, next);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bind(PreparedStatement ps, String status, String operation, String entityPg, String entityNeo4j, String table, String key,
                             String label, String graphId, String elementId, String change, FailureRecord r, Timestamp next) throws SQLException {
        ps.setString(1, status);
        ps.setString(2, operation);
        ps.setString(3, entityPg);
        ps.setString(4, entityNeo4j);
        ps.setString(5, table);
        ps.setString(6, key);
        ps.setString(7, label);
        ps.setString(8, graphId);
        ps.setString(9, elementId);
        ps.setString(10, change);
        ps.setString(11, r.error());
        ps.setInt(12, r.attempt());
        if (next == null) {
            ps.setNull(13, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setTimestamp(13, next);
        }
        ps.setString(14, r.retryGroup());
    }

    @Override
    public void retriesEnded(String retryGroup, RetryEnd end, int retries, String error) {
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.transaction_log SET status = ?, retry_count = ?, next_attempt_at = NULL, "
                    + "error = coalesce(?, error) WHERE retry_group = ?")) {
                ps.setString(1, end.status());
                ps.setInt(2, retries);
                ps.setString(3, error);
                ps.setString(4, retryGroup);
                ps.executeUpdate();
            }
        });
    }

    private interface Write {
        void run(Connection c) throws SQLException;
    }

    private void write(Write write) {
        try (Connection c = connections.connection()) {
            write.run(c);
        } catch (SQLException e) {
            log.warn("could not write to nexus_sync.transaction_log: {}", e.getMessage());
        }
    }
}
