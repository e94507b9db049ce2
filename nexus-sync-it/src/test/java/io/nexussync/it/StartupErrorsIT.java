package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.embedded.FreePort;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Each start-up problem ends in one clear message naming the thing and the fix, and a non-zero exit, never a stack trace. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StartupErrorsIT {
    private SyncEnvironment env;

    private record Outcome(int exitCode, String err) {}

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("startup_errors");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldNameThePasswordVariableWhenPostgresRefusesThePassword() throws Exception {
        requirePasswordFor("nexus_pw_user");
        Map<String, String> environment = new HashMap<>(env.environment());
        environment.put("NEXUS_SYNC_PG_USER", "nexus_pw_user");
        environment.put("NEXUS_SYNC_PG_PASSWORD", "wrong");
        Outcome outcome = cli(environment, "setup");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertOneClearMessage(outcome, "refused user 'nexus_pw_user'", "NEXUS_SYNC_PG_PASSWORD");
    }

    @Test
    void shouldSayPostgresCannotBeReached() {
        Map<String, String> environment = new HashMap<>(env.environment());
        environment.put("NEXUS_SYNC_PG_URL", "jdbc:postgresql://localhost:" + FreePort.pick() + "/nowhere");
        Outcome outcome = cli(environment, "run");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertOneClearMessage(outcome, "cannot reach PostgreSQL", "NEXUS_SYNC_PG_URL");
    }

    @Test
    void shouldSayNeo4jCannotBeReached() {
        Map<String, String> environment = new HashMap<>(env.environment());
        environment.put("NEXUS_SYNC_NEO4J_URI", "bolt://localhost:" + FreePort.pick());
        Outcome outcome = cli(environment, "run");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertOneClearMessage(outcome, "cannot reach Neo4j", "NEXUS_SYNC_NEO4J_URI");
    }

    @Test
    void shouldNameWalLevelAndTheFixWhenNotLogical() throws Exception {
        try (EmbeddedPostgresServer replicaLevel = EmbeddedPostgresServer.start(null, 0, "replica")) {
            Map<String, String> environment = new HashMap<>(env.environment());
            environment.put("NEXUS_SYNC_PG_URL", replicaLevel.jdbcUrl());
            Outcome outcome = cli(environment, "setup");
            assertThat(outcome.exitCode()).isEqualTo(1);
            assertOneClearMessage(outcome, "wal_level is 'replica'", "ALTER SYSTEM SET wal_level = 'logical'");
        }
    }

    @Test
    void shouldRefuseASlotThatAnotherConsumerIsStreaming() throws Exception {
        env.setup();
        env.startService();
        try {
            env.awaitCaughtUp(Duration.ofSeconds(60));
            Outcome outcome = cli(env.environment(), "run");
            assertThat(outcome.exitCode()).isEqualTo(1);
            assertOneClearMessage(outcome, "is in use by another consumer", "NEXUS_SYNC_SLOT");
        } finally {
            env.stopService();
        }
    }

    @Test
    void shouldListEveryConfigurationProblemWithExitCodeTwo() {
        Map<String, String> environment = Map.of("NEXUS_SYNC_BATCH_SIZE", "many");
        Outcome outcome = cli(environment, "run");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertOneClearMessage(outcome, "NEXUS_SYNC_PG_URL", "NEXUS_SYNC_NEO4J_URI", "NEXUS_SYNC_BATCH_SIZE is 'many'");
    }

    @Test
    void shouldPointAtTheConfigFileThatCannotBeRead() throws Exception {
        Path missing = Files.createTempDirectory("cfg").resolve("missing.yaml");
        Outcome outcome = cli(env.environment(), "run", "--config", missing.toString());
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertOneClearMessage(outcome, "config file " + missing + " cannot be read");
    }

    private static void assertOneClearMessage(Outcome outcome, String... mentions) {
        assertThat(outcome.err()).startsWith("nexus-sync: ").contains(mentions)
                .doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("unexpected");
    }

    private static Outcome cli(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    /** Trust authentication is the embedded cluster's default; this role alone must give a password. */
    private static void requirePasswordFor(String role) throws Exception {
        try (var c = DriverManager.getConnection(TestServers.postgres().jdbcUrl(), "postgres", ""); var st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + role);
            st.execute("CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD 'right'");
            var rs = st.executeQuery("SHOW hba_file");
            rs.next();
            Path hba = Path.of(rs.getString(1));
            String rules = Files.readString(hba);
            if (!rules.contains(role)) {
                Files.writeString(hba, "host all " + role + " 127.0.0.1/32 scram-sha-256\nhost all " + role + " ::1/128 scram-sha-256\n" + rules);
            }
            st.execute("SELECT pg_reload_conf()");
        }
        Thread.sleep(500);
    }
}
