package io.nexussync.app.service;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.neo4j.driver.Driver;

/** {@code nexus-sync status}: where the slot stands, how far behind the graph is, and the last batch. */
public final class StatusReport {
    private StatusReport() {}

    public static Map<String, Object> collect(SyncConfig config, Driver driver) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("slot", config.postgres().slot());
        try (Connection c = PgConnections.open(config.postgres(), "status")) {
            try (var ps = c.prepareStatement("SELECT active, confirmed_flush_lsn::text, pg_current_wal_lsn()::text, "
                    + "pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, "
                    + "pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, config.postgres().slot());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        status.put("slotActive", rs.getBoolean(1));
                        status.put("confirmedPosition", rs.getString(2));
                        status.put("serverPosition", rs.getString(3));
                        status.put("lagBytes", rs.getLong(4));
                        status.put("retainedWalBytes", rs.getLong(5));
                        status.put("walStatus", rs.getString(6));
                    } else {
                        status.put("slotActive", false);
                        status.put("problem", "the slot does not exist yet: the first nexus-sync run creates it and takes the initial snapshot");
                    }
                }
            }
            try (var st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT logged_at::text, from_lsn::text, to_lsn::text, changes, duration_ms FROM nexus_sync.transaction_log "
                         + "WHERE kind = 'batch' ORDER BY id DESC LIMIT 1")) {
                if (rs.next()) {
                    Map<String, Object> last = new LinkedHashMap<>();
                    last.put("at", rs.getString(1));
                    last.put("fromPosition", rs.getString(2));
                    last.put("toPosition", rs.getString(3));
                    last.put("changes", rs.getInt(4));
                    last.put("durationMs", rs.getLong(5));
                    status.put("lastBatch", last);
                }
            } catch (SQLException e) {
                status.put("lastBatch", null);
            }
        } catch (SQLException e) {
            throw PgErrors.translate("reading the status", config.postgres(), e);
        }
        Neo4jGraphWriter graph = new Neo4jGraphWriter(driver, config.neo4jDatabase(), config.postgres().slot());
        Checkpoint checkpoint = graph.loadCheckpoint();
        status.put("graphCheckpoint", checkpoint.committedEnd().isValid() ? checkpoint.committedEnd().toString() : null);
        SnapshotMark mark = graph.loadSnapshotMark();
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("state", switch (mark.state()) {
            case NONE -> "not taken yet";
            case RUNNING -> "running, or cut short (a new one begins at the next start)";
            case DONE -> "done";
        });
        if (mark.state() != SnapshotMark.State.NONE) {
            snapshot.put("consistentPosition", mark.consistentPoint().toString());
            snapshot.put("rows", mark.rowsDone());
        }
        status.put("snapshot", snapshot);
        return status;
    }

    public static String asText(Map<String, Object> status) {
        StringBuilder out = new StringBuilder();
        status.forEach((k, v) -> {
            if (v instanceof Map<?, ?> nested) {
                out.append(k).append(":\n");
                nested.forEach((nk, nv) -> out.append("  ").append(nk).append(": ").append(nv).append('\n'));
            } else {
                out.append(k).append(": ").append(v).append('\n');
            }
        });
        return out.toString();
    }
}
