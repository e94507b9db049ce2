package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nexus-sync history}: its help, and its refusals of bad input (exit 2) before any connection, with the fix. */
class HistoryCommandTest {
    /** A Neo4j nobody listens on, and no PostgreSQL at all: the command reads the graph only. */
    private static final Map<String, String> NEO4J_ONLY = Map.of("NEXUS_SYNC_NEO4J_URI", "bolt://127.0.0.1:1");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return NexusSyncCommand.execute(args, NEO4J_ONLY, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errors() {
        String text = err.toString(StandardCharsets.UTF_8);
        err.reset();
        return text;
    }

    @Test
    void shouldAnswerHelpWithEveryOption() {
        assertThat(run("history", "thread", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--at=TIME", "--changes", "--from=TIME", "--to=TIME", "--json", "ID");
        assertThat(run("history", "relationship", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("TABLE", "FROM_ID");
    }

    @Test
    void shouldRefuseBadTimesAndOptionsThatDoNotGoTogether() {
        assertThat(run("history", "thread", "t-1", "--at", "yesterday")).isEqualTo(2);
        assertThat(errors()).contains("--at: 'yesterday' is not an ISO-8601 instant with its offset: use e.g. 2026-12-07T05:30:00Z");
        assertThat(run("history", "thread", "t-1", "--at", "2026-12-07T05:00:00Z", "--changes")).isEqualTo(2);
        assertThat(errors()).contains("--at and --changes exclude each other");
        assertThat(run("history", "thread", "t-1", "--from", "2026-12-07T05:00:00Z")).isEqualTo(2);
        assertThat(errors()).contains("--from and --to go with --changes");
        assertThat(run("history", "thread", "t-1", "--changes", "--from", "2026-12-07T05:00:00Z", "--to", "2026-12-07T04:00:00Z")).isEqualTo(2);
        assertThat(errors()).contains("--to: the window ends before it begins");
        assertThat(run("history", "thread", " ")).isEqualTo(2);
        assertThat(errors()).contains("the start node's id is empty");
    }

    @Test
    void shouldRefuseATableWithoutHistoryNamingTheTemporalTables() {
        assertThat(run("history", "relationship", "content_tags", "c-1")).isEqualTo(2);
        assertThat(errors()).contains("public.content_tags is mapped as TAGGED_WITH without history (temporal: false): the temporal tables are "
                + "public.thread_content (Thread)-[:INCLUDES]->(ContentItem)");
        assertThat(run("history", "relationship", "shop.orders", "o-1", "--changes")).isEqualTo(2);
        assertThat(errors()).contains("shop.orders is not a mapped table", "public.thread_content");
    }

    @Test
    void shouldNeedOnlyTheNeo4jSettingsAndSayWhenNeo4jCannotBeReached() {
        assertThat(run("history", "thread", "t-1")).isEqualTo(1);
        assertThat(errors()).contains("cannot reach Neo4j at bolt://127.0.0.1:1").doesNotContain("NEXUS_SYNC_PG_URL");
    }
}
