package io.nexussync.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.graphdb.TransactionFailureException;
import org.neo4j.kernel.DeadlockDetectedException;

/**
 * One relationship per join-table pair under concurrency, on the real engine: a graph user's check-then-CREATE and the
 * stream's MERGE of the same pair (TAGGED_WITH), both past their read before either commits, in both commit orders; two
 * graph users doing the same; and a graph user's deleted current INCLUDES version (which the plugin puts back) against the
 * stream opening a new version of the pair. The stream's statements are the ones {@code StatementRenderer} writes for the
 * built-in mapping, run in a transaction with the service's metadata, which the plugin does not look at.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PairGuardTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PAIR = "MATCH (:ContentItem {id: 'c1'})-[r:TAGGED_WITH]->(:Tag {id: 't1'}) ";
    private static final String CHECK_THEN_CREATE = "MATCH (c:ContentItem {id: 'c1'}), (t:Tag {id: 't1'}) WHERE NOT (c)-[:TAGGED_WITH]->(t) "
            + "CREATE (c)-[:TAGGED_WITH {weight: 1.0}]->(t)";
    /** StatementRenderer.upsertRelationships (streamed) for content_tags. */
    private static final String STREAM_MERGE = "UNWIND $batch.rows AS row "
            + "MERGE (a:ContentItem {id: row.from}) ON CREATE SET a.pgId = row.from MERGE (b:Tag {id: row.to}) ON CREATE SET b.pgId = row.to "
            + "MERGE (a)-[r:TAGGED_WITH]->(b) WITH r, row WHERE row.version IS NULL OR r.pgVersion IS NULL OR r.pgVersion < row.version SET r += row.props";
    private static final Map<String, Object> TAG_ROW = Map.of("batch", Map.of("rows", List.of(
            Map.of("from", "c1", "to", "t1", "version", 7L, "props", Map.of("weight", 2.0, "pgVersion", 7L)))));
    private static final String REFUSED = "nexus-sync: ContentItem c1 -[:TAGGED_WITH]-> Tag t1 would have 2 TAGGED_WITH relationships; "
            + "PostgreSQL keeps one row per pair, and another transaction (the sync stream, most likely) created it first "
            + "(use MERGE instead of CREATE, or retry: it is there now)";

    private final PluginTestGraph graph = PluginTestGraph.shared();

    @BeforeEach
    void untaggedPair() {
        graph.reset();
        graph.asService("apply", "CREATE (:ContentItem {id: 'c1', title: 'a'}), (:ContentItem {id: 'c2', title: 'b'}), "
                + "(:Tag {id: 't1', name: 'x'}), (:Tag {id: 't2', name: 'y'})");
    }

    @Test
    void shouldRefuseTheUsersCreateWhenTheStreamsMergeCommitsFirst() throws Exception {
        Throwable refused;
        try (OpenTransaction stream = new OpenTransaction(graph.db, "stream", "apply");
             OpenTransaction user = new OpenTransaction(graph.db, "user", null)) {
            finishes(stream, stream.run(STREAM_MERGE, TAG_ROW));
            Future<Void> create = user.run(CHECK_THEN_CREATE, Map.of());
            // It has read (no relationship committed yet) and waits to create for the lock the stream's MERGE holds.
            waits(user, create);
            finishes(stream, stream.commit());
            create.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            refused = failure(user.commit());
        }
        assertThat(graph.rows(PAIR + "RETURN r.weight AS weight, r.pgVersion AS pgVersion")).containsExactly(Map.of("weight", 2.0, "pgVersion", 7L));
        assertThat(refused).isInstanceOf(TransactionFailureException.class).cause().hasMessage(REFUSED);
        assertThat(graph.outbox()).isEmpty();
        assertThat(graph.log.lines()).anySatisfy(w -> assertThat(w).contains(REFUSED));
    }

    @Test
    void shouldLetTheStreamsMergeFindTheUsersRelationshipWhenTheUserCommitsFirst() throws Exception {
        // The plugin has counted the pair (one: the user's) and holds the start node's lock as the commit goes on.
        userCommitsFirstWhileTheStreamWaits(CHECK_THEN_CREATE, STREAM_MERGE, TAG_ROW);
        assertThat(graph.rows(PAIR + "RETURN r.weight AS weight, r.pgVersion AS pgVersion")).containsExactly(Map.of("weight", 2.0, "pgVersion", 7L));
        assertThat(graph.onlyEdit().get("kind").asText()).isEqualTo("relationship-created");
    }

    @Test
    void shouldLeaveOneRelationshipWhenTwoGraphUsersCheckThenCreateTheSamePair() throws Exception {
        Throwable second;
        try (OpenTransaction first = new OpenTransaction(graph.db, "first", null);
             OpenTransaction other = new OpenTransaction(graph.db, "second", null)) {
            finishes(first, first.run(CHECK_THEN_CREATE, Map.of()));
            finishes(other, other.run(CHECK_THEN_CREATE, Map.of()));
            Future<Void> firstCommit = first.commit();
            // The plugin's write lock waits for the second transaction's share of the start node (its CREATE's).
            waits(first, firstCommit);
            Future<Void> secondCommit = other.commit();
            second = failure(secondCommit);
            Throwable firstFailure = failure(firstCommit);
            assertThat(second == null ? firstFailure : second).as("exactly one of the two commits fails").isNotNull();
            assertThat(second == null || firstFailure == null).as("exactly one of the two commits fails").isTrue();
            Throwable lost = second == null ? firstFailure : second;
            // Neo4j sees the two lock waits as a deadlock and turns one away (a transient error: a retry reads the other's
            // relationship); had the other committed first, the refusal would name the pair.
            assertThat(lost).satisfiesAnyOf(
                    e -> assertThat(e).isInstanceOf(DeadlockDetectedException.class),
                    e -> assertThat(e).isInstanceOf(TransactionFailureException.class).cause().hasMessage(REFUSED));
        }
        assertThat(graph.value(PAIR + "RETURN count(r)")).isEqualTo(1L);
        assertThat(graph.outbox()).hasSize(1);
    }

    @Test
    void shouldStillLetATransactionDeleteAndCreateAgainTheRelationshipOfAPair() {
        graph.asService("apply", "MATCH (c:ContentItem {id: 'c1'}), (t:Tag {id: 't1'}) CREATE (c)-[:TAGGED_WITH {weight: 0.5, pgVersion: 4}]->(t)");

        graph.write(PAIR + "DELETE r WITH 1 AS done MATCH (c:ContentItem {id: 'c1'}), (t:Tag {id: 't1'}) CREATE (c)-[:TAGGED_WITH {weight: 3.0}]->(t)");

        assertThat(graph.rows(PAIR + "RETURN r.weight AS weight")).containsExactly(Map.of("weight", 3.0));
        assertThat(graph.outbox().get(0).toString()).contains("relationship-created", "relationship-deleted");
    }

    @Test
    void shouldStillLetATransactionCreateTheRelationshipsOfSeveralPairs() {
        graph.write("MATCH (c:ContentItem), (t:Tag) CREATE (c)-[:TAGGED_WITH {weight: 1.0}]->(t)");

        assertThat(graph.value("MATCH (:ContentItem)-[r:TAGGED_WITH]->(:Tag) RETURN count(r)")).isEqualTo(4L);
        assertThat(graph.outbox().get(0)).hasSize(4);
    }

    @Test
    void shouldRefuseACreateForAPairThatHasOneAlreadyButNotOneOfAnUnmappedType() {
        graph.write("MATCH (c:ContentItem {id: 'c1'}), (t:Tag {id: 't1'}) CREATE (c)-[:TAGGED_WITH]->(t), (c)-[:MENTIONS]->(t), (c)-[:MENTIONS]->(t)");

        assertThatThrownBy(() -> graph.write("MATCH (c:ContentItem {id: 'c1'}), (t:Tag {id: 't1'}) CREATE (c)-[:TAGGED_WITH]->(t)"))
                .isInstanceOf(TransactionFailureException.class)
                .cause().hasMessage(REFUSED);
        assertThat(graph.value(PAIR + "RETURN count(r)")).isEqualTo(1L);
    }

    private static final String OPEN_END = "datetime('9999-12-31T00:00:00Z')";
    private static final String HISTORY = "MATCH (:Thread {id: 'th1'})-[r:INCLUDES]->(:ContentItem {id: 'c1'}) "
            + "RETURN r.version AS version, toString(r.validFrom) AS validFrom, toString(r.validTo) AS validTo ORDER BY validFrom";
    private static final String DELETE_CURRENT = "MATCH (:Thread {id: 'th1'})-[r:INCLUDES]->(:ContentItem {id: 'c1'}) WHERE r.validTo = " + OPEN_END + " DELETE r";
    /** StatementRenderer.openTemporal for thread_content: the start node locked, then the history read, the current version closed, a new one. */
    private static final String STREAM_OPEN_VERSION = "UNWIND $batch.rows AS row "
            + "MERGE (a:Thread {id: row.from}) ON CREATE SET a.pgId = row.from MERGE (b:ContentItem {id: row.to}) ON CREATE SET b.pgId = row.to "
            + "WITH a, b, row SET a.`_nexusSyncLock` = true REMOVE a.`_nexusSyncLock` "
            + "WITH a, b, row OPTIONAL MATCH (a)-[v:INCLUDES]->(b) WITH a, b, row, collect(v) AS versions "
            + "WHERE none(v IN versions WHERE v.validFrom > row.at OR (v.validFrom = row.at AND (row.version IS NULL OR v.version IS NULL "
            + "OR v.version >= row.version)) OR (v.validTo = " + OPEN_END + " AND row.version IS NOT NULL AND v.version IS NOT NULL "
            + "AND v.version >= row.version)) "
            + "FOREACH (c IN [v IN versions WHERE v.validTo = " + OPEN_END + "] | SET c.validTo = row.at) "
            + "CREATE (a)-[r:INCLUDES]->(b) SET r = row.props, r.validFrom = row.at, r.validTo = " + OPEN_END;
    private static final Map<String, Object> INCLUDES_ROW = Map.of("batch", Map.of("rows", List.of(Map.of("from", "th1", "to", "c1", "version", 3L,
            "at", ZonedDateTime.parse("2026-01-05T00:00Z"), "props", Map.of("version", 3L, "relevanceScore", 0.9, "position", 1L)))));
    private static final String REFUSED_VERSION = "nexus-sync: Thread th1 -[:INCLUDES]-> ContentItem c1 would have 2 current INCLUDES versions; "
            + "PostgreSQL keeps one row per pair, and another transaction (the sync stream, most likely) gave it a current version first "
            + "(change the current version, or the row in PostgreSQL, instead)";

    /** th1 includes c1: version 1 closed, version 2 current. */
    private void includedWithHistory() {
        graph.asService("apply", "CREATE (th:Thread {id: 'th1'}) WITH th MATCH (c:ContentItem {id: 'c1'}) "
                + "CREATE (th)-[:INCLUDES {version: 1, relevanceScore: 0.1, position: 1, validFrom: datetime('2026-01-01T00:00:00Z'), "
                + "validTo: datetime('2026-01-02T00:00:00Z')}]->(c), "
                + "(th)-[:INCLUDES {version: 2, relevanceScore: 0.5, position: 1, validFrom: datetime('2026-01-02T00:00:00Z'), validTo: " + OPEN_END + "}]->(c)");
    }

    private static Map<String, Object> version(long version, String from, String to) {
        return Map.of("version", version, "validFrom", from, "validTo", to);
    }

    @Test
    void shouldRefuseTheUsersPutBackCurrentVersionWhenTheStreamOpenedANewOneFirst() throws Exception {
        Throwable streamFailure;
        Throwable refused;
        includedWithHistory();
        try (OpenTransaction stream = new OpenTransaction(graph.db, "stream", "apply");
             OpenTransaction user = new OpenTransaction(graph.db, "user", null)) {
            finishes(stream, stream.run(STREAM_OPEN_VERSION, INCLUDES_ROW));
            // Neo4j takes a relationship's locks as the transaction commits: the delete reads version 2 as current and goes on.
            finishes(user, user.run(DELETE_CURRENT, Map.of()));
            Future<Void> commit = user.commit();
            // The plugin has put version 2 back (PostgreSQL owns the history) and waits for the start node's lock.
            waits(user, commit);
            Future<Void> streamCommit = stream.commit();
            streamFailure = failure(streamCommit);
            refused = failure(commit);
        }
        assertThat(graph.rows(HISTORY)).containsExactly(version(1, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
                version(2, "2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z"), version(3, "2026-01-05T00:00:00Z", "9999-12-31T00:00:00Z"));
        assertThat(streamFailure).as("the stream's commit").isNull();
        assertThat(refused).isInstanceOf(TransactionFailureException.class).cause().hasMessage(REFUSED_VERSION);
        assertThat(graph.outbox()).isEmpty();
    }

    @Test
    void shouldLetTheStreamCloseThePutBackVersionWhenTheUserCommitsFirst() throws Exception {
        includedWithHistory();
        // The plugin has put version 2 back, counted one current version and holds the start node's lock.
        userCommitsFirstWhileTheStreamWaits(DELETE_CURRENT, STREAM_OPEN_VERSION, INCLUDES_ROW);
        assertThat(graph.rows(HISTORY)).containsExactly(version(1, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
                version(2, "2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z"), version(3, "2026-01-05T00:00:00Z", "9999-12-31T00:00:00Z"));
        assertThat(graph.onlyEdit().get("kind").asText()).isEqualTo("relationship-deleted");
    }

    @Test
    void shouldStillLetAGraphUserCloseTheCurrentVersionAndProposeANewOneInOneTransaction() {
        includedWithHistory();
        List<Map<String, Object>> history = graph.rows(HISTORY);

        graph.write("MATCH (th:Thread {id: 'th1'})-[r:INCLUDES]->(c:ContentItem {id: 'c1'}) WHERE r.validTo = " + OPEN_END + " "
                + "SET r.validTo = datetime('2026-01-05T00:00:00Z') "
                + "CREATE (th)-[:INCLUDES {relevanceScore: 0.8, position: 2, validFrom: datetime('2026-01-05T00:00:00Z'), validTo: " + OPEN_END + "}]->(c)");

        // The plugin keeps the history PostgreSQL owns (the stream brings the new version) and sends the proposal.
        assertThat(graph.rows(HISTORY)).isEqualTo(history);
        assertThat(graph.onlyEdit().get("kind").asText()).isEqualTo("relationship-created");
    }

    /**
     * The graph user's {@code userStatement} commits first and stops inside the commit, after the plugin's check; the
     * stream's statement must wait for the user's lock, and goes on once the user's commit is through.
     */
    private void userCommitsFirstWhileTheStreamWaits(String userStatement, String streamStatement, Map<String, Object> streamRow) throws Exception {
        try (OpenTransaction stream = new OpenTransaction(graph.db, "stream", "apply");
             OpenTransaction user = new OpenTransaction(graph.db, "user", null);
             CommitGate userCommit = new CommitGate(graph, "user")) {
            finishes(user, user.run(userStatement, Map.of()));
            Future<Void> commit = user.commit();
            userCommit.awaitReached();
            Future<Void> written = stream.run(streamStatement, streamRow);
            waits(stream, written);
            userCommit.open();
            finishes(user, commit);
            finishes(stream, written);
            finishes(stream, stream.commit());
        }
    }

    private static void finishes(OpenTransaction tx, Future<Void> step) throws Exception {
        assertThat(tx.awaitBlockedOrDone(step, WAIT)).as("the step finishes without waiting for a lock").isTrue();
        step.get();
    }

    private static void waits(OpenTransaction tx, Future<Void> step) throws InterruptedException {
        assertThat(tx.awaitBlockedOrDone(step, WAIT)).as("the step waits for a lock").isFalse();
    }

    /** What the step failed with, or null once it succeeded. */
    private static Throwable failure(Future<Void> step) throws InterruptedException {
        try {
            step.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the step neither finished nor failed within " + WAIT, e);
        }
    }
}
