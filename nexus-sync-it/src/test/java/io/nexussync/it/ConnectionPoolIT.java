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
 * new ones. (Before the pool, the backfill queue's poll opened a connection every second, for as long as the service
 * ran, and the mapped-table watch one every ten: 65 in an idle minute.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConnectionPoolIT {

    private static final Duration IDLE = Duration.ofSeconds(15);

    @Test
    void shouldOpenNoNewPostgresqlConnectionWhileTheStreamIsIdle() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("connection_pool"); Connection observer = env.connect()) {
            UUID tag = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'warms the pool')", tag, tag);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            // Connections the start opened (setup, catch-up, the pool's first borrow) are counted before the window opens.
            Thread.sleep(2_000);
            long before = sessionsOpened(observer);

            Thread.sleep(IDLE.toMillis());
            // A connection's count reaches the statistics when it ends or goes idle: let the last of them arrive.
            Thread.sleep(2_000);
            long opened = sessionsOpened(observer) - before;

            assertThat(opened).as("PostgreSQL connections opened during %s of an idle stream", IDLE).isZero();
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

    private static long nexusSyncConnections(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'nexus-sync%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
