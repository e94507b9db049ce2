package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.SyncMetrics;
import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.core.model.Lsn;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import io.nexussync.postgres.capture.PgReplicationSource;
import io.nexussync.postgres.slot.SlotInvalidatedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The slot never holds WAL for traffic that is not ours, tells how much it holds, and a slot
 * PostgreSQL has invalidated stops the service with the recovery command instead of leaving a gap.
 *
 * <p>{@code -Dnexus.it.heartbeat-ms=0} runs the heartbeat test with the heartbeat off: it must fail (nothing else
 * confirms the slot: pgjdbc's own keepalive flush is off).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SlotSafetyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1L << 20;
    private static final String DOCUMENTED = "was invalidated (wal_removed): PostgreSQL removed WAL the sync had not read yet";
    private static final String RECOVERY = "Recover with: nexus-sync resync (creates a new slot, snapshots every mapped table, verifies)";

    private record Outcome(int exitCode, String out, String err) {}

    @Test
    void shouldConfirmPastBusyUnmappedTablesWhileTheMappedOnesAreQuiet() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("slot_heartbeat")) {
            env.environment().put("NEXUS_SYNC_HEARTBEAT_MS", System.getProperty("nexus.it.heartbeat-ms", "200"));
            env.setup();
            env.sql("CREATE TABLE busy (id bigserial PRIMARY KEY, payload text)");
            env.startService();
            UUID tag = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'before the busy spell')", tag, tag);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            Lsn before = env.confirmedFlush();

            // Only an unmapped table is written: about 48 MiB of WAL in 240 small transactions.
            Lsn start = currentLsn(env);
            long began = System.nanoTime();
            boolean advancedDuringWorkload = false;
            long largestLag = 0;
            try (Connection c = env.connect(); Statement st = c.createStatement()) {
                for (int i = 0; i < 240; i++) {
                    // 960 characters: below the TOAST threshold, so stored (and logged) uncompressed
                    st.execute("INSERT INTO busy (payload) SELECT repeat(md5(random()::text), 30) FROM generate_series(1, 200)");
                    Thread.sleep(20);
                    if (i % 20 == 19) {
                        Lsn now = env.confirmedFlush();
                        advancedDuringWorkload |= now.compareTo(before) > 0;
                        largestLag = Math.max(largestLag, currentLsn(env).value() - now.value());
                    }
                }
            }
            Lsn end = currentLsn(env);
            long ended = System.nanoTime();
            long written = end.value() - start.value();
            assertThat(written).as("WAL the busy table wrote").isGreaterThan(40 * MIB);

            Lsn confirmed = awaitConfirmedAtLeast(env, end, Duration.ofSeconds(30));
            long confirmedAfterMs = (System.nanoTime() - ended) / 1_000_000;
            assertThat(confirmed).as("the slot must be confirmed past WAL that only unmapped tables wrote (slot stayed at %s, server at %s)",
                    confirmed, end).isGreaterThanOrEqualTo(end);
            assertThat(advancedDuringWorkload).as("the confirmed position moved while the busy table was still being written").isTrue();

            // restart_lsn follows once a running-transactions record (logged by a checkpoint) has been confirmed past.
            env.sql("CHECKPOINT");
            long retained = awaitRetainedBelow(env, 16 * MIB, Duration.ofSeconds(30));
            assertThat(retained).as("WAL the slot retains after %s MiB written by unmapped tables", written / MIB).isLessThan(16 * MIB);
            System.out.printf("slot safety figures (heartbeat %s ms): %d MiB written by an unmapped table in %.1f s; largest unconfirmed WAL "
                            + "sampled while writing %.1f MiB; confirmed past the last write %d ms after it; retained after a checkpoint %d KiB%n",
                    env.environment().get("NEXUS_SYNC_HEARTBEAT_MS"), written / MIB, (ended - began) / 1e9, largestLag / (double) MIB,
                    confirmedAfterMs, retained / 1024);

            Map<String, String> statusEnv = new HashMap<>(env.environment());
            statusEnv.put("NEXUS_SYNC_WAL_WARN_BYTES", "1GB");
            JsonNode status = statusJson(statusEnv);
            assertThat(status.get("slotHealth").asText()).isEqualTo("ok");
            assertThat(status.get("retainedWalBytes").asLong()).isLessThan(16 * MIB);
            assertThat(status.get("lagBytes").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(status.get("walStatus").asText()).isEqualTo("reserved");

            try (AdminServer admin = new AdminServer(env.adminSettings(), env.service().progress(),
                    SyncMetrics.register(env.service().progress(), env.service()::slotHealth, env.config().walWarnBytes()),
                    env.service()::slotHealth, env.config().walWarnBytes(), null)) {
                HttpClient http = HttpClient.newHttpClient();
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + admin.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).containsPattern("nexus_sync_slot_retained_wal_bytes [0-9.E]+")
                        .containsPattern("nexus_sync_slot_lag_bytes [0-9.E]+")
                        .contains("nexus_sync_slot_lost 0.0")
                        .contains("nexus_sync_slot_wal_warn_bytes 1.073741824E9");
                JsonNode adminStatus = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + admin.port() + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(adminStatus.get("slot").get("slotHealth").asText()).isEqualTo("ok");
            }

            // The graph's checkpoint stayed behind the confirmed position: a restart must resume without loss or repeat.
            env.stopService();
            UUID later = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'written while stopped')", later, later);
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.cypher("MATCH (t:Tag) RETURN count(t) AS n").get(0).get("n").asLong()).isEqualTo(2);
            assertThat(env.discrepancies()).isEmpty();
            env.stopService();
        }
    }

    @Test
    void shouldStopWithTheRecoveryCommandWhenPostgresInvalidatedTheSlot() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("slot_lost")) {
            env.setup();
            env.sql("CREATE TABLE filler (id bigserial PRIMARY KEY, payload text)");
            env.startService();
            UUID tag = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'synced')", tag, tag);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            env.stopService();

            // With the service stopped the slot keeps what is written meanwhile, and status says so past the threshold.
            writeSegments(env, 2);
            Map<String, String> lowThreshold = new HashMap<>(env.environment());
            lowThreshold.put("NEXUS_SYNC_WAL_WARN_BYTES", "1MB");
            JsonNode warned = statusJson(lowThreshold);
            assertThat(warned.get("slotHealth").asText()).isEqualTo("warning");
            assertThat(warned.get("warnings").get(0).asText()).contains("retains", "above the warning threshold of 1 MiB");

            UUID lost = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'never reaches the graph')", lost, lost);
            try {
                setMaxSlotWalKeepSize("1MB");
                awaitWalStatus(env, "lost", Duration.ofSeconds(90));

                Outcome run = cli(env.environment(), "run");
                assertThat(run.exitCode()).isEqualTo(1);
                assertThat(run.err()).startsWith("nexus-sync: replication slot 'slot_lost_slot' " + DOCUMENTED)
                        .contains("so changes were lost for the graph").contains(RECOVERY)
                        .doesNotContain("\tat ").doesNotContain("Exception");
                assertThat(env.cypher("MATCH (t:Tag {id: $id}) RETURN t", Map.of("id", lost.toString()))).isEmpty();

                JsonNode status = statusJson(env.environment());
                assertThat(status.get("slotHealth").asText()).isEqualTo("lost");
                assertThat(status.get("walStatus").asText()).isEqualTo("lost");
                assertThat(status.get("invalidationReason").asText()).isEqualTo("wal_removed");
                assertThat(status.get("problem").asText()).contains(DOCUMENTED, RECOVERY);
                assertThat(cli(env.environment(), "status").out()).contains("slotHealth: lost").contains("problem: replication slot 'slot_lost_slot' " + DOCUMENTED);

                // The stream itself recognises PostgreSQL's refusal, for a slot lost between the check and the start.
                assertThatThrownBy(() -> PgReplicationSource.start(env.config().postgres(), Lsn.INVALID, 10, Duration.ZERO).close())
                        .isInstanceOf(SlotInvalidatedException.class)
                        .hasMessageContaining(DOCUMENTED).hasMessageContaining(RECOVERY);
            } finally {
                setMaxSlotWalKeepSize(null);
            }
        }
    }

    @Test
    void shouldStopForGoodWhenTheSlotIsInvalidatedWhileStreaming() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("slot_lost_running")) {
            // A consumer that does not confirm (no heartbeat, quiet mapped tables) while PostgreSQL's limit is small.
            env.environment().put("NEXUS_SYNC_HEARTBEAT_MS", "0");
            env.environment().put("NEXUS_SYNC_SLOT_CHECK_MS", "500");
            env.setup();
            env.sql("CREATE TABLE filler (id bigserial PRIMARY KEY, payload text)");
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            try {
                setMaxSlotWalKeepSize("1MB");
                awaitWalStatus(env, "lost", Duration.ofSeconds(90));

                Throwable failure = env.awaitServiceFailure(Duration.ofSeconds(60));
                assertThat(failure).isInstanceOf(SlotInvalidatedException.class)
                        .hasMessageContaining("replication slot 'slot_lost_running_slot' " + DOCUMENTED).hasMessageContaining(RECOVERY);
            } finally {
                setMaxSlotWalKeepSize(null);
            }
        }
    }

    @Test
    void shouldTearDownSlotAndPublicationOnlyWhenToldAndNotWhileStreaming() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("slot_teardown")) {
            env.awaitCaughtUp(Duration.ofSeconds(60));
            String slot = env.environment().get("NEXUS_SYNC_SLOT");
            String publication = env.environment().get("NEXUS_SYNC_PUBLICATION");

            Outcome unconfirmed = cli(env.environment(), "teardown");
            assertThat(unconfirmed.exitCode()).isEqualTo(2);
            assertThat(unconfirmed.err()).contains("Nothing was removed", "teardown --yes", "'" + slot + "'", "'" + publication + "'");
            assertThat(slotExists(env, slot)).isTrue();

            Object walsender = env.query("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?", slot).get(0).get("active_pid");
            Outcome whileStreaming = cli(env.environment(), "teardown", "--yes");
            assertThat(whileStreaming.exitCode()).isEqualTo(1);
            assertThat(whileStreaming.err()).contains("replication slot '" + slot + "' is in use by walsender PID " + walsender,
                    "nexus-sync capture", "Nothing was removed");
            assertThat(slotExists(env, slot)).isTrue();
            assertThat(publicationExists(env, publication)).isTrue();

            env.stopService();
            Outcome done = cli(env.environment(), "teardown", "--yes");
            assertThat(done.exitCode()).isZero();
            assertThat(done.out()).contains("dropped replication slot '" + slot + "'", "dropped publication '" + publication + "'");
            assertThat(slotExists(env, slot)).isFalse();
            assertThat(publicationExists(env, publication)).isFalse();

            Outcome again = cli(env.environment(), "teardown", "--yes");
            assertThat(again.exitCode()).isZero();
            assertThat(again.out()).contains("already gone: replication slot '" + slot + "'", "already gone: publication '" + publication + "'",
                    "nothing to remove");
            assertThat(statusJson(env.environment()).get("slotHealth").asText()).isEqualTo("missing");
        }
    }

    private static Lsn awaitConfirmedAtLeast(SyncEnvironment env, Lsn target, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        Lsn confirmed = env.confirmedFlush();
        while (confirmed.isBefore(target) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            confirmed = env.confirmedFlush();
        }
        return confirmed;
    }

    private static long awaitRetainedBelow(SyncEnvironment env, long bound, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        long retained = retained(env);
        while (retained >= bound && System.nanoTime() < deadline) {
            Thread.sleep(200);
            retained = retained(env);
        }
        return retained;
    }

    private static long retained(SyncEnvironment env) throws Exception {
        return ((Number) env.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS b FROM pg_replication_slots WHERE slot_name = ?",
                env.environment().get("NEXUS_SYNC_SLOT")).get(0).get("b")).longValue();
    }

    /** Fills and switches WAL segments, checkpointing, until the slot's wal_status is {@code expected}. */
    private static void awaitWalStatus(SyncEnvironment env, String expected, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        String status = null;
        while (System.nanoTime() < deadline) {
            writeSegments(env, 2);
            env.sql("CHECKPOINT");
            status = (String) env.query("SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?", env.environment().get("NEXUS_SYNC_SLOT"))
                    .get(0).get("wal_status");
            if (expected.equals(status)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the slot's wal_status stayed '" + status + "', not '" + expected + "'");
    }

    private static void writeSegments(SyncEnvironment env, int segments) throws Exception {
        try (Connection c = env.connect(); Statement st = c.createStatement()) {
            for (int i = 0; i < segments; i++) {
                st.execute("INSERT INTO filler (payload) SELECT repeat('x', 1000) FROM generate_series(1, 100)");
                st.execute("SELECT pg_switch_wal()");
            }
        }
    }

    private static Lsn currentLsn(SyncEnvironment env) throws Exception {
        try (Connection c = env.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.valueOf(rs.getString(1));
        }
    }

    private static boolean slotExists(SyncEnvironment env, String slot) throws Exception {
        return !env.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slot).isEmpty();
    }

    private static boolean publicationExists(SyncEnvironment env, String publication) throws Exception {
        return !env.query("SELECT 1 FROM pg_publication WHERE pubname = ?", publication).isEmpty();
    }

    /** The embedded server is shared by every test class in this JVM: always reset (null) in a finally. */
    private static void setMaxSlotWalKeepSize(String value) throws Exception {
        try (var c = DriverManager.getConnection(TestServers.postgres().jdbcUrl(), "postgres", ""); var st = c.createStatement()) {
            st.execute(value == null ? "ALTER SYSTEM RESET max_slot_wal_keep_size" : "ALTER SYSTEM SET max_slot_wal_keep_size = '" + value + "'");
            st.execute("SELECT pg_reload_conf()");
        }
        Thread.sleep(300);
    }

    private static JsonNode statusJson(Map<String, String> environment) throws Exception {
        Outcome status = cli(environment, "status", "--json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        return JSON.readTree(status.out());
    }

    private static Outcome cli(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
