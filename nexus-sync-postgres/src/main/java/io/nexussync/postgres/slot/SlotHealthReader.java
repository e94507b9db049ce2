package io.nexussync.postgres.slot;

import io.nexussync.core.model.Lsn;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Reads the slot's row in {@code pg_replication_slots} with the columns the server has:
 * {@code wal_status}/{@code safe_wal_size} from PostgreSQL 13, {@code conflicting} from 16,
 * {@code two_phase} from 14, {@code invalidation_reason} from 17. Positions are measured from the server's current WAL
 * position (on a standby: the last replayed one).
 */
public final class SlotHealthReader {
    private static final String SERVER_POSITION =
            "(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)";

    private SlotHealthReader() {}

    /** Opens a connection of its own; failures become a {@link io.nexussync.core.error.SyncException} that says what to fix. */
    public static SlotHealth read(PgSettings settings) {
        try (Connection c = PgConnections.open(settings, "slot health")) {
            return read(c, settings.slot());
        } catch (SQLException e) {
            throw PgErrors.translate("reading the health of slot " + settings.slot(), settings, e);
        }
    }

    public static SlotHealth read(Connection c, String slot) throws SQLException {
        int major = c.getMetaData().getDatabaseMajorVersion();
        String sql = "SELECT s.active, s.active_pid, "
                + (major >= 13 ? "s.wal_status, s.safe_wal_size, " : "NULL::text AS wal_status, NULL::bigint AS safe_wal_size, ")
                + "pg_wal_lsn_diff(p.pos, s.restart_lsn)::bigint, pg_wal_lsn_diff(p.pos, s.confirmed_flush_lsn)::bigint, "
                + "s.confirmed_flush_lsn::text, s.restart_lsn::text, p.pos::text, "
                + (major >= 16 ? "coalesce(s.conflicting, false), " : "false, ")
                + (major >= 17 ? "s.invalidation_reason, " : "NULL::text, ")
                + (major >= 14 ? "s.two_phase " : "NULL::boolean ")
                + "FROM (SELECT " + SERVER_POSITION + " AS pos) p LEFT JOIN pg_replication_slots s ON s.slot_name = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Instant now = Instant.now();
                Lsn server = lsn(rs.getString(9));
                if (rs.getObject(1) == null) {
                    return SlotHealth.missing(slot, server, now);
                }
                return new SlotHealth(slot, true, rs.getBoolean(1), (Integer) rs.getObject(2), rs.getString(3),
                        (Long) rs.getObject(4), (Long) rs.getObject(5), (Long) rs.getObject(6),
                        lsn(rs.getString(7)), lsn(rs.getString(8)), server, rs.getString(11), rs.getBoolean(10), (Boolean) rs.getObject(12), now);
            }
        }
    }

    private static Lsn lsn(String text) {
        return text == null ? Lsn.INVALID : Lsn.valueOf(text);
    }
}
