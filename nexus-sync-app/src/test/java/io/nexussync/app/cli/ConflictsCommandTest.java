package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.reverse.ConflictLog;
import io.nexussync.core.reverse.ConflictLog.LoggedConflict;
import io.nexussync.core.reverse.ConflictRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code nexus-sync conflicts}: its options and refusals without servers, and what it prints over a fake log. */
class ConflictsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** PostgreSQL only: no Neo4j setting is needed. */
    private static final Map<String, String> POSTGRES_ONLY = Map.of("NEXUS_SYNC_PG_URL", "jdbc:postgresql://127.0.0.1:1/none", "USER", "ana");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final FakeLog log = new FakeLog();

    private int run(Map<String, String> environment, String... args) {
        return NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private CliContext context() {
        return new CliContext(POSTGRES_ONLY, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseAWrongTakeAMissingReasonOrIdAsUsageErrors() {
        assertThat(run(POSTGRES_ONLY, "conflicts", "resolve", "5", "--take", "both", "--reason", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--take is 'both': use postgres").contains("or graph");
        err.reset();
        assertThat(run(POSTGRES_ONLY, "conflicts", "resolve", "5", "--take", "graph")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--reason");
        err.reset();
        assertThat(run(POSTGRES_ONLY, "conflicts", "resolve", "5", "--take", "graph", "--reason", " ")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--reason is empty");
        err.reset();
        assertThat(run(POSTGRES_ONLY, "conflicts", "show")).as("ID missing").isEqualTo(2);
        assertThat(run(POSTGRES_ONLY, "conflicts", "show", "five")).as("ID not a number").isEqualTo(2);
    }

    @Test
    void shouldNeedOnlyThePostgresqlSettings() {
        assertThat(run(new HashMap<>(), "conflicts", "list")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("NEXUS_SYNC_PG_URL").doesNotContain("NEXUS_SYNC_NEO4J_URI");
        err.reset();
        assertThat(run(POSTGRES_ONLY, "conflicts", "list")).as("reaches for PostgreSQL, which is not there").isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("NEXUS_SYNC_NEO4J_URI");
    }

    @Test
    void shouldListOpenConflictsAsLinesOrJsonAndSayWhenNoneWait() throws Exception {
        log.conflicts.add(conflict(7, "open"));

        ConflictsCommand.list(context(), log, false, 200, false);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("#7 property public.content_items 42 title manual -> waiting (open)");
        out.reset();
        ConflictsCommand.list(context(), log, true, 200, true);
        JsonNode listed = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(listed.get(0).get("graph").get("value").asText()).isEqualTo("graph title");
        assertThat(listed.get(0).get("postgres").get("value").asText()).isEqualTo("row title");
        assertThat(log.calls).containsExactly("list all=false", "list all=true");
        out.reset();
        log.conflicts.clear();
        ConflictsCommand.list(context(), log, false, 200, false);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("no conflicts wait for a person");
    }

    @Test
    void shouldShowBothSidesAndHowToResolveAnOpenConflict() throws Exception {
        log.conflicts.add(conflict(7, "open"));

        ConflictsCommand.show(context(), log, 7, false);

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("conflict #7 (open)").contains("row title").contains("graph title")
                .contains("pg_version 4").contains("outbox entry 12").contains("nexus-sync conflicts resolve 7 --take postgres|graph");
        assertThatThrownBy(() -> ConflictsCommand.show(context(), log, 8, false)).isInstanceOf(SyncException.class)
                .hasMessageContaining("no conflict #8");
    }

    @Test
    void shouldResolveAsThePersonNamedOrTheUserAndPassTheLogsRefusalOn() {
        log.conflicts.add(conflict(7, "open"));

        ConflictsCommand.resolve(context(), log, 7, ConflictRecord.Side.GRAPH, DecisionOptions.actor(context(), null), "the editor is right");

        assertThat(log.calls).containsExactly("resolve 7 graph by cli ana: the editor is right");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("conflict #7 resolved: the graph's side is written to the row");
        assertThat(DecisionOptions.actor(context(), "bo")).isEqualTo("bo");
        log.refusal = new IllegalArgumentException("conflict #7 is resolved, not open: only a conflict that waits for a person can be resolved");
        assertThatThrownBy(() -> ConflictsCommand.resolve(context(), log, 7, ConflictRecord.Side.POSTGRES, "bo", "again"))
                .isInstanceOf(SyncException.class).hasMessageContaining("conflict #7 is resolved, not open");
    }

    private static LoggedConflict conflict(long id, String status) {
        Instant at = Instant.parse("2026-12-06T10:00:00Z");
        return new LoggedConflict(id, at, "public.content_items", "42", "ContentItem", "property", "title", "manual", "waiting", status, 4L, 0L, 3L,
                1L, "row title", "graph title", at, at.plusSeconds(1), 12, "both changed it", null, null, null);
    }

    private static final class FakeLog implements ConflictLog {
        final List<LoggedConflict> conflicts = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        IllegalArgumentException refusal;

        @Override
        public List<LoggedConflict> list(boolean all, int limit) {
            calls.add("list all=" + all);
            return List.copyOf(conflicts);
        }

        @Override
        public Optional<LoggedConflict> find(long id) {
            return conflicts.stream().filter(c -> c.id() == id).findFirst();
        }

        @Override
        public LoggedConflict resolve(long id, ConflictRecord.Side take, String by, String reason) {
            if (refusal != null) {
                throw refusal;
            }
            calls.add("resolve " + id + " " + take.spelling() + " by " + by + ": " + reason);
            return conflict(id, "resolved");
        }

        @Override
        public long openCount() {
            return conflicts.size();
        }
    }
}
