package io.nexussync.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The *_FILE variant of every secret, the TLS settings of both connections, the logging variables, and where each value came from. */
class SecretsTlsAndLoggingConfigTest {
    /** A self-signed certificate (openssl req -x509, 100 years): what a CA file holds. */
    private static final String CA_PEM =
            "-----BEGIN CERTIFICATE-----\n"
            + "MIIDJzCCAg+gAwIBAgIUbDPXsE0YfyQNbbrGK0BNXz7S79gwDQYJKoZIhvcNAQEL\n"
            + "BQAwIjEgMB4GA1UEAwwXbmV4dXMtc3luYyB1bml0IHRlc3QgQ0EwIBcNMjYxMjA3\n"
            + "MDE0MTA5WhgPMjEyNjExMTMwMTQxMDlaMCIxIDAeBgNVBAMMF25leHVzLXN5bmMg\n"
            + "dW5pdCB0ZXN0IENBMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq57B\n"
            + "jMOpHWmNChJZ8zwgQuLprJ3+FFCQnSvY+1U1fOCDjt3g6WJyt8d+owVM/wSZ+Ruc\n"
            + "hbrber5AJ9/GXWJ1O5fdaljhEwzbYnbwZKDYfWjIlqkJzxzT4ykGfnl+xIKrQycQ\n"
            + "fji9QzQb/mSHkTh2UqaGvIUuRLIUs4ESS+iqoNutN8oA81D0XM2o2DHWI0ZRHlr1\n"
            + "sobI3ZOCRPDbk1bRMbIQpPVs5+XzkPVUcya1RtPBKhqX4JEQyuZmQc+Jo2mq72bx\n"
            + "lYwoR9VwoEp5iM3tcdXs7XOATE2AVZdbUJHUu5D+jIc91lpCZyM2MEGRt07YYo1h\n"
            + "vNMWufntxo2092c4vwIDAQABo1MwUTAdBgNVHQ4EFgQUAPm39ZaSG4+g4b35U7Vm\n"
            + "o6NFdNAwHwYDVR0jBBgwFoAUAPm39ZaSG4+g4b35U7Vmo6NFdNAwDwYDVR0TAQH/\n"
            + "BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAIcnyJsEhhWXRMFZkE2UlA0DzKJaJ\n"
            + "MzI3s5hYnaiQpFQtOQ26Kc293O9cOVR4qLiU6tQSQAx6+KEabS+XQgh0EamMVXxk\n"
            + "lwOJSB7TLpWa7qJduY7BdGi2tPiHvuwXmfDXEZFxOEDDaqAzejIQeaRY5rqoDRKu\n"
            + "+C423PCJh45F18nxDEV7z7JoQ4GKwvo92dADLVABIDMV+A/tC/UEdcrmbqJ8oPro\n"
            + "1dtgjRt1CRwEGmIbAOt7syhCcdGyvlOzG63v4WXJ4S0yZEtcnZLlKr5RV3o6KTRc\n"
            + "Xw1GW+dTTuIimrBz0xdorWm6w/oN/T0pFuxPUefjBkvcWiNGb03uur5zHA==\n"
            + "-----END CERTIFICATE-----\n";
    private static final Map<String, String> MINIMAL_ENV = Map.of(
            "NEXUS_SYNC_PG_URL", "jdbc:postgresql://db:5432/app",
            "NEXUS_SYNC_NEO4J_URI", "bolt://graph:7687");

    @TempDir
    Path dir;

    @Test
    void shouldHaveAFileVariantForEverySecret() {
        for (ConfigKey key : ConfigKey.values()) {
            if (key.secret()) {
                assertThat(key.fileVariant()).as(key.key()).isNotNull();
                assertThat(key.fileVariant().environment()).isEqualTo(key.environment() + "_FILE");
            }
        }
    }

    @Test
    void shouldReadEachSecretFromItsFileDroppingOneTrailingNewline() throws IOException {
        Map<String, String> env = with("NEXUS_SYNC_PG_PASSWORD_FILE", Files.writeString(dir.resolve("pg"), " pg pass \n").toString());
        env.put("NEXUS_SYNC_NEO4J_PASSWORD_FILE", Files.writeString(dir.resolve("neo4j"), "neo4j-pass\r\n").toString());
        env.put("NEXUS_SYNC_ADMIN_TOKEN_FILE", Files.writeString(dir.resolve("token"), "token-from-a-file-0123456789\n").toString());

        SyncConfig config = ConfigLoader.load(null, env);

        assertThat(config.postgres().password()).isEqualTo(" pg pass ");
        assertThat(config.neo4jPassword()).isEqualTo("neo4j-pass");
        assertThat(config.admin().token()).isEqualTo("token-from-a-file-0123456789");
        EffectiveSettings settings = ConfigLoader.resolve(null, env);
        assertThat(settings.source(ConfigKey.PG_PASSWORD)).isEqualTo("NEXUS_SYNC_PG_PASSWORD_FILE (" + dir.resolve("pg") + ")");
    }

