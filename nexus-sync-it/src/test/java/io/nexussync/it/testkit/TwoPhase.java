package io.nexussync.it.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * An application's prepared transactions, as it writes them: {@code BEGIN; ...; PREPARE TRANSACTION 'gid'}, then later
 * {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED} from any session. A prepared transaction outlives its session and
 * keeps its database from being dropped, so a test rolls back what it left ({@link #rollbackLeftovers}).
 */
public final class TwoPhase {
    private TwoPhase() {}

    /** The statements of a transaction, run on its connection. */
    public interface Work {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code sql} (with its parameters) in a transaction and prepares it as {@code gid}; returns the WAL insert position after the PREPARE. */
    public static String prepare(SyncEnvironment env, String gid, String sql, Object... parameters) throws SQLException {
        return prepare(env, gid, c -> SyncEnvironment.execute(c, sql, parameters));
    }

    /** Runs {@code work} in a transaction and prepares it as {@code gid}; returns the WAL insert position after the PREPARE. */
    public static String prepare(SyncEnvironment env, String gid, Work work) throws SQLException {
        try (Connection c = env.connect()) {
            c.setAutoCommit(false);
            work.run(c);
            try (Statement st = c.createStatement()) {
                st.execute("PREPARE TRANSACTION '" + gid + "'");
            }
            c.setAutoCommit(true);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    public static void commit(SyncEnvironment env, String gid) throws SQLException {
        env.sql("COMMIT PREPARED '" + gid + "'");
    }

    public static void rollback(SyncEnvironment env, String gid) throws SQLException {
        env.sql("ROLLBACK PREPARED '" + gid + "'");
    }

    /** Rolls back every transaction of this database still prepared with a global id starting with {@code prefix}. */
    public static List<String> rollbackLeftovers(SyncEnvironment env, String prefix) throws SQLException {
        List<String> left = new ArrayList<>();
        try (Connection c = env.connect();
             PreparedStatement ps = c.prepareStatement("SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, ?)")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    left.add(rs.getString(1));
                }
            }
        }
        for (String gid : left) {
            rollback(env, gid);
        }
        return left;
    }
}
