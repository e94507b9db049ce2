package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nexus-sync history restore}: its help, and its usage errors (exit 2, naming the fix) before any connection. */
class HistoryRestoreCommandTest {
    /** Servers nobody listens on: a usage error must be found before the command tries them. */
    private static final Map<String, String> NOWHERE = Map.of("NEXUS_SYNC_PG_URL", "jdbc:postgresql://127.0.0.1:1/none",
            "NEXUS_SYNC_NEO4J_URI", "bolt://127.0.0.1:1");
    private static final String ID = "0d9e5f6a-1111-4222-8333-944455556666";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        err.reset();
        return NexusSyncCommand.execute(args, NOWHERE, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldAnswerHelpWithItsOptions() {
        assertThat(run("history", "restore", "thread", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--at=TIME", "--dry-run", "--json", "--config");
        out.reset();
        assertThat(run("history", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("restore");
    }

    @Test
    void shouldRefuseUsageErrorsWithExitTwoNamingTheFix() {
        assertThat(run("history", "restore", "thread", ID)).isEqualTo(2);
        assertThat(err()).contains("--at TIME is required", "--at 2026-12-07T05:30:00Z");
        assertThat(run("history", "restore", "thread", ID, "--at", "2026-12-07T05:30:00")).isEqualTo(2);
        assertThat(err()).contains("--at: '2026-12-07T05:30:00' is not an ISO-8601 instant with its offset");
        assertThat(run("history", "restore", "thread", ID, "--at", "2999-01-01T00:00:00Z")).isEqualTo(2);
        assertThat(err()).contains("is in the future", "give an instant in the past");
        assertThat(run("history", "restore", "thread", " ", "--at", "2026-12-07T05:30:00Z")).isEqualTo(2);
        assertThat(err()).contains("the start node's id is empty");
    }

    @Test
    void shouldRefuseATableWithoutHistoryNamingTheTemporalOnes() {
        assertThat(run("history", "restore", "relationship", "public.nope", ID, "--at", "2026-12-07T05:30:00Z")).isEqualTo(2);
        assertThat(err()).contains("public.nope is not a mapped table", "public.thread_content");
        assertThat(run("history", "restore", "relationship", "content_tags", ID, "--at", "2026-12-07T05:30:00Z")).isEqualTo(2);
        assertThat(err()).contains("without history (temporal: false)");
    }
}