    @Test
    void shouldRefuseASecretGivenTwiceOrAFileThatCannotBeReadNamingBoth() throws IOException {
        Map<String, String> both = with("NEXUS_SYNC_NEO4J_PASSWORD_FILE", Files.writeString(dir.resolve("neo4j"), "from-file\n").toString());
        both.put("NEXUS_SYNC_NEO4J_PASSWORD", "from-env-secret");
        assertThatThrownBy(() -> ConfigLoader.load(null, both)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("both NEXUS_SYNC_NEO4J_PASSWORD and NEXUS_SYNC_NEO4J_PASSWORD_FILE are set")
                .hasMessageContaining(": set one").hasMessageNotContaining("from-env-secret").hasMessageNotContaining("from-file");

        Path missing = dir.resolve("no-such-secret");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_PG_PASSWORD_FILE", missing.toString())))
                .hasMessageContaining("NEXUS_SYNC_PG_PASSWORD_FILE (" + missing + ") cannot be read (NoSuchFileException): check the path");
    }

    @Test
    void shouldTrustTheCaFileWithAPlainSchemeAndRefuseItWithAPlusSScheme() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), CA_PEM);
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE", ca.toString())).neo4jTrustedCaFile()).isEqualTo(ca);
        assertThat(ConfigLoader.load(null, MINIMAL_ENV).neo4jTrustedCaFile()).isNull();

        Map<String, String> plusS = with("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE", ca.toString());
        plusS.put("NEXUS_SYNC_NEO4J_URI", "neo4j+s://graph:7687");
        assertThatThrownBy(() -> ConfigLoader.load(null, plusS))
                .hasMessageContaining("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE is set and NEXUS_SYNC_NEO4J_URI is 'neo4j+s://graph:7687'")
                .hasMessageContaining("use neo4j://graph:7687 with the CA file");

        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE", notPem.toString())))
                .hasMessageContaining("NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE (" + notPem + ")").hasMessageContaining("BEGIN CERTIFICATE");
    }

    @Test
    void shouldKeepSslParametersOfThePostgresUrlAndRefuseAnUnknownModeOrAMissingRootCertificate() throws IOException {
        Path ca = Files.writeString(dir.resolve("root.crt"), CA_PEM);
        String url = "jdbc:postgresql://db:5432/app?sslmode=verify-full&sslrootcert=" + ca;
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_PG_URL", url)).postgres().url()).isEqualTo(url);

        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_PG_URL", "jdbc:postgresql://db/app?sslmode=verify")))
                .hasMessageContaining("NEXUS_SYNC_PG_URL has sslmode=verify: use disable, allow, prefer, require, verify-ca or verify-full");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_PG_URL",
                "jdbc:postgresql://db/app?sslmode=verify-full&sslrootcert=" + dir.resolve("absent.crt"))))
                .hasMessageContaining("NEXUS_SYNC_PG_URL has sslrootcert=" + dir.resolve("absent.crt") + ", which cannot be read");
    }

    @Test
    void shouldRefuseAnUnknownLogFormatOrLevelAndLoggingSettingsInTheFile() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_LOG_FORMAT", "JSON")))
                .hasMessageContaining("NEXUS_SYNC_LOG_FORMAT is 'JSON': use plain or json");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_LOG_LEVEL", "verbose")))
                .hasMessageContaining("NEXUS_SYNC_LOG_LEVEL is 'verbose'");
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_LOG_LEVEL", "debug"))).isNotNull();

        Path file = Files.writeString(dir.resolve("nexus-sync.yaml"), "logging:\n  format: json\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, MINIMAL_ENV))
                .hasMessageContaining("'logging.format' cannot be set in the config file").hasMessageContaining("set NEXUS_SYNC_LOG_FORMAT");
    }

    @Test
    void shouldTellWhereEachValueCameFromAsLoadTakesIt() throws IOException {
        Path file = Files.writeString(dir.resolve("nexus-sync.yaml"), "sync:\n  batch-size: 250\n  publication: file_pub\n");
        Map<String, String> env = with("NEXUS_SYNC_PUBLICATION", "env_pub");

        EffectiveSettings settings = ConfigLoader.resolve(file, env);
        SyncConfig loaded = ConfigLoader.load(file, env);

        assertThat(settings.value(ConfigKey.BATCH_SIZE)).isEqualTo("250").isEqualTo(Integer.toString(loaded.batchSize()));
        assertThat(settings.source(ConfigKey.BATCH_SIZE)).isEqualTo("file " + file);
        assertThat(settings.value(ConfigKey.PUBLICATION)).isEqualTo("env_pub").isEqualTo(loaded.postgres().publication());
        assertThat(settings.source(ConfigKey.PUBLICATION)).isEqualTo("environment");
        assertThat(settings.source(ConfigKey.SLOT)).isEqualTo("default");
        assertThat(settings.problems()).isEmpty();
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> env = new HashMap<>(MINIMAL_ENV);
        env.put(key, value);
        return env;
    }
}
