package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.postgres.bookkeeping.LogEntry;
import io.nexussync.postgres.bookkeeping.LogQuery;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nexus-sync log}: its help, its refusals of bad filters (before any connection), and what it prints. */
class LogCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A PostgreSQL nobody listens on: a bad filter must be refused before the command tries it. */
    private static final Map<String, String> POSTGRES_ONLY = Map.of("NEXUS_SYNC_PG_URL", "jdbc:postgresql://127.0.0.1:1/none");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return NexusSyncCommand.execute(args, POSTGRES_ONLY, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldAnswerHelpWithEveryFilter() {
        assertThat(run("log", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--entity=TABLE:KEY").contains("--status=S").contains("--since=TIME")
                .contains("--limit=N").contains("--json");
    }

    @Test
    void shouldRefuseBadFiltersAsUsageErrorsNamingTheOptionAndTheFix() {
        assertThat(run("log", "--since", "yesterday")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--since: 'yesterday' is neither a time nor a duration: use a time with its offset");
        err.reset();
        assertThat(run("log", "--entity", "content_items:")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--entity: 'content_items:' is not TABLE:KEY");
        err.reset();
        assertThat(run("log", "--status", "gone")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--status: 'gone' is not a status of the log: use one of");
        err.reset();
        assertThat(run("log", "--limit", "-3")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--limit: '-3' is not a number of rows from 1 to 1000");
    }

    @Test
    void shouldPrintOneLinePerRowWithTheEntityInBothSystemsOrJsonWithTheError() throws Exception {
        CliContext context = new CliContext(POSTGRES_ONLY, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        LogQuery query = new LogQuery("public.content_items", "c-1", null, null, 10);
        LogEntry entry = new LogEntry(7, Instant.parse("2026-12-07T02:00:00Z"), "operation", "dead-lettered", "insert", "public.content_items", "c-1",
                "ContentItem", "c-1", null, "public.content_items id=c-1", "{\"operation\":\"insert\"}", "the planner refused it", 0, null,
                null, null, null, null, null, 12L, null, null);

        assertThat(LogCommand.print(context, q -> q.equals(query) ? List.of(entry) : List.of(), query, false)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("#7").contains("dead-lettered  insert  public.content_items:c-1 = (:ContentItem c-1)")
                .contains("retries 0").contains("dead letter #12").contains("error: the planner refused it");
        out.reset();
        assertThat(LogCommand.print(context, q -> List.of(entry), query, true)).isZero();
        JsonNode row = JSON.readTree(out.toString(StandardCharsets.UTF_8)).get(0);
        assertThat(row.get("error").asText()).isEqualTo("the planner refused it");
        assertThat(row.get("deadLetterId").asLong()).isEqualTo(12);
        out.reset();
        assertThat(LogCommand.print(context, q -> List.of(), query, false)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("no rows of the transaction log match");
    }
}
