package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.AppliedRanges;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.neo4j.Neo4jSchema;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;

/**
 * Changes applied out of order across entities, as apply from Kafka sees them (each entity's changes in order in its
 * partition, partitions consumed at their own pace): a change PostgreSQL made before a node's delete, applied after it,
 * must not bring the node back as a placeholder (id and pgId only) that nothing removes. Each case plans the changes with
 * the built-in mapping and writes each entity's batch through a real Neo4j, in the order the partitions would deliver them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DeletionMarkersIT {
    private static final Mapping MAPPING = MappingLoader.builtIn();
    private static final TableId THREADS = TableId.parse("public.threads");
    private static final TableId MESSAGES = TableId.parse("public.messages");
    private static final TableId CONTENT_ITEMS = TableId.parse("public.content_items");
    private static final TableId TAGS = TableId.parse("public.tags");
    private static final TableId THREAD_CONTENT = TableId.parse("public.thread_content");
    private static final TableId CONTENT_TAGS = TableId.parse("public.content_tags");
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    /** A timestamptz column's value as the decoder gives it. */
    private static final OffsetDateTime CREATED = T0.atOffset(ZoneOffset.UTC);

    private final GraphPlanner planner = new GraphPlanner(MAPPING);
    private SyncEnvironment env;
    private Neo4jGraphWriter markers;
    private Neo4jGraphWriter plain;
    private long lsn;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("deletion_markers");
        Neo4jSchema.ensureConstraints(env.driver(), null, MAPPING);
        markers = Neo4jGraphWriter.withDeletionMarkers(env.driver(), null, "deletion_markers_slot");
        plain = new Neo4jGraphWriter(env.driver(), null, "deletion_markers_plain_slot");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    /** M inserted in thread T; later T deleted with its messages. T's partition is ahead of M's. */
    @Test
    void shouldNotBringBackADeletedThreadThroughAnOlderMessagesParentLink() {
        String thread = id();
        String message = id();
        apply(markers, insert(THREADS, thread(thread), 1));

        apply(markers, delete(THREADS, thread, 3));
        apply(markers, insert(MESSAGES, message(message, thread), 2));
        assertThat(count("MATCH (t:Thread {id: $id}) RETURN t", thread)).as("the deleted thread, as a placeholder").isZero();
        assertThat(count("MATCH (m:Message {id: $id}) RETURN m", message)).as("the message itself, until its own delete arrives").isOne();
        apply(markers, delete(MESSAGES, message, 3));

        assertThat(count("MATCH (t:Thread {id: $id}) RETURN t", thread)).isZero();
        assertThat(count("MATCH (m:Message {id: $id}) RETURN m", message)).isZero();
    }

    /**
     * M inserted in thread T and T deleted with it, in one transaction (one commit time): T's delete applied first, M's
     * insert after it must not bring T back (KafkaRolesIT met this: a thread inserted, included and deleted in one transaction).
     */
    @Test
    void shouldNotBringBackAThreadThroughAMessageOfTheDeletesOwnTransaction() {
        String thread = id();
        String message = id();
        apply(markers, insert(THREADS, thread(thread), 1));

        apply(markers, delete(THREADS, thread, 2));
        apply(markers, insert(MESSAGES, message(message, thread), 2));
        apply(markers, delete(MESSAGES, message, 2));

        assertThat(count("MATCH (t:Thread {id: $id}) RETURN t", thread)).isZero();
        assertThat(count("MATCH (m:Message {id: $id}) RETURN m", message)).isZero();
    }

    /** The same order through a writer without markers: the hole the markers close is real. */
    @Test
    void shouldLeaveAPlaceholderThreadWithoutMarkers() {
        String thread = id();
        String message = id();
        apply(plain, insert(THREADS, thread(thread), 1));

        apply(plain, delete(THREADS, thread, 3));
        apply(plain, insert(MESSAGES, message(message, thread), 2));
        apply(plain, delete(MESSAGES, message, 3));

        List<Record> placeholder = env.cypher("MATCH (t:Thread {id: $id}) RETURN keys(t) AS keys", Map.of("id", thread));
        assertThat(placeholder).as("a thread deleted in PostgreSQL, back in the graph").hasSize(1);
        assertThat(placeholder.get(0).get("keys").asList(org.neo4j.driver.Value::asString)).containsExactlyInAnyOrder("id", "pgId");
        assertThat(count("MATCH (d:`_SyncDeleted` {id: $id}) RETURN d", thread)).as("no marker without the mode").isZero();
    }

    /** An INCLUDES version opened before the item's delete arrives after it: no item placeholder, no relationship. */
    @Test
    void shouldNotOpenAnOlderTemporalVersionToADeletedItem() {
        String thread = id();
        String item = id();
        apply(markers, insert(THREADS, thread(thread), 1));
        apply(markers, insert(CONTENT_ITEMS, contentItem(item), 1));

        apply(markers, delete(CONTENT_ITEMS, item, 3));
        apply(markers, insert(THREAD_CONTENT, threadContent(thread, item), 2));
        assertThat(count("MATCH (:Thread {id: $id})-[r:INCLUDES]->() RETURN r", thread)).as("INCLUDES of the thread").isZero();
        apply(markers, deleteKey(THREAD_CONTENT, Map.of("thread_id", thread, "content_id", item), 3));

        assertThat(count("MATCH (c:ContentItem {id: $id}) RETURN c", item)).as("the deleted item, as a placeholder").isZero();
        assertThat(count("MATCH (:Thread {id: $id})-[r:INCLUDES]->() RETURN r", thread)).isZero();
        assertThat(count("MATCH (t:Thread {id: $id}) RETURN t", thread)).as("the live end is untouched").isOne();
    }

    /** A TAGGED_WITH row inserted before its tag's delete arrives after it: the whole row is dropped. */
    @Test
    void shouldNotTagWithATagDeletedAfterTheJoinRow() {
        String item = id();
        String tag = id();
        apply(markers, insert(CONTENT_ITEMS, contentItem(item), 1));
        apply(markers, insert(TAGS, tag(tag), 1));

        apply(markers, delete(TAGS, tag, 3));
        apply(markers, insert(CONTENT_TAGS, contentTag(item, tag), 2));

        assertThat(count("MATCH (t:Tag {id: $id}) RETURN t", tag)).as("the deleted tag, as a placeholder").isZero();
        assertThat(count("MATCH (:ContentItem {id: $id})-[r:TAGGED_WITH]->() RETURN r", item)).isZero();
    }

    /** The key changed (the old key's node deleted); an older update of the old key, from its partition, comes later. */
    @Test
    void shouldNotBringBackTheOldKeysNodeThroughAnOlderUpsert() {
        String oldKey = id();
        String newKey = id();
        apply(markers, insert(CONTENT_ITEMS, contentItem(oldKey), 1));

        apply(markers, source(new RowChange.Update(CONTENT_ITEMS, Map.of("id", oldKey), contentItem(newKey)), 3));
        apply(markers, source(new RowChange.Update(CONTENT_ITEMS, null, contentItem(oldKey, "renamed before the key changed", 2)), 2));

        assertThat(count("MATCH (c:ContentItem {id: $id}) RETURN c", oldKey)).as("the old key's node").isZero();
        assertThat(count("MATCH (c:ContentItem {id: $id}) RETURN c", newKey)).isOne();
    }

    /** A change made after the delete (the row inserted again, then linked) is written: markers hold back only older ones. */
    @Test
    void shouldCreateANodeInsertedAgainAfterItsDelete() {
        String thread = id();
        String message = id();
        apply(markers, insert(THREADS, thread(thread), 1));
        apply(markers, delete(THREADS, thread, 2));

        apply(markers, insert(THREADS, thread(thread), 3));
        apply(markers, insert(MESSAGES, message(message, thread), 4));

        List<Record> back = env.cypher("MATCH (t:Thread {id: $id}) RETURN t.title AS title", Map.of("id", thread));
        assertThat(back).hasSize(1);
        assertThat(back.get(0).get("title").asString()).isEqualTo("thread " + thread);
        assertThat(count("MATCH (:Thread {id: $id})-[:HAS_MESSAGE]->(m:Message) RETURN m", thread)).isOne();
    }

    /**
     * A transaction that deletes a row and inserts it again (a replace), its two changes split across two batches: the
     * insert shares the delete's commit time, which cannot order them, so it is written rather than lost.
     */
    @Test
    void shouldCreateANodeInsertedAgainInItsDeletesOwnTransaction() {
        String thread = id();
        apply(markers, insert(THREADS, thread(thread), 1));

        apply(markers, delete(THREADS, thread, 2));
        apply(markers, insert(THREADS, thread(thread), 2));

        assertThat(count("MATCH (t:Thread {id: $id}) WHERE t.title IS NOT NULL RETURN t", thread)).isOne();
    }

    /**
     * A marker keeps its latest delete's time (a replayed older delete does not move it back), and the retention job removes
     * those written before a cut, at most a limit at a time. The cut is by when the marker was written, not by the delete's
     * commit time: a capture that fell behind publishes old changes late, and the changes older than a delete stay in the
     * topic for its retention from when they were published, which is before the marker was written.
     */
    @Test
    void shouldKeepTheLatestDeleteTimeAndRemoveMarkersWrittenBeforeACutInChunks() throws InterruptedException {
        Instant old = Instant.parse("2001-01-01T00:00:00Z");
        String first = id();
        String second = id();
        String kept = id();
        // Deletes of nodes never written (their inserts are elsewhere still): the marker is written all the same.
        applyAt(markers, delete(TAGS, first, 0), old);
        applyAt(markers, delete(TAGS, second, 0), old.plusSeconds(1));
        Thread.sleep(50);
        Instant cut = Instant.now();
        Thread.sleep(50);
        applyAt(markers, delete(TAGS, kept, 0), old.plusSeconds(60));
        applyAt(markers, delete(TAGS, kept, 0), old.plusSeconds(5));
        assertThat(env.cypher("MATCH (d:`_SyncDeleted` {label: 'Tag', id: $id}) RETURN d.at AS at", Map.of("id", kept)))
                .singleElement().satisfies(r -> assertThat(r.get("at").asZonedDateTime().toInstant()).isEqualTo(old.plusSeconds(60)));

        // Other cases of this class wrote markers before the cut too: chunks of one until none is left before it.
        int chunks = 0;
        while (markers.removeDeletionMarkersBefore(cut, 1) == 1) {
            chunks++;
        }
        assertThat(chunks).isGreaterThanOrEqualTo(2);

        assertThat(count("MATCH (d:`_SyncDeleted` {label: 'Tag'}) WHERE d.id IN [$id] RETURN d", kept)).isOne();
        assertThat(env.cypher("MATCH (d:`_SyncDeleted`) WHERE d.id IN $ids RETURN d", Map.of("ids", List.of(first, second)))).isEmpty();
    }

    /**
     * Two apply instances at once: B writes two TAGGED_WITH rows (t=2) in one statement, and its check before the MERGE finds
     * both tags live and unmarked. A applies the second tag's delete (t=3) meanwhile. Were A's delete to commit between B's
     * check and B's MERGE of that tag, the MERGE would create the tag again, with a TAGGED_WITH nothing removes. It cannot:
     * B's check of the marker reads it through the marker's uniqueness constraint, which locks that entry until B commits,
     * so A's marker (and with it A's delete) waits for B (or Neo4j reports a deadlock to A, whose batch is tried again as
     * the service's retry policy does), and then removes B's link with the tag. The moment is made
     * certain: the test holds the first row's item locked, so B waits with every row checked (the statement reads all
     * before it writes) while A tries to commit. Fails with the marker's constraint dropped (a plain index locks nothing).
     */
    @Test
    void shouldMakeAnotherInstancesDeleteWaitForABatchThatCheckedItsNode() throws Exception {
        String lockedItem = id();
        String otherTag = id();
        String item = id();
        String tag = id();
        for (String each : List.of(lockedItem, item)) {
            apply(markers, insert(CONTENT_ITEMS, contentItem(each), 1));
        }
        for (String each : List.of(otherTag, tag)) {
            apply(markers, insert(TAGS, tag(each), 1));
        }
        java.util.concurrent.CompletableFuture<Void> instanceA;
        java.util.concurrent.CompletableFuture<Void> instanceB;
        try (org.neo4j.driver.Session session = env.driver().session();
             org.neo4j.driver.Transaction itemLock = session.beginTransaction()) {
            itemLock.run("MATCH (c:ContentItem {id: $id}) SET c.`_testLock` = true REMOVE c.`_testLock`", Map.of("id", lockedItem)).consume();
            instanceB = java.util.concurrent.CompletableFuture.runAsync(() -> markers.apply(planner.plan(List.of(
                            insert(CONTENT_TAGS, contentTag(lockedItem, otherTag), 2), insert(CONTENT_TAGS, contentTag(item, tag), 2))),
                    new Checkpoint(Lsn.of(++lsn), AppliedRanges.EMPTY, 0)));
            env.awaitBlockedTransactions(1, null, "no batch waiting for a lock");
            // A keeps its own checkpoint node, so what it may wait for is B's check alone.
            Neo4jGraphWriter other = Neo4jGraphWriter.withDeletionMarkers(env.driver(), null, "instance_a_" + tag.substring(0, 8));
            instanceA = java.util.concurrent.CompletableFuture.runAsync(() -> applyRetryingOnContention(other, delete(TAGS, tag, 3)));
            // A either waits for B, or (without the lock) commits now; give it the time to.
            env.awaitBlockedTransactions(2, instanceA, "no 2 batches waiting for a lock");
            itemLock.rollback();
        }
        instanceB.get(1, TimeUnit.MINUTES);
        instanceA.get(1, TimeUnit.MINUTES);

        assertThat(count("MATCH (t:Tag {id: $id}) RETURN t", tag)).as("the deleted tag, created again by B").isZero();
        assertThat(count("MATCH (:ContentItem {id: $id})-[r:TAGGED_WITH]->() RETURN r", item)).isZero();
        assertThat(count("MATCH (:ContentItem {id: $id})-[r:TAGGED_WITH]->() RETURN r", lockedItem)).as("B's other row").isOne();
    }

    /**
     * The other interleaving of two apply instances: A's delete of thread T (t=3) has written its marker but not committed
     * when B (an older row that links to T, t=2) checks T. B must not decide on a sighting of T taken before A committed:
     * had B seen T still there and then waited on A's marker entry, it would pass the check on that stale sighting once A
     * committed, and its MERGE would create T again as a placeholder with a link nothing removes (a Thread in the graph
     * the database no longer has: how the two-instance kill loop's seed 21 once ended, a likely cause). The check reads the
     * node only inside its condition on the marker, so Neo4j's planner cannot read it first: waiting on the marker, B then
     * sees T gone. A is split in two to hold the moment: {@code markerWrite} holds T's marker entry uncommitted (as A's
     * statement does until its batch commits) while B waits on it, T's node is deleted and committed meanwhile, then the
     * marker commits. Fails with the node read before the marker (in the order Neo4j's planner chose for it).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"an INCLUDES row", "a message's parent link"})
    void shouldNotTrustASightingOfANodeTakenBeforeAnotherInstancesDeleteCommitted(String olderChange) throws Exception {
        String thread = id();
        String item = id();
        apply(markers, insert(THREADS, thread(thread), 1));
        apply(markers, insert(CONTENT_ITEMS, contentItem(item), 1));
        SourceChange linkToThread = olderChange.startsWith("an INCLUDES")
                ? insert(THREAD_CONTENT, threadContent(thread, item), 2) : insert(MESSAGES, message(id(), thread), 2);
        java.util.concurrent.CompletableFuture<Void> instanceB;
        try (org.neo4j.driver.Session session = env.driver().session();
             org.neo4j.driver.Transaction markerWrite = session.beginTransaction()) {
            markerWrite.run("MERGE (d:`_SyncDeleted` {label: 'Thread', id: $id}) SET d.at = $at, d.writtenAt = datetime()",
                    Map.of("id", thread, "at", T0.plusSeconds(3).atOffset(ZoneOffset.UTC))).consume();
            instanceB = java.util.concurrent.CompletableFuture.runAsync(() -> apply(markers, linkToThread));
            env.awaitBlockedTransactions(1, null, "B never waited for the uncommitted marker");
            env.cypher("MATCH (t:Thread {id: $id}) DETACH DELETE t", Map.of("id", thread));
            markerWrite.commit();
        }
        instanceB.get(1, TimeUnit.MINUTES);

        assertThat(count("MATCH (t:Thread {id: $id}) RETURN t", thread)).as("the deleted thread, created again by B").isZero();
    }

    /** As the apply loop's retry policy does: a batch that met lock contention is tried again. */
    private void applyRetryingOnContention(Neo4jGraphWriter writer, SourceChange change) {
        for (int attempt = 1; ; attempt++) {
            try {
                apply(writer, change);
                return;
            } catch (io.nexussync.core.error.SyncException e) {
                if (!e.isContention() || attempt == 20) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Every streamed statement of the marker mode is valid Cypher on the real engine (the warm-up runs each with no rows). */
    @Test
    void shouldPlanEveryStatementOfTheMarkerMode() {
        assertThat(markers.warmUp(MAPPING)).isEqualTo(plain.warmUp(MAPPING));
    }

    /** Plans one entity's batch of changes and writes it in its own transaction, as one partition's poll would. */
    private void apply(Neo4jGraphWriter writer, SourceChange change) {
        writer.apply(planner.plan(List.of(change)), new Checkpoint(Lsn.of(++lsn), AppliedRanges.EMPTY, 0));
    }

    private void applyAt(Neo4jGraphWriter writer, SourceChange change, Instant at) {
        apply(writer, new SourceChange(change.change(), change.txFinalLsn(), at));
    }

    private long count(String query, String id) {
        return env.cypher(query, Map.of("id", id)).size();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /** A change committed {@code seconds} after this class's epoch: its transaction's commit time. */
    private static SourceChange source(RowChange change, int seconds) {
        return new SourceChange(change, Lsn.of(0x1000L * (seconds + 1)), T0.plusSeconds(seconds));
    }

    private static SourceChange insert(TableId table, Map<String, Object> row, int seconds) {
        return source(new RowChange.Insert(table, row), seconds);
    }

    private static SourceChange delete(TableId table, String id, int seconds) {
        return deleteKey(table, Map.of("id", id), seconds);
    }

    private static SourceChange deleteKey(TableId table, Map<String, Object> key, int seconds) {
        return source(new RowChange.Delete(table, key), seconds);
    }

    private static Map<String, Object> thread(String id) {
        return row("id", id, "tenant_id", id, "project_id", id, "title", "thread " + id, "status", "open",
                "created_at", CREATED, "updated_at", CREATED, "neo4j_node_id", null, "pg_version", 1L, "neo4j_version", 0L);
    }

    private static Map<String, Object> message(String id, String threadId) {
        return row("id", id, "thread_id", threadId, "tenant_id", threadId, "role", "user", "body", "hello", "token_count", 3,
                "created_at", CREATED, "updated_at", CREATED, "neo4j_node_id", null, "pg_version", 1L, "neo4j_version", 0L);
    }

    private static Map<String, Object> contentItem(String id) {
        return contentItem(id, "item " + id, 1);
    }

    private static Map<String, Object> contentItem(String id, String title, long version) {
        return row("id", id, "tenant_id", id, "project_id", id, "title", title, "content_type", "document",
                "access_level", "project", "view_count", 0L, "created_at", CREATED, "updated_at", CREATED,
                "neo4j_node_id", null, "pg_version", version, "neo4j_version", 0L);
    }

    private static Map<String, Object> tag(String id) {
        return row("id", id, "tenant_id", id, "name", "tag " + id, "created_at", CREATED, "neo4j_node_id", null, "pg_version", 1L, "neo4j_version", 0L);
    }

    private static Map<String, Object> threadContent(String threadId, String contentId) {
        return row("thread_id", threadId, "content_id", contentId, "relevance_score", 0.5, "position", 1, "added_at", CREATED, "pg_version", 1L);
    }

    private static Map<String, Object> contentTag(String contentId, String tagId) {
        return row("content_id", contentId, "tag_id", tagId, "weight", 0.5f, "created_at", CREATED, "pg_version", 1L);
    }

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }
}
