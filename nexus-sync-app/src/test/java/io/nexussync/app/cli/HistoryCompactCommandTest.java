package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nexus-sync history compact}: its help, and its refusals of a bad or future cut before any connection. */
class HistoryCompactCommandTest {
    /** Servers nobody listens on: a bad cut must be refused before the command tries them. */
    private static final Map<String, String> NOWHERE = Map.of("NEXUS_SYNC_PG_URL", "jdbc:postgresql://127.0.0.1:1/none",
            "NEXUS_SYNC_NEO4J_URI", "bolt://127.0.0.1:1");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return NexusSyncCommand.execute(args, NOWHERE, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldAnswerHelpWithItsOptions() {
        assertThat(run("history", "compact", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--before=TIME").contains("--dry-run").contains("--json").contains("--config");
        out.reset();
        assertThat(run("history", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("compact");
    }

    @Test
    void shouldRefuseAMissingUnreadableOrFutureCutAsAUsageErrorNamingTheOptionAndTheFix() {
        assertThat(run("history", "compact")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--before=TIME'");
        err.reset();
        assertThat(run("history", "compact", "--before", "last month")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--before: 'last month' is neither a time nor a duration: use a time with its offset");
        err.reset();
        assertThat(run("history", "compact", "--before", "2999-01-01T00:00:00Z")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--before: 2999-01-01T00:00:00Z is in the future", "give a time in the past");
    }
}
