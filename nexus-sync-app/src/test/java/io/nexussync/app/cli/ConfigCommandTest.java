package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run cli(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintTheEffectiveValueOfEachSettingWithItsSourceFromTheFileTheEnvironmentAndASecretFile() throws Exception {
        Path file = Files.writeString(dir.resolve("nexus-sync.yaml"), "postgres:\n  url: jdbc:postgresql://db/app\n"
                + "sync:\n  batch-size: 250\n  publication: file_pub\n");
        Path secret = Files.writeString(dir.resolve("pg-password"), "secret-from-file\n");
        Map<String, String> env = new HashMap<>(Map.of("NEXUS_SYNC_PUBLICATION", "env_pub", "NEXUS_SYNC_PG_PASSWORD_FILE", secret.toString()));

        Run run = cli(env, "config", "--config", file.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("config file: " + file)
                .contains("sync.batch-size = '250'  (from file " + file + ")")
                .contains("sync.publication = 'env_pub'  (from environment)")
                .contains("sync.slot = 'contextnexus_cdc'  (from default)")
                .contains("neo4j.uri = (not set: required)")
                .contains("postgres.password = '<redacted>'  (from NEXUS_SYNC_PG_PASSWORD_FILE (" + secret + "))")
                .contains("NEXUS_SYNC_PG_PASSWORD or NEXUS_SYNC_PG_PASSWORD_FILE")
                .contains("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE").contains("NEXUS_SYNC_LOG_FORMAT").contains("NEXUS_SYNC_LOG_LEVEL")
                .doesNotContain("secret-from-file");
    }

    @Test
    void shouldCheckWithoutConnectingExitZeroWhenFineAndTwoWithOneLinePerProblem() throws Exception {
        // nothing listens on these: a check that tried to connect would fail
        Map<String, String> fine = Map.of("NEXUS_SYNC_PG_URL", "jdbc:postgresql://127.0.0.1:1/app", "NEXUS_SYNC_NEO4J_URI", "bolt://127.0.0.1:1");
        Run ok = cli(fine, "config", "--check");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("configuration OK");

        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        Map<String, String> bad = new HashMap<>(fine);
        bad.put("NEXUS_SYNC_BATCH_SIZE", "many");
        bad.put("NEXUS_SYNC_NEO4J_URI", "neo4j+s://graph:7687");
        bad.put("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE", ca.toString());
        bad.put("NEXUS_SYNC_PG_PASSWORD", "pg-secret");
        bad.put("NEXUS_SYNC_PG_PASSWORD_FILE", Files.writeString(dir.resolve("pw"), "other-secret").toString());
        Run failed = cli(bad, "config", "--check");

        assertThat(failed.exit()).isEqualTo(2);
        assertThat(failed.out()).isEmpty();
        assertThat(failed.err().lines().toList()).hasSize(4).allSatisfy(line -> assertThat(line).startsWith("nexus-sync: ").contains("NEXUS_SYNC_")
                .doesNotContain("Exception").doesNotContain("secret"));
        assertThat(failed.err()).contains("NEXUS_SYNC_BATCH_SIZE is 'many'")
                .contains("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE is set and NEXUS_SYNC_NEO4J_URI is 'neo4j+s://graph:7687'")
                .contains("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE (" + ca + ") is not a certificate")
                .contains("both NEXUS_SYNC_PG_PASSWORD and NEXUS_SYNC_PG_PASSWORD_FILE are set");
    }

    @Test
    void shouldPrintEverySettingWithSecretsAndTheUrlsPasswordRedacted() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = NexusSyncCommand.execute(new String[] {"config"}, Map.of(
                        "NEXUS_SYNC_PG_URL", "jdbc:postgresql://sync:url-secret@db:5432/app?sslpassword=key-secret&ssl=true",
                        "NEXUS_SYNC_PG_PASSWORD", "pg-secret",
                        "NEXUS_SYNC_ADMIN_TOKEN", "token-secret-0123456789",
                        "NEXUS_SYNC_ADMIN_BIND", "0.0.0.0"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(printed).contains("jdbc:postgresql://sync:<redacted>@db:5432/app?sslpassword=<redacted>&ssl=true")
                .contains("NEXUS_SYNC_ADMIN_BIND").contains("0.0.0.0").contains("NEXUS_SYNC_ADMIN_TOKEN_FILE")
                .contains("NEXUS_SYNC_BACKFILL_STATEMENT_TIMEOUT_S")
                .doesNotContain("url-secret").doesNotContain("key-secret").doesNotContain("pg-secret").doesNotContain("token-secret");
    }
}
