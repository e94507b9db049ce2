package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigCommandTest {

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
