package io.nexussync.it;

import static io.nexussync.it.testkit.ThreadContentChanges.include;
import static io.nexussync.it.testkit.ThreadContentChanges.remove;
import static io.nexussync.it.testkit.ThreadContentChanges.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.ThreadContentAudit;
import io.nexussync.it.testkit.ThreadContentChanges;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Point-in-time restore through the system of record, with the service running: a known sequence of {@code thread_content}
 * changes is written while a trigger keeps every row image with its transaction (whose commit time is the instant the graph
 * dates it by, as in {@link TemporalHistoryIT}); then {@code nexus-sync history restore thread ID --at R}, R between two
 * commits, must make PostgreSQL's rows the audit's state at R, the stream must mirror them as new versions without changing
 * any as-of answer before, and the graph must equal the database. A dry run writes nothing; a restore that needs an item
 * deleted since is refused and writes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class HistoryRestoreIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private SyncEnvironment env;
    private ThreadContentAudit audit;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("history_restore");
        env.setup();
        audit = ThreadContentAudit.install(env, "restore_audit");
        env.startService();
        env.awaitCaughtUp(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldWriteTheThreadBackToItsStateAtAnInstantThroughPostgresAndLeaveTheHistoryBeforeAsItWas() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        UUID d = UUID.randomUUID();
        thread(thread);
        for (UUID item : List.of(a, b, c, d)) {
            item(item);
        }
        ThreadContentChanges.transaction(env, include(thread, a, 0.5, 1), include(thread, b, 0.4, 2));
        ThreadContentChanges.transaction(env, include(thread, c, 0.3, 3));
        ThreadContentChanges.transaction(env, set(thread, a, "position = 4, relevance_score = 0.9"));
        ThreadContentChanges.transaction(env, remove(thread, b));
        ThreadContentChanges.transaction(env, include(thread, d, 0.8, 1));
        ThreadContentChanges.transaction(env, set(thread, c, "added_at = added_at - interval '1 day'"));
        env.awaitCaughtUp(Duration.ofSeconds(60));

        List<Instant> commits = new ArrayList<>(ThreadContentAudit.commits(audit.rows(thread)));
        assertThat(commits).hasSize(6);
        Instant restoreTo = commits.get(1).plus(Duration.between(commits.get(1), commits.get(2)).dividedBy(2));
        Map<String, String> then = stateAt(audit.rows(thread), restoreTo);
        assertThat(then).hasSize(3);
        Map<String, String> before = rows(thread);
        assertThat(before).isNotEqualTo(then);
        int audited = audit.rows(thread).size();

        // Every as-of answer the history gives now, to hold the restore to: it adds versions, it rewrites none.
        Instant beforeRestore = Instant.now();
        Map<Instant, String> asOfBefore = new TreeMap<>();
        for (Instant at : instants(commits, beforeRestore)) {
            asOfBefore.put(at, asOf(thread, at));
        }

        // (d) The dry run prints the difference, per item what it is now and what it was, and writes nothing.
        SyncEnvironment.CliRun dry = env.cli("history", "restore", "thread", thread.toString(), "--at", restoreTo.toString(), "--dry-run", "--json");
        assertThat(dry.exit()).as(dry.err()).isZero();
        JsonNode plan = JSON.readTree(dry.out());
        Map<String, String> actions = new TreeMap<>();
        plan.get("items").forEach(item -> actions.put(item.get("endId").asText(), item.get("action").asText() + " " + item.get("changed")));
        assertThat(actions).containsExactlyInAnyOrderEntriesOf(Map.of(
                a.toString(), "update [\"position\",\"relevanceScore\"]",
                b.toString(), "insert [\"addedAt\",\"position\",\"relevanceScore\"]",
                c.toString(), "update [\"addedAt\"]",
                d.toString(), "delete []"));
        assertThat(plan.get("written").asBoolean()).isFalse();
        SyncEnvironment.CliRun dryText = env.cli("history", "restore", "thread", thread.toString(), "--at", restoreTo.toString(), "--dry-run");
        assertThat(dryText.out()).as(dryText.err()).contains("dry run: nothing written", "insert  ContentItem " + b, "now: (absent)",
                "delete  ContentItem " + d, "position=4");
        assertThat(rows(thread)).as("PostgreSQL after the dry runs").isEqualTo(before);
        assertThat(audit.rows(thread)).as("no change of the thread's rows was committed by a dry run").hasSize(audited);

        // (a) The restore: PostgreSQL's rows are the audit's state at the instant.
        SyncEnvironment.CliRun restore = env.cli("history", "restore", "thread", thread.toString(), "--at", restoreTo.toString());
        assertThat(restore.exit()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("written in one PostgreSQL transaction");
        assertThat(rows(thread)).as("PostgreSQL's thread_content after the restore").isEqualTo(then);
        assertThat(ThreadContentAudit.commits(audit.rows(thread))).as("the restore is one transaction").hasSize(7);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(rows(thread)).isEqualTo(then);

        // (b) The graph's current contents are that state, and every answer before the restore is as it was.
        assertThat(currentInGraph(thread)).as("history thread now, after the stream mirrored the restore").isEqualTo(then);
        for (Map.Entry<Instant, String> answer : asOfBefore.entrySet()) {
            assertThat(asOf(thread, answer.getKey())).as("history thread --at " + answer.getKey() + " after the restore").isEqualTo(answer.getValue());
        }
        // (c) The graph equals the database.
        assertThat(env.discrepancies()).isEmpty();

        // A second restore to the same instant has nothing left to do.
        SyncEnvironment.CliRun again = env.cli("history", "restore", "thread", thread.toString(), "--at", restoreTo.toString(), "--json");
        assertThat(JSON.readTree(again.out()).get("items")).as(again.err()).isEmpty();
    }

    @Test
    void shouldRefuseARestoreThatNeedsAnItemDeletedSinceAndWriteNothing() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID kept = UUID.randomUUID();
        UUID deleted = UUID.randomUUID();
        thread(thread);
        item(kept);
        item(deleted);
        ThreadContentChanges.transaction(env, include(thread, kept, 0.5, 1), include(thread, deleted, 0.4, 2));
        ThreadContentChanges.transaction(env, set(thread, kept, "position = 7"));
        env.awaitCaughtUp(Duration.ofSeconds(60));
        List<Instant> commits = new ArrayList<>(ThreadContentAudit.commits(audit.rows(thread)));
        Instant restoreTo = commits.get(0).plus(Duration.between(commits.get(0), commits.get(1)).dividedBy(2));
        // The item's row goes while the graph still has it (the service stopped): the graph's history names an item
        // PostgreSQL can no longer refer to.
        env.stopService();
        try {
            env.sql("DELETE FROM content_items WHERE id = ?", deleted);
            Map<String, String> before = rows(thread);
            int audited = audit.rows(thread).size();

            SyncEnvironment.CliRun refused = env.cli("history", "restore", "thread", thread.toString(), "--at", restoreTo.toString());
            assertThat(refused.exit()).as(refused.out()).isEqualTo(1);
            assertThat(refused.err()).contains("restore refused", deleted.toString(), "restore it first", "nothing was written");
            assertThat(rows(thread)).as("the update of the kept item is not written either").isEqualTo(before);
            assertThat(audit.rows(thread)).hasSize(audited);
        } finally {
            env.startService();
        }
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    void shouldRejectUsageErrorsWithExitTwoNamingTheFix() {
        String id = UUID.randomUUID().toString();
        assertUsage(env.cli("history", "restore", "thread", id), "--at TIME is required");
        assertUsage(env.cli("history", "restore", "thread", id, "--at", "2026-12-07T05:30:00"), "with its offset");
        assertUsage(env.cli("history", "restore", "relationship", "public.nope", id, "--at", "2026-12-07T05:30:00Z"), "not a mapped table");
        assertUsage(env.cli("history", "restore", "relationship", "content_tags", id, "--at", "2026-12-07T05:30:00Z"), "temporal");
        assertUsage(env.cli("history", "restore", "thread", id, "--at", Instant.now().plus(1, ChronoUnit.DAYS).toString()), "in the future");
    }

    private static void assertUsage(SyncEnvironment.CliRun run, String message) {
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains(message);
    }

    /**
     * The contents {@code history thread --at} gives, with each version's number, start and properties; not its end, which
     * the restore rightly sets on the versions that were current.
     */
    private String asOf(UUID thread, Instant at) throws Exception {
        SyncEnvironment.CliRun cli = env.cli("history", "thread", thread.toString(), "--at", at.toString(), "--json");
        assertThat(cli.exit()).as(cli.err()).isZero();
        List<String> items = new ArrayList<>();
        for (JsonNode item : JSON.readTree(cli.out()).get("items")) {
            items.add(item.get("endId").asText() + " v" + item.get("version").asLong() + " from " + item.get("validFrom").asText() + " "
                    + item.get("properties"));
        }
        return String.join("; ", items);
    }

    private Map<String, String> currentInGraph(UUID thread) throws Exception {
        SyncEnvironment.CliRun cli = env.cli("history", "thread", thread.toString(), "--json");
        assertThat(cli.exit()).as(cli.err()).isZero();
        Map<String, String> items = new TreeMap<>();
        for (JsonNode item : JSON.readTree(cli.out()).get("items")) {
            JsonNode p = item.get("properties");
            items.put(item.get("endId").asText(), describe(p.get("position").asInt(), p.get("relevanceScore").asDouble(), Instant.parse(p.get("addedAt").asText())));
        }
        return items;
    }

    private static List<Instant> instants(List<Instant> commits, Instant until) {
        List<Instant> instants = new ArrayList<>();
        instants.add(commits.get(0).minusSeconds(1));
        for (Instant commit : commits) {
            instants.add(commit.minus(1, ChronoUnit.MICROS));
            instants.add(commit);
        }
        instants.add(until);
        return instants;
    }

    private static String describe(int position, double relevance, Instant addedAt) {
        return "position=" + position + " relevanceScore=" + relevance + " addedAt=" + addedAt;
    }

    private Map<String, String> rows(UUID thread) throws Exception {
        Map<String, String> rows = new TreeMap<>();
        for (Map<String, Object> row : env.query("SELECT content_id, position, relevance_score, added_at FROM thread_content WHERE thread_id = ?", thread)) {
            rows.put(row.get("content_id").toString(), describe(((Number) row.get("position")).intValue(), ((Number) row.get("relevance_score")).doubleValue(),
                    instant(row.get("added_at"))));
        }
        return rows;
    }

    private static Instant instant(Object value) {
        if (value instanceof OffsetDateTime time) {
            return time.toInstant();
        }
        return ((java.sql.Timestamp) value).toInstant();
    }

    /** The thread's rows at {@code at} by the audit, described as {@link #rows} describes PostgreSQL's. */
    private static Map<String, String> stateAt(List<ThreadContentAudit.Row> audit, Instant at) {
        Map<String, String> state = new TreeMap<>();
        ThreadContentAudit.stateAt(audit, at).forEach((content, item) ->
                state.put(content, describe((int) item.position(), item.relevance(), item.addedAt())));
        return state;
    }

    private void thread(UUID thread) throws Exception {
        ThreadContentChanges.transaction(env, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES ('" + thread + "', '" + thread + "', '" + thread + "', 't')");
    }

    private void item(UUID item) throws Exception {
        ThreadContentChanges.transaction(env, "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES ('" + item + "', '" + item + "', '" + item + "', 'c')");
    }
}
