package io.nexussync.it.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Transactions prepared as an application prepares them ({@code PREPARE TRANSACTION}), and their removal after a test. */
public final class PreparedWrites {
    private PreparedWrites() {}

    /**
     * Runs {@code statements} and prepares them as {@code gid} on a connection of its own (a prepared transaction outlives
     * its session).
     *
     * @return the transaction's full id ({@code pg_current_xact_id()} inside it)
     */
    public static long prepare(SyncEnvironment env, String gid, String... statements) throws SQLException {
        try (Connection c = env.connect()) {
            return prepare(c, gid, statements);
        }
    }

    public static long prepare(Connection c, String gid, String... statements) throws SQLException {
        c.setAutoCommit(false);
        long xid8;
        try (Statement st = c.createStatement()) {
            for (String statement : statements) {
                st.execute(statement);
            }
            try (ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text")) {
                rs.next();
                xid8 = Long.parseLong(rs.getString(1));
            }
            st.execute("PREPARE TRANSACTION '" + gid + "'");
        }
        c.setAutoCommit(true);
        return xid8;
    }

    /** The global ids prepared in the connected database. */
    public static List<String> preparedHere(Connection c) throws SQLException {
        List<String> gids = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = current_database() ORDER BY prepared")) {
            while (rs.next()) {
                gids.add(rs.getString(1));
            }
        }
        return gids;
    }

    /** Rolls back everything still prepared in the connected database: a prepared transaction keeps the database from being dropped. */
    public static void rollBackAll(Connection c) throws SQLException {
        for (String gid : preparedHere(c)) {
            try (Statement st = c.createStatement()) {
                st.execute("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
            }
        }
    }

    public static void rollBackAll(SyncEnvironment env) throws SQLException {
        try (Connection c = env.connect()) {
            rollBackAll(c);
        }
    }
}
