package io.nexussync.postgres.setup;

import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.TwoPhaseDecoding;
import io.nexussync.postgres.slot.SlotInUseException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks that the server can feed a logical replication slot before anything is created, and says
 * what to change when it cannot: every missing setting is reported at once.
 */
public final class ServerReadiness {
    private ServerReadiness() {}

    public static void check(Connection c, String slot) throws SQLException {
        List<String> problems = new ArrayList<>();
        String walLevel = single(c, "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            problems.add("wal_level is '" + walLevel + "' but logical replication needs 'logical': run "
                    + "ALTER SYSTEM SET wal_level = 'logical'; then restart PostgreSQL");
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolreplication OR rolsuper, current_user FROM pg_roles WHERE rolname = current_user")) {
            if (rs.next() && !rs.getBoolean(1)) {
                problems.add("role '" + rs.getString(2) + "' may not use replication: run ALTER ROLE " + rs.getString(2) + " WITH REPLICATION;");
            }
        }
        int maxSlots = Integer.parseInt(single(c, "SHOW max_replication_slots"));
        int maxSenders = Integer.parseInt(single(c, "SHOW max_wal_senders"));
        boolean slotExists;
        int slotsUsed;
        try (var ps = c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE slot_name = ?) FROM pg_replication_slots")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                slotsUsed = rs.getInt(1);
                slotExists = rs.getInt(2) > 0;
            }
        }
        if (!slotExists && slotsUsed >= maxSlots) {
            problems.add("no free replication slot (" + slotsUsed + " of max_replication_slots = " + maxSlots
                    + " in use): drop an unused slot with SELECT pg_drop_replication_slot('name'), or raise max_replication_slots and restart");
        }
        if (maxSenders < 1) {
            problems.add("max_wal_senders is 0: set it to at least 1 (ALTER SYSTEM SET max_wal_senders = 10) and restart");
        }
        if (!problems.isEmpty()) {
            throw SyncException.persistent("PostgreSQL is not ready for nexus-sync:\n  - " + String.join("\n  - ", problems), null);
        }
    }

    /**
     * What reverse sync loses while {@code track_commit_timestamp} is off: a conflict under last-writer-wins needs the
     * row's commit time, and without one PostgreSQL's value stays (postgres-wins). A warning, not a problem: everything
     * else works.
     */
    public static Optional<String> commitTimestampWarning(Connection c) throws SQLException {
        return commitTimestampWarning(single(c, "SHOW track_commit_timestamp"));
    }

    static Optional<String> commitTimestampWarning(String trackCommitTimestamp) {
        if ("on".equals(trackCommitTimestamp)) {
            return Optional.empty();
        }
        return Optional.of("track_commit_timestamp is '" + trackCommitTimestamp + "', so PostgreSQL keeps no commit times of rows: a conflict "
                + "between a graph edit and a PostgreSQL change under last-writer-wins falls back to postgres-wins (PostgreSQL's value stays). "
                + "To weigh both commit times, run ALTER SYSTEM SET track_commit_timestamp = on; then restart PostgreSQL "
                + "(rows written before that have no commit time either)");
    }

    /**
     * What critical writes need of the server: PREPARE TRANSACTION, which {@code max_prepared_transactions = 0} (PostgreSQL's
     * default) refuses, and two-phase decoding (PostgreSQL 15+). A warning, not a problem: everything else works.
     */
    public static Optional<String> preparedTransactionsWarning(Connection c) throws SQLException {
        return preparedTransactionsWarning(Integer.parseInt(single(c, "SHOW max_prepared_transactions")), c.getMetaData().getDatabaseMajorVersion());
    }

    static Optional<String> preparedTransactionsWarning(int maxPreparedTransactions, int majorVersion) {
        List<String> missing = new ArrayList<>();
        if (maxPreparedTransactions <= 0) {
            missing.add("max_prepared_transactions is " + maxPreparedTransactions + ", so PostgreSQL refuses PREPARE TRANSACTION and rolls the "
                    + "transaction back. To allow them, run ALTER SYSTEM SET max_prepared_transactions = 64; then restart PostgreSQL "
                    + "(the setting takes effect only at a restart; on a standby it must be at least the primary's)");
        }
        if (majorVersion < TwoPhaseDecoding.SINCE_MAJOR) {
            missing.add("PostgreSQL " + majorVersion + " cannot decode a prepared transaction before it is committed (two-phase decoding needs "
                    + "PostgreSQL " + TwoPhaseDecoding.SINCE_MAJOR + " or later)");
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("critical writes (a transaction ended with PREPARE TRANSACTION 'nexus_sync:<id>') are not available: "
                + String.join("; and ", missing) + ". Everything else works");
    }

    /** Fails when another process is streaming from the slot: two consumers of one slot would each lose what the other confirmed. */
    public static void checkSlotFree(Connection c, String slot) throws SQLException {
        try (var ps = c.prepareStatement("SELECT active, active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    throw new SlotInUseException(slot, "walsender PID " + rs.getInt(2), null);
                }
            }
        }
    }

    static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
