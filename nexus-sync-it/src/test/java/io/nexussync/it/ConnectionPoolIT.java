package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service borrows its PostgreSQL connections from one pool: a streaming service that has nothing to do opens no
 * connection only to close it again (the pool may grow when two components borrow at once, and keeps what it opened). (Before the pool, the backfill queue's poll opened a connection every second, for as long as the service
 * ran, and the mapped-table watch one every ten: 65 in an idle minute.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConnectionPoolIT {

    private static final Duration IDLE = Duration.ofSeconds(15);
    private static final Duration STATISTICS_DELAY = Duration.ofSeconds(12);

    @Test
    void shouldNeverOpenAPostgresqlConnectionOnlyToCloseItWhileTheStreamIsIdle() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("connection_pool"); Connection observer = env.connect()) {
            UUID tag = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'warms the pool')", tag, tag);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            // A connection's count reaches the statistics when it ends, at a transaction's end, or after 10 s idle
            // (PGSTAT_IDLE_INTERVAL): the connections the start opened (setup, catch-up, the pool's) are all counted
            // before the window opens, and any opened in the window by its end.
            Thread.sleep(STATISTICS_DELAY.toMillis());
            long before = sessionsOpened(observer);
            String windowOpened = serverTime(observer);

            Thread.sleep(IDLE.toMillis());
            Thread.sleep(STATISTICS_DELAY.toMillis());
            long opened = sessionsOpened(observer) - before;
            long stillOpen = openedSince(observer, windowOpened);

            // The pool may grow while two components borrow at once; it never opens a connection only to close it.
            assertThat(opened - stillOpen).as("PostgreSQL connections opened and closed again during %s of an idle stream "
                    + "(%d opened, %d of them still open); connections now: %s", IDLE, opened, stillOpen, connectionsNow(observer)).isNotPositive();
            assertThat(nexusSyncConnections(observer)).as("the service's connections now: the replication stream and the pool's")
                    .isBetween(1L, 1L + 6L);
            env.stopService();
        }
    }

    private static long sessionsOpened(Connection c) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String serverTime(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long openedSince(Connection c, String since) throws Exception {
        try (var ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND backend_start >= ?::timestamptz")) {
            ps.setString(1, since);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String connectionsNow(Connection c) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT application_name, backend_start, state "
                + "FROM pg_stat_activity WHERE datname = current_database() ORDER BY backend_start")) {
            while (rs.next()) {
                out.append('\n').append(rs.getString(1)).append(" since ").append(rs.getString(2)).append(" (").append(rs.getString(3)).append(')');
            }
        }
        return out.toString();
    }

    private static long nexusSyncConnections(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'nexus-sync%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
