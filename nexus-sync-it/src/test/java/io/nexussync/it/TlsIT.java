package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Both connections over TLS with a CA of the test's own: PostgreSQL with {@code ssl=on} and plain-text TCP refused by
 * pg_hba, the service's URL carrying {@code sslmode=verify-full&sslrootcert=CA} (the replication connection included);
 * Neo4j speaking Bolt over TLS only, the service given a {@code bolt://} URI and {@code NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE}.
 * A change syncs end to end; the wrong CA, or none, is refused with a message that names the setting to fix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TlsIT {
    private static final String DATABASE = "tls_sync";

    private Path dir;
    private TestCertificates certificates;
    private EmbeddedPostgresServer postgres;
    private EmbeddedNeo4jServer neo4j;
    private SyncEnvironment env;

    private record Outcome(int exit, String out, String err) {}

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("nexus-sync-tls-it");
        certificates = TestCertificates.create(dir.resolve("certificates"));
        postgres = EmbeddedPostgresServer.startLogical();
        requireTls(postgres, certificates);
        Path boltTls = Files.createDirectories(dir.resolve("neo4j-bolt-tls"));
        Files.copy(certificates.serverKey(), boltTls.resolve("private.key"));
        Files.copy(certificates.serverCert(), boltTls.resolve("public.crt"));
        Files.createDirectories(boltTls.resolve("trusted"));
        Files.createDirectories(boltTls.resolve("revoked"));
        neo4j = EmbeddedNeo4jServer.startWithBoltTls(dir.resolve("neo4j-home"), 0, boltTls);
        env = SyncEnvironment.create(DATABASE, postgres, neo4j);
        env.environment().put("NEXUS_SYNC_PG_URL", postgres.jdbcUrl(DATABASE) + "?sslmode=verify-full&sslrootcert=" + certificates.ca());
        env.environment().put("NEXUS_SYNC_NEO4J_URI", "bolt://localhost:" + neo4j.boltPort());
        env.environment().put("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE", certificates.ca().toString());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (env != null) {
                env.close();
            }
        } finally {
            if (neo4j != null) {
                neo4j.close();
            }
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @Test
    void shouldSyncAChangeEndToEndWithBothServersVerifiedAgainstTheCa() throws Exception {
        assertThat(cli(env.environment(), "config", "--check").exit()).isZero();
        env.setup();
        env.startService();
        try {
            UUID id = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'over tls')", id, id);
            env.awaitCaughtUp(Duration.ofSeconds(90));

            assertThat(env.cypher("MATCH (t:Tag {id: $id}) RETURN t.name AS n", Map.of("id", id.toString())))
                    .extracting(r -> r.get("n").asString()).containsExactly("over tls");
            // every connection of the service is encrypted, the walsender that streams the slot among them
            List<Map<String, Object>> connections = env.query("SELECT a.backend_type, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s "
                    + "ON s.pid = a.pid WHERE a.application_name LIKE 'nexus-sync%'");
            assertThat(connections).isNotEmpty().allSatisfy(c -> assertThat(c.get("ssl")).isEqualTo(true));
            assertThat(connections).anySatisfy(c -> assertThat(c.get("backend_type")).isEqualTo("walsender"));
        } finally {
            env.stopService();
        }
    }

    @Test
    void shouldRefusePostgresWhoseCertificateTheGivenCaDidNotSign() {
        Map<String, String> environment = new HashMap<>(env.environment());
        environment.put("NEXUS_SYNC_PG_URL", postgres.jdbcUrl(DATABASE) + "?sslmode=verify-full&sslrootcert=" + certificates.wrongCa());

        Outcome outcome = cli(environment, "setup");

        assertThat(outcome.exit()).isEqualTo(1);
        assertOneClearMessage(outcome, "PostgreSQL at", "is not trusted: the TLS handshake failed", "sslrootcert in NEXUS_SYNC_PG_URL");
    }

    @Test
    void shouldRefusePostgresWithoutTlsWhenTheServerRequiresIt() {
        Map<String, String> environment = new HashMap<>(env.environment());
        environment.put("NEXUS_SYNC_PG_URL", postgres.jdbcUrl(DATABASE) + "?sslmode=disable");

        Outcome outcome = cli(environment, "setup");

        assertThat(outcome.exit()).isEqualTo(1);
        System.out.println("TlsIT refusal: " + outcome.err().strip());
        assertThat(outcome.err()).startsWith("nexus-sync: ").contains("no encryption").contains("pg_hba.conf admits this user")
                .contains("sslmode=require or stronger in NEXUS_SYNC_PG_URL");
    }

    @Test
    void shouldRefuseNeo4jWhoseCertificateTheGivenCaDidNotSign() {
        Map<String, String> environment = new HashMap<>(env.environment());
        environment.put("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE", certificates.wrongCa().toString());

        Outcome outcome = cli(environment, "setup");

        assertThat(outcome.exit()).isEqualTo(1);
        assertOneClearMessage(outcome, "is not trusted: the TLS handshake failed", "NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE (" + certificates.wrongCa() + ")");
    }

    @Test
    void shouldRefuseNeo4jWithoutTheCa() {
        // +s: encrypted, but the JVM's CAs did not sign the server's certificate
        Map<String, String> jvmTrust = new HashMap<>(env.environment());
        jvmTrust.remove("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE");
        jvmTrust.put("NEXUS_SYNC_NEO4J_URI", "bolt+s://localhost:" + neo4j.boltPort());
        Outcome untrusted = cli(jvmTrust, "setup");
        assertThat(untrusted.exit()).isEqualTo(1);
        assertOneClearMessage(untrusted, "is not trusted: the TLS handshake failed", "NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE");

        // plain text: the server, which requires TLS, hangs up
        Map<String, String> plain = new HashMap<>(env.environment());
        plain.remove("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE");
        Outcome refused = cli(plain, "setup");
        assertThat(refused.exit()).isEqualTo(1);
        assertOneClearMessage(refused, "cannot reach Neo4j", "a server that requires TLS needs");

        // the CA file with a +s URI: a configuration error before anything connects
        Map<String, String> both = new HashMap<>(env.environment());
        both.put("NEXUS_SYNC_NEO4J_URI", "neo4j+s://localhost:" + neo4j.boltPort());
        Outcome contradictory = cli(both, "config", "--check");
        assertThat(contradictory.exit()).isEqualTo(2);
        assertThat(contradictory.err()).contains("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE is set and NEXUS_SYNC_NEO4J_URI is 'neo4j+s://");
    }

    private static void assertOneClearMessage(Outcome outcome, String... mentions) {
        // what an operator sees, kept in the test's output for the record
        System.out.println("TlsIT refusal: " + outcome.err().strip());
        assertThat(outcome.err()).startsWith("nexus-sync: ").contains(mentions).doesNotContain("\tat ").doesNotContain("unexpected");
    }

    private static Outcome cli(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * ssl=on with the test CA's server certificate (PostgreSQL reloads its TLS settings without a restart), and pg_hba
     * rejecting plain-text TCP. The key belongs to the user the server runs as (who owns the data directory), readable by it
     * alone, as PostgreSQL demands.
     */
    private static void requireTls(EmbeddedPostgresServer postgres, TestCertificates certificates) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", ""); Statement st = c.createStatement()) {
            Path dataDirectory = Path.of(single(st, "SHOW data_directory"));
            Path hba = Path.of(single(st, "SHOW hba_file"));
            Path key = dataDirectory.resolve("server.key");
            Path certificate = dataDirectory.resolve("server.crt");
            Files.copy(certificates.serverKey(), key);
            Files.copy(certificates.serverCert(), certificate);
            for (Path file : List.of(key, certificate)) {
                Files.setOwner(file, Files.getOwner(dataDirectory));
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(hba, "hostnossl all all all reject\n" + Files.readString(hba));
            st.execute("ALTER SYSTEM SET ssl_cert_file = '" + certificate + "'");
            st.execute("ALTER SYSTEM SET ssl_key_file = '" + key + "'");
            st.execute("ALTER SYSTEM SET ssl = on");
            st.execute("SELECT pg_reload_conf()");
        }
        Thread.sleep(500);
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl() + "?sslmode=require", "postgres", "");
             Statement st = c.createStatement()) {
            assertThat(single(st, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).as("PostgreSQL took the TLS settings").isEqualTo("true");
        }
    }

    private static String single(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
