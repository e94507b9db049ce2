package io.nexussync.postgres.bookkeeping;

import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.slot.SlotHealth;
import io.nexussync.postgres.slot.SlotHealthReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PostgreSQL's part of {@code nexus-sync status}, read on one connection: the slot's health and the last batch the
 * transaction log recorded.
 *
 * @param logReadable whether the transaction log could be read
 * @param lastBatch   {@code at}, {@code fromPosition}, {@code toPosition}, {@code changes}, {@code durationMs}; null when the
 *                    log holds no batch or cannot be read
 */
public record PgStatus(SlotHealth slot, boolean logReadable, Map<String, Object> lastBatch) {

    public static PgStatus read(PgConnectionSource connections) {
        try (Connection c = connections.connection()) {
            SlotHealth slot = SlotHealthReader.read(c, connections.settings().slot());
            try {
                return new PgStatus(slot, true, lastBatch(c));
            } catch (SQLException unreadable) {
                return new PgStatus(slot, false, null);
            }
        } catch (SQLException e) {
            throw PgErrors.translate("reading the status", connections.settings(), e);
        }
    }

    private static Map<String, Object> lastBatch(Connection c) throws SQLException {
        try (var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT logged_at::text, from_lsn::text, to_lsn::text, changes, duration_ms FROM nexus_sync.transaction_log "
                     + "WHERE kind = 'batch' ORDER BY id DESC LIMIT 1")) {
            if (!rs.next()) {
                return null;
            }
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("at", rs.getString(1));
            last.put("fromPosition", rs.getString(2));
            last.put("toPosition", rs.getString(3));
            last.put("changes", rs.getInt(4));
            last.put("durationMs", rs.getLong(5));
            return last;
        }
    }
}
