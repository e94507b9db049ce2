package io.nexussync.it;

import static io.nexussync.it.testkit.ThreadContentChanges.include;
import static io.nexussync.it.testkit.ThreadContentChanges.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.ThreadContentAudit;
import io.nexussync.it.testkit.ThreadContentChanges;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;

/**
 * History that outlives a delete, with the service streaming a user mapping that keeps tombstones for {@code ContentItem},
 * {@code Thread} and {@code Tag} ({@code tombstones: true}; the built-in mapping keeps none). A deleted content item or thread stays as
 * a tombstone (its label, identity and last properties, {@code :Deleted}, {@code deletedAt} = the delete's commit time) with
 * its INCLUDES versions closed, so every as-of answer before the delete is still PostgreSQL's state then (an audit trigger
 * keeps that state, as in {@link TemporalHistoryIT}); nothing current points at it, verify and the graph-equals-database
 * check leave it out, a restore that needs it is refused, a row inserted again with its key brings it back, a resync keeps
 * it, and compaction removes it once its history has ended before the cut.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class TombstoneHistoryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private SyncEnvironment env;
    private ThreadContentAudit audit;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("tombstone_history");
        // The built-in mapping's setup creates the reference tables; a user's own mapping file adopts tables that exist.
        env.setup();
        // Tag has no temporal relationship: its tombstone statement has no history to close (the warm-up plans it at start).
        env.keepTombstones("ContentItem", "Thread", "Tag");
        // Reverse sync on, as a default deployment runs it: the plugin must take a tombstone for history, not a row.
        env.environment().put("NEXUS_SYNC_REVERSE_MODE", "auto");
        env.setup();
        audit = ThreadContentAudit.install(env, "tombstone_audit");
        env.startService();
        env.awaitCaughtUp(CATCH_UP);
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    @Order(1)
    void shouldAnswerEveryInstantBeforeADeleteFromTheTombstoneAndKeepItOutOfEveryCurrentCheck() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        UUID tag = UUID.randomUUID();
        thread(thread);
        for (UUID item : List.of(a, b, c)) {
            item(item, "first " + item);
        }
        ThreadContentChanges.transaction(env, "INSERT INTO tags (id, tenant_id, name) VALUES ('" + tag + "', '" + tag + "', 'g')");
        ThreadContentChanges.transaction(env, include(thread, a, 0.5, 1), include(thread, b, 0.4, 2), include(thread, c, 0.3, 3),
                "INSERT INTO content_tags (content_id, tag_id) VALUES ('" + b + "', '" + tag + "')");
        ThreadContentChanges.transaction(env, set(thread, a, "position = 4, relevance_score = 0.9"));
        env.awaitCaughtUp(CATCH_UP);
        env.cypher("MATCH (n:ContentItem {id: $id}) SET n.relevanceWeight = 0.7", Map.of("id", c.toString()));
        // b's last values and its delete in one transaction: the tombstone holds the values.
        ThreadContentChanges.transaction(env, "UPDATE content_items SET title = 'last title of b' WHERE id = '" + b + "'",
                "DELETE FROM content_items WHERE id = '" + b + "'");
        // c deleted, inserted again with its key and included again, all in one transaction.
        ThreadContentChanges.transaction(env, "DELETE FROM content_items WHERE id = '" + c + "'",
                "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES ('" + c + "', '" + c + "', '" + c + "', 'c again')",
                include(thread, c, 0.8, 5));
        env.awaitCaughtUp(CATCH_UP);

        List<ThreadContentAudit.Row> changes = audit.rows(thread);
        List<Instant> commits = new ArrayList<>(ThreadContentAudit.commits(changes));
        assertThat(commits).as("include, update, b's delete, c's delete and return").hasSize(4);
        Instant bDeleted = commits.get(2);

        // Every instant, before and after the deletes, is PostgreSQL's state then; b is there until its delete.
        for (Instant at : instants(commits)) {
            assertThat(asOf(thread, at)).as("history thread --at " + at).isEqualTo(expected(changes, at));
        }
        assertThat(asOf(thread, commits.get(1))).as("before its delete, b is in the thread").anyMatch(item -> item.startsWith(b.toString()));

        // b is a tombstone: deleted at its transaction's commit time, with the last values, nothing current.
        Record tombstone = node(b);
        assertThat(tombstone.get("labels").asList()).containsExactlyInAnyOrder("ContentItem", "Deleted");
        assertThat(tombstone.get("p").get("deletedAt").asZonedDateTime().toInstant()).isEqualTo(bDeleted);
        assertThat(tombstone.get("p").get("title").asString()).isEqualTo("last title of b");
        assertThat(env.cypher("MATCH (:ContentItem {id: $id})-[r:TAGGED_WITH]-() RETURN r", Map.of("id", b.toString()))).as("TAGGED_WITH of b").isEmpty();
        List<Record> bVersions = versions(thread, b);
        assertThat(bVersions).hasSize(1);
        assertThat(bVersions.get(0).get("validTo").asZonedDateTime().toInstant()).as("b's version closed at its delete").isEqualTo(bDeleted);

        // c is live again: a new row's node, its earlier life's graph-only value gone, its history whole.
        Record back = node(c);
        assertThat(back.get("labels").asList()).containsExactly("ContentItem");
        assertThat(back.get("p").asMap()).doesNotContainKeys("deletedAt", "relevanceWeight").containsEntry("title", "c again");
        List<Record> cVersions = versions(thread, c);
        assertThat(cVersions).extracting(v -> v.get("validFrom").asZonedDateTime().toInstant())
                .containsExactly(commits.get(0), commits.get(3));
        assertThat(cVersions.get(0).get("validTo").asZonedDateTime().toInstant()).isEqualTo(commits.get(3));

        // The graph equals the database, tombstones held to their rules; verify's checks (existence included) agree.
        assertThat(env.discrepancies()).isEmpty();
        SyncEnvironment.CliRun verify = env.cli("verify");
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();

        // A restore to before b's delete needs b's row: refused, naming it, nothing written.
        Instant beforeDelete = commits.get(1).plus(Duration.between(commits.get(1), commits.get(2)).dividedBy(2));
        int audited = changes.size();
        SyncEnvironment.CliRun restore = env.cli("history", "restore", "thread", thread.toString(), "--at", beforeDelete.toString());
        assertThat(restore.exit()).as(restore.out()).isEqualTo(1);
        assertThat(restore.err()).contains("restore refused", b.toString(), "nothing was written");
        assertThat(audit.rows(thread)).hasSize(audited);
    }

    @Test
    @Order(2)
    void shouldKeepADeletedThreadsHistoryAndCompactItsTombstoneOnlyOnceItEndedBeforeTheCut() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID x = UUID.randomUUID();
        threadWithItemAndMessage(thread, x, "x");
        ThreadContentChanges.transaction(env, "DELETE FROM threads WHERE id = '" + thread + "'");
        env.awaitCaughtUp(CATCH_UP);
        List<ThreadContentAudit.Row> changes = audit.rows(thread);
        List<Instant> commits = new ArrayList<>(ThreadContentAudit.commits(changes));
        assertThat(commits).hasSize(2);
        Instant deleted = commits.get(1);

        for (Instant at : instants(commits)) {
            assertThat(asOf(thread, at)).as("history thread --at " + at).isEqualTo(expected(changes, at));
        }
        assertThat(asOf(thread, Instant.now())).as("the deleted thread has no contents now").isEmpty();
        assertThat(node(thread).get("labels").asList()).containsExactlyInAnyOrder("Thread", "Deleted");
        assertThat(env.cypher("MATCH (:Thread {id: $id})-[r:HAS_MESSAGE]->() RETURN r", Map.of("id", thread.toString()))).isEmpty();
        assertThat(env.discrepancies()).isEmpty();
        SyncEnvironment.CliRun verify = env.cli("verify");
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();

        // A cut before the delete keeps the tombstone and the version that ended at the delete.
        Instant early = commits.get(0).plus(Duration.between(commits.get(0), deleted).dividedBy(2));
        assertThat(tombstones(compact(early), "Thread")).isZero();
        assertThat(env.cypher("MATCH (t:Thread {id: $id}) RETURN t", Map.of("id", thread.toString()))).hasSize(1);
        assertThat(versions(thread, x)).hasSize(1);

        // A dry run with a cut after it counts the tombstone; the compaction removes it and its history, and no more.
        Instant cut = Instant.now().minusMillis(1);
        JsonNode dryRun = compact(cut, "--dry-run");
        assertThat(tombstones(dryRun, "Thread")).isGreaterThanOrEqualTo(1);
        assertThat(env.cypher("MATCH (t:Thread {id: $id}) RETURN t", Map.of("id", thread.toString()))).as("after the dry run").hasSize(1);
        JsonNode compacted = compact(cut);
        assertThat(tombstones(compacted, "Thread")).isGreaterThanOrEqualTo(1);
        assertThat(env.cypher("MATCH (t:Thread {id: $id}) RETURN t", Map.of("id", thread.toString()))).as("the thread's tombstone").isEmpty();
        assertThat(node(x).get("labels").asList()).as("the live item stays").containsExactly("ContentItem");
        assertThat(asOf(thread, cut)).isEmpty();
        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    @Order(3)
    void shouldKeepTombstonesThroughAResyncAndTurnARowDeletedWhileDownIntoOne() throws Exception {
        UUID kept = tombstonedItem("kept");
        UUID goneWhileDown = UUID.randomUUID();
        item(goneWhileDown, "gone while down");
        env.awaitCaughtUp(CATCH_UP);
        long tombstonesBefore = env.cypher("MATCH (n:Deleted) RETURN count(n) AS n").get(0).get("n").asLong();
        env.stopService();
        try {
            env.sql("DELETE FROM content_items WHERE id = ?", goneWhileDown);
            Instant beforeResync = Instant.now();
            SyncEnvironment.CliRun resync = env.cli("resync");
            assertThat(resync.exit()).as(resync.out() + resync.err()).isZero();
            assertThat(resync.out()).contains("verify: every mapped table agrees");

            assertThat(node(kept).get("labels").asList()).as("a tombstone from before").contains("Deleted");
            Record swept = node(goneWhileDown);
            assertThat(swept.get("labels").asList()).as("the row deleted while down").contains("Deleted");
            // Its delete was not streamed: the snapshot that found it gone dates it, no earlier than the resync began.
            assertThat(swept.get("p").get("deletedAt").asZonedDateTime().toInstant()).isAfterOrEqualTo(beforeResync.truncatedTo(ChronoUnit.SECONDS));
            assertThat(env.cypher("MATCH (n:Deleted) RETURN count(n) AS n").get(0).get("n").asLong()).isEqualTo(tombstonesBefore + 1);
        } finally {
            env.startService();
        }
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    @Order(4)
    void shouldSendNothingDoneToATombstoneInTheGraphBackToPostgres() throws Exception {
        UUID live = UUID.randomUUID();
        item(live, "live");
        UUID deleted = tombstonedItem("deleted");
        env.awaitCaughtUp(CATCH_UP);
        long outboxBefore = outboxSequence();

        // The plugin is on: a live item's delete in the graph is refused (PostgreSQL owns existence).
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> env.cypher("MATCH (n:ContentItem {id: $id}) DETACH DELETE n", Map.of("id", live.toString())))
                .hasMessageContaining("ContentItem");
        // A tombstone mirrors no row: an edit of it records nothing for PostgreSQL, and its removal is not refused.
        env.cypher("MATCH (n:ContentItem:Deleted {id: $id}) SET n.title = 'edited in the graph'", Map.of("id", deleted.toString()));
        env.cypher("MATCH (n:ContentItem:Deleted {id: $id}) DETACH DELETE n", Map.of("id", deleted.toString()));
        assertThat(outboxSequence()).as("outbox entries recorded for the tombstone's edit and removal").isEqualTo(outboxBefore);
        assertThat(env.query("SELECT count(*) AS n FROM content_items WHERE id = ?", deleted).get(0).get("n")).isEqualTo(0L);
        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    @Order(5)
    void shouldTurnATruncatedTablesNodesIntoTombstonesAtTheTruncatesTime() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID item = UUID.randomUUID();
        threadWithItemAndMessage(thread, item, "in a truncated thread");
        ThreadContentChanges.transaction(env, "TRUNCATE threads CASCADE");
        env.awaitCaughtUp(CATCH_UP);
        List<Instant> commits = new ArrayList<>(ThreadContentAudit.commits(audit.rows(thread)));

        assertThat(env.cypher("MATCH (t:Thread) WHERE NOT t:Deleted RETURN t")).as("live threads after TRUNCATE").isEmpty();
        assertThat(node(thread).get("labels").asList()).containsExactlyInAnyOrder("Thread", "Deleted");
        assertThat(env.cypher("MATCH (:Thread)-[r:INCLUDES]->() WHERE r.validTo = datetime('9999-12-31T00:00:00Z') RETURN r")).as("open INCLUDES").isEmpty();
        assertThat(asOf(thread, commits.get(0))).as("the thread's contents before the TRUNCATE").hasSize(1);
        assertThat(node(item).get("labels").asList()).as("the item outlives the thread").containsExactly("ContentItem");
        assertThat(env.discrepancies()).isEmpty();
    }

    private long outboxSequence() {
        List<Record> rows = env.cypher("MATCH (s:`_SyncOutboxSequence` {name: 'outbox'}) RETURN s.next AS n");
        return rows.isEmpty() ? 0 : rows.get(0).get("n").asLong();
    }

    private JsonNode compact(Instant cut, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("history", "compact", "--before", cut.toString(), "--json"));
        args.addAll(List.of(more));
        SyncEnvironment.CliRun run = env.cli(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    private static long tombstones(JsonNode report, String label) {
        for (JsonNode one : report.get("tombstones")) {
            if (one.get("label").asText().equals(label)) {
                return one.get("tombstones").asLong();
            }
        }
        throw new AssertionError("no tombstone count for " + label + " in " + report);
    }

    private Record node(UUID id) {
        List<Record> found = env.cypher("MATCH (n {id: $id}) WHERE n:ContentItem OR n:Thread RETURN labels(n) AS labels, properties(n) AS p",
                Map.of("id", id.toString()));
        assertThat(found).as("the node of " + id).hasSize(1);
        return found.get(0);
    }

    private List<Record> versions(UUID thread, UUID item) {
        return env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) RETURN r.validFrom AS validFrom, r.validTo AS validTo "
                + "ORDER BY r.validFrom", Map.of("t", thread.toString(), "c", item.toString()));
    }

    /** Just before, at and just after each commit, and a second before the first. */
    private static List<Instant> instants(List<Instant> commits) {
        List<Instant> instants = new ArrayList<>();
        instants.add(commits.get(0).minusSeconds(1));
        for (Instant commit : commits) {
            instants.add(commit.minus(1, ChronoUnit.MICROS));
            instants.add(commit);
            instants.add(commit.plus(1, ChronoUnit.MICROS));
        }
        return instants;
    }

    private static List<String> expected(List<ThreadContentAudit.Row> changes, Instant at) {
        return ThreadContentAudit.describedStateAt(changes, at);
    }

    private List<String> asOf(UUID thread, Instant at) throws Exception {
        return ThreadContentAudit.graphAsOf(env, thread, at);
    }

    /** A thread including one new content item, with one message: what a deleted thread takes its links from. */
    private void threadWithItemAndMessage(UUID thread, UUID item, String title) throws Exception {
        thread(thread);
        item(item, title);
        ThreadContentChanges.transaction(env, include(thread, item, 0.6, 1),
                "INSERT INTO messages (thread_id, tenant_id, role) VALUES ('" + thread + "', '" + thread + "', 'user')");
    }

    /** A content item inserted and deleted again: a tombstone once the stream has it. */
    private UUID tombstonedItem(String title) throws Exception {
        UUID id = UUID.randomUUID();
        item(id, title);
        ThreadContentChanges.transaction(env, "DELETE FROM content_items WHERE id = '" + id + "'");
        return id;
    }

    private void thread(UUID thread) throws Exception {
        ThreadContentChanges.transaction(env, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES ('" + thread + "', '" + thread + "', '" + thread + "', 't')");
    }

    private void item(UUID item, String title) throws Exception {
        ThreadContentChanges.transaction(env, "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES ('" + item + "', '" + item + "', '" + item + "', '"
                + title + "')");
    }
}
