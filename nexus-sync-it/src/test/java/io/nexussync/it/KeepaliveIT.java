package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An idle stream stays up: the server asks for a reply well within wal_sender_timeout, and capture
 * answers, so the walsender that serves the slot is the same one minutes later.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KeepaliveIT {

    @Test
    void shouldKeepTheSameWalsenderThroughAnIdlePeriodLongerThanTheSenderTimeout() throws Exception {
        setSenderTimeout("2s");
        try (SyncEnvironment env = SyncEnvironment.streaming("keepalive")) {
            UUID first = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'before idle')", first, first);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            Object walsender = activePid(env);

            Thread.sleep(8_000);

            assertThat(activePid(env)).as("the walsender was replaced: the idle stream timed out").isEqualTo(walsender);
            UUID second = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'after idle')", second, second);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.cypher("MATCH (t:Tag {id: $id}) RETURN t.name AS n", Map.of("id", second.toString())))
                    .extracting(r -> r.get("n").asString()).containsExactly("after idle");
            env.stopService();
        } finally {
            setSenderTimeout(null);
        }
    }

    private static Object activePid(SyncEnvironment env) throws Exception {
        return env.query("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active", env.environment().get("NEXUS_SYNC_SLOT"))
                .get(0).get("active_pid");
    }

    private static void setSenderTimeout(String value) throws Exception {
        try (var c = DriverManager.getConnection(TestServers.postgres().jdbcUrl(), "postgres", ""); var st = c.createStatement()) {
            st.execute(value == null ? "ALTER SYSTEM RESET wal_sender_timeout" : "ALTER SYSTEM SET wal_sender_timeout = '" + value + "'");
            st.execute("SELECT pg_reload_conf()");
        }
    }
}
