package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.fault.CrashPoints;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.CrashRuns;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Driver;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.summary.SummaryCounters;

/**
 * Both sides edit the same entities at once while the service is killed again and again (SIGKILL at random, and halts
 * right after PostgreSQL committed a reverse round and right after a created node got its key): the application writes
 * titles, access levels, view counts, INCLUDES and TAGGED_WITH rows in PostgreSQL; a graph user, with Cypher, edits
 * titles and access levels, creates and deletes TAGGED_WITH, edits INCLUDES scores, creates ContentItems without a key
 * and tries to delete them (refused). Afterwards, checked from the outside by the contract:
 * <ul>
 *   <li>the graph equals the database (properties, versions, cross-references, history per an audit trigger);</li>
 *   <li>each seeded node's {@code neo4jVersion}, and its row's {@code neo4j_version}, is the number of graph transactions
 *       that edited it: no version bumped twice, none lost;</li>
 *   <li>the plugin's outbox numbered exactly the graph user's transactions: no write of the service came back as an edit;</li>
 *   <li>every conflict in {@code nexus_sync.conflict_log} was settled by its rule (access_level: PostgreSQL;
 *       last-writer-wins: the later commit), and none is logged twice;</li>
 *   <li>every ContentItem created in the graph has exactly one row and one node.</li>
 * </ul>
 * {@code -Dreverse.crash.runs=N} repeats it with seeds {@code reverse.crash.seed}, +1, ... and counts clean runs
 * ({@code bench/run-reverse-crash.sh}); CI runs one.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class ReverseCrashIT {
    private static final int ITEMS = 24;
    private static final int TAGS = 6;
    private static final int THREADS = 3;
    private static final int KILLS = Integer.getInteger("reverse.crash.kills", 5);
    private static final String[] ACCESS = {"private", "project", "tenant", "public"};

    private enum Kill { RANDOM_SIGKILL, HALT_AFTER_POSTGRES_COMMIT, HALT_AFTER_KEY_ASSIGNED }

    @Test
    void shouldConvergeWithEveryConflictSettledByItsRuleAndNothingBouncedOrDoubledAcrossCrashes() throws Exception {
        CrashRuns.repeat("reverse crash", "reverse.crash", 11, "runs whose two sides disagree after the crashes", this::oneRun);
    }

    private List<String> oneRun(long seed) throws Exception {
        Random random = new Random(seed);
        try (SyncEnvironment env = SyncEnvironment.create("reverse_crash")) {
            env.setup();
            Fixture fixture = new Fixture(seed);
            try (Connection c = env.connect()) {
                TemporalHistory.installAudit(c);
                fixture.seed(c);
            }
            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "50");
            env.environment().put("NEXUS_SYNC_REVERSE_MODE", "plugin");
            Path log = ChildService.logFile("reverse-crash-" + seed);
            ChildService first = ChildService.start(env.environment(), log);
            env.awaitCaughtUp(Duration.ofSeconds(120));
            // The plugin records nothing until the service has told it what flows back (its first reverse session).
            awaitTrue("the service published what flows back", Duration.ofSeconds(60),
                    () -> env.cypher("MATCH (n:`_SyncReverseNode`) RETURN count(n) AS n").get(0).get("n").asLong() > 0);
            first.kill();

            GraphUser graphUser = new GraphUser(env.driver(), fixture, seed * 17);
            ApplicationWriter application = new ApplicationWriter(env, fixture, seed * 19);
            Thread graphThread = new Thread(graphUser, "graph-user");
            Thread applicationThread = new Thread(application, "application");
            graphThread.start();
            applicationThread.start();
            try {
                for (int i = 0; i < KILLS; i++) {
                    crash(env, Kill.values()[(int) ((i + seed) % Kill.values().length)], random, log);
                }
            } finally {
                graphUser.stop.set(true);
                application.stop.set(true);
                graphThread.join();
                applicationThread.join();
            }
            System.out.printf("reverse crash run (seed %d): %d graph edit transactions (%d refused deletes, %d nodes created, %d turned away "
                            + "for contention, %d INCLUDES edits refused because the stream closed the version first, %d TAGGED_WITH creates "
                            + "refused because the stream created the pair first), %d application transactions%n",
                    seed, graphUser.committed.get(), graphUser.refusedDeletes.get(), graphUser.created.get(), graphUser.contention.get(),
                    graphUser.closedUnderneath.get(), graphUser.pairTaken.get(), application.transactions.get());
            if (application.failure != null) {
                throw application.failure;
            }
            if (graphUser.failure != null) {
                throw new AssertionError("the graph user stopped", graphUser.failure);
            }
            assertThat(graphUser.committed.get()).isGreaterThan(50);
            assertThat(application.transactions.get()).isGreaterThan(50);

            ChildService last = ChildService.start(env.environment(), log);
            List<String> problems = new ArrayList<>();
            try {
                // Reverse writes go through PostgreSQL and come back through the stream: drain both, twice, as a cycle.
                for (int i = 0; i < 2; i++) {
                    awaitOutboxDrained(env, Duration.ofSeconds(120));
                    env.awaitCaughtUp(Duration.ofSeconds(120));
                }
                problems.addAll(env.discrepancies());
                problems.addAll(checkVersionsAndOutbox(env, graphUser));
                problems.addAll(checkConflicts(env));
                problems.addAll(checkCreatedNodes(env, graphUser));
            } finally {
                assertThat(last.terminate()).as("a SIGTERM drains and exits cleanly").isIn(0, 143);
            }
            if (!problems.isEmpty()) {
                problems.add("service log: " + log.toAbsolutePath());
            }
            return problems;
        }
    }

    private static void crash(SyncEnvironment env, Kill kill, Random random, Path log) throws Exception {
        Map<String, String> environment = new HashMap<>(env.environment());
        if (kill == Kill.HALT_AFTER_POSTGRES_COMMIT) {
            environment.put(CrashPoints.VARIABLE, CrashPoints.REVERSE_AFTER_POSTGRES_COMMIT + ":" + (1 + random.nextInt(20)));
        } else if (kill == Kill.HALT_AFTER_KEY_ASSIGNED) {
            environment.put(CrashPoints.VARIABLE, CrashPoints.REVERSE_AFTER_KEY_ASSIGNED + ":" + (1 + random.nextInt(3)));
        }
        // Down a while, as a real restart is, while both sides keep editing: the outbox and the WAL both build up.
        Thread.sleep(500 + random.nextInt(2_000));
        ChildService child = ChildService.start(environment, log);
        if (kill == Kill.RANDOM_SIGKILL) {
            Thread.sleep(3_000 + random.nextInt(4_000));
            assertThat(child.isAlive()).as("the service died on its own; see %s", log).isTrue();
            child.kill();
        } else if (!child.waitFor(Duration.ofSeconds(45))) {
            child.kill();
        }
    }

    private static void awaitTrue(String what, Duration atMost, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + atMost + ": " + what);
            }
            Thread.sleep(50);
        }
    }

    private static void awaitOutboxDrained(SyncEnvironment env, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (env.cypher("MATCH (o:`_SyncOutbox`) RETURN count(o) AS n").get(0).get("n").asLong() == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the outbox still holds entries after " + atMost);
    }

    private static List<String> checkVersionsAndOutbox(SyncEnvironment env, GraphUser graphUser) throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<String, Long> rowVersions = new HashMap<>();
        for (Map<String, Object> row : env.query("SELECT id::text AS id, neo4j_version FROM content_items")) {
            rowVersions.put((String) row.get("id"), ((Number) row.get("neo4j_version")).longValue());
        }
        Map<String, Long> nodeVersions = new HashMap<>();
        for (var r : env.cypher("MATCH (c:ContentItem) RETURN c.id AS id, c.neo4jVersion AS v")) {
            nodeVersions.put(r.get("id").asString(), r.get("v").isNull() ? 0 : r.get("v").asLong());
        }
        for (Map.Entry<String, AtomicInteger> edited : graphUser.editsPerItem.entrySet()) {
            long expected = edited.getValue().get();
            if (!Long.valueOf(expected).equals(rowVersions.get(edited.getKey())) || !Long.valueOf(expected).equals(nodeVersions.get(edited.getKey()))) {
                problems.add("ContentItem " + edited.getKey() + ": " + expected + " graph edits, but neo4j_version " + rowVersions.get(edited.getKey())
                        + " in the row and neo4jVersion " + nodeVersions.get(edited.getKey()) + " on the node");
            }
        }
        var sequence = env.cypher("MATCH (s:`_SyncOutboxSequence`) RETURN max(s.next) AS next");
        long entries = sequence.isEmpty() || sequence.get(0).get("next").isNull() ? 0 : sequence.get(0).get("next").asLong();
        if (entries != graphUser.committed.get()) {
            problems.add("the outbox numbered " + entries + " entries for " + graphUser.committed.get()
                    + " graph edit transactions: a write came back as an edit, or an edit made no entry");
        }
        return problems;
    }

    private static List<String> checkConflicts(SyncEnvironment env) throws SQLException {
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> conflicts = env.query("SELECT id, kind, property, rule, decision, postgres_committed_at, graph_committed_at, "
                + "outbox_seq, entity_key FROM nexus_sync.conflict_log");
        Map<String, Integer> seen = new HashMap<>();
        for (Map<String, Object> c : conflicts) {
            String once = c.get("outbox_seq") + "/" + c.get("entity_key") + "/" + c.get("property") + "/" + c.get("kind");
            if (seen.merge(once, 1, Integer::sum) == 2) {
                problems.add("conflict logged twice: " + once);
            }
            if ("access_level".equals(c.get("property")) && !"postgres".equals(c.get("decision"))) {
                problems.add("conflict " + c.get("id") + " on access_level went to " + c.get("decision") + ": PostgreSQL owns it");
            }
            if ("last-writer-wins".equals(c.get("rule")) && "property".equals(c.get("kind"))) {
                Timestamp pg = (Timestamp) c.get("postgres_committed_at");
                Timestamp graph = (Timestamp) c.get("graph_committed_at");
                String expected = pg == null || graph == null || !graph.after(pg) ? "postgres" : "graph";
                if (!expected.equals(c.get("decision"))) {
                    problems.add("conflict " + c.get("id") + " (" + c.get("property") + "): graph at " + graph + ", row at " + pg
                            + ", decided " + c.get("decision") + " by last-writer-wins");
                }
            }
        }
        System.out.printf("conflicts logged: %d%n", conflicts.size());
        return problems;
    }

    private static List<String> checkCreatedNodes(SyncEnvironment env, GraphUser graphUser) throws SQLException {
        List<String> problems = new ArrayList<>();
        long rows = ((Number) env.query("SELECT count(*) AS n FROM content_items WHERE title LIKE 'made in the graph %'").get(0).get("n")).longValue();
        long nodes = env.cypher("MATCH (c:ContentItem) WHERE c.title STARTS WITH 'made in the graph ' RETURN count(c) AS n").get(0).get("n").asLong();
        if (rows != graphUser.created.get() || nodes != graphUser.created.get()) {
            problems.add(graphUser.created.get() + " ContentItems created in the graph, but " + rows + " rows and " + nodes + " nodes");
        }
        return problems;
    }

    /** The seeded entities both sides edit. */
    private static final class Fixture {
        final UUID tenant;
        final List<String> items = new ArrayList<>();
        final List<String> tags = new ArrayList<>();
        final List<String> threads = new ArrayList<>();

        Fixture(long seed) {
            tenant = new UUID(seed, 1);
            for (int i = 0; i < ITEMS; i++) {
                items.add(new UUID(seed, 1_000 + i).toString());
            }
            for (int i = 0; i < TAGS; i++) {
                tags.add(new UUID(seed, 2_000 + i).toString());
            }
            for (int i = 0; i < THREADS; i++) {
                threads.add(new UUID(seed, 3_000 + i).toString());
            }
        }

        void seed(Connection c) throws SQLException {
            for (String item : items) {
                SyncEnvironment.execute(c, "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?::uuid, ?, ?, 'seeded')",
                        item, tenant, tenant);
            }
            for (int i = 0; i < tags.size(); i++) {
                SyncEnvironment.execute(c, "INSERT INTO tags (id, tenant_id, name) VALUES (?::uuid, ?, ?)", tags.get(i), tenant, "tag " + i);
            }
            for (String thread : threads) {
                SyncEnvironment.execute(c, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?::uuid, ?, ?, 'thread')",
                        thread, tenant, tenant);
                for (int i = 0; i < 4; i++) {
                    SyncEnvironment.execute(c, "INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?::uuid, ?::uuid, 0.5, ?)",
                            thread, items.get(i), i);
                }
            }
        }
    }

    /** A person working in the graph with Cypher, as fast as the graph lets them. */
    private static final class GraphUser implements Runnable {
        final Driver driver;
        final Fixture fixture;
        final Random random;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger committed = new AtomicInteger();
        final AtomicInteger refusedDeletes = new AtomicInteger();
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger contention = new AtomicInteger();
        final AtomicInteger closedUnderneath = new AtomicInteger();
        final AtomicInteger pairTaken = new AtomicInteger();
        final Map<String, AtomicInteger> editsPerItem = new ConcurrentHashMap<>();
        volatile Throwable failure;
        private int counter;

        GraphUser(Driver driver, Fixture fixture, long seed) {
            this.driver = driver;
            this.fixture = fixture;
            this.random = new Random(seed);
        }

        @Override
        public void run() {
            while (!stop.get()) {
                try {
                    editOnce();
                    Thread.sleep(random.nextInt(15));
                } catch (InterruptedException e) {
                    return;
                } catch (Exception | AssertionError e) {
                    failure = e;
                    return;
                }
            }
        }

        private void editOnce() {
            String item = fixture.items.get(random.nextInt(fixture.items.size()));
            String tag = fixture.tags.get(random.nextInt(fixture.tags.size()));
            String thread = fixture.threads.get(random.nextInt(fixture.threads.size()));
            int kind = random.nextInt(100);
            counter++;
            if (kind < 35) {
                countItemEdit(item, run("MATCH (c:ContentItem {id: $id}) SET c.title = $title", Map.of("id", item, "title", "graph " + counter)));
            } else if (kind < 50) {
                int a = random.nextInt(4);
                // Always a different value: an assignment of the value a property already has is no edit.
                countItemEdit(item, run("MATCH (c:ContentItem {id: $id}) SET c.accessLevel = CASE c.accessLevel WHEN $a THEN $b ELSE $a END",
                        Map.of("id", item, "a", ACCESS[a], "b", ACCESS[(a + 1) % 4])));
            } else if (kind < 62) {
                count(run("MATCH (c:ContentItem {id: $c}), (t:Tag {id: $t}) WHERE NOT (c)-[:TAGGED_WITH]->(t) "
                        + "CREATE (c)-[:TAGGED_WITH {weight: $w}]->(t)", Map.of("c", item, "t", tag, "w", 0.25 * (1 + random.nextInt(4)))));
            } else if (kind < 72) {
                count(run("MATCH (:ContentItem {id: $c})-[r:TAGGED_WITH]->(:Tag {id: $t}) DELETE r", Map.of("c", item, "t", tag)));
            } else if (kind < 88) {
                count(run("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WHERE r.validTo = datetime('9999-12-31T00:00:00Z') "
                        + "SET r.relevanceScore = $s", Map.of("t", thread, "c", item, "s", counter / 1000.0)));
            } else if (kind < 94) {
                SummaryCounters made = run("CREATE (:ContentItem {title: $title, tenantId: $tenant, projectId: $tenant})",
                        Map.of("title", "made in the graph " + counter, "tenant", fixture.tenant.toString()));
                if (made != null) {
                    created.incrementAndGet();
                    count(made);
                }
            } else {
                try (var session = driver.session()) {
                    SummaryCounters deleted = session.run("MATCH (c:ContentItem {id: $id}) DETACH DELETE c", Map.of("id", item)).consume().counters();
                    if (deleted.nodesDeleted() > 0) {
                        throw new AssertionError("the plugin let ContentItem " + item + " be deleted in the graph; rules: "
                                + session.run("MATCH (n:`_SyncReverseNode`) RETURN collect(properties(n)) AS r").single().get("r"));
                    }
                    throw new AssertionError("ContentItem " + item + " is not in the graph");
                } catch (ClientException refused) {
                    if (!String.valueOf(refused.getMessage()).contains("nexus-sync")) {
                        throw refused;
                    }
                    refusedDeletes.incrementAndGet();
                } catch (org.neo4j.driver.exceptions.TransientException deadlock) {
                    contention.incrementAndGet();
                }
            }
        }

        /** Counters of a committed transaction, or null when the graph turned it away for contention (retried by the next edit). */
        final java.util.concurrent.atomic.AtomicLong slowest = new java.util.concurrent.atomic.AtomicLong();

        private SummaryCounters run(String cypher, Map<String, Object> parameters) {
            long started = System.nanoTime();
            try (var session = driver.session()) {
                return session.executeWrite(tx -> tx.run(cypher, parameters).consume().counters());
            } catch (Neo4jException e) {
                if (e instanceof ClientException && String.valueOf(e.getMessage()).contains("a closed version cannot be changed")) {
                    // The stream closed the version this edit matched as current before the edit committed: the plugin refuses
                    // a change to history, and the person edits the new current version instead.
                    closedUnderneath.incrementAndGet();
                    return null;
                }
                if (e instanceof ClientException && String.valueOf(e.getMessage()).contains("TAGGED_WITH relationships; PostgreSQL keeps one row per pair")) {
                    // The stream's MERGE of the same pair committed after this check-then-CREATE read the pair as untagged: the
                    // plugin refuses the second relationship, and the pair keeps the stream's (a retry would find it there).
                    pairTaken.incrementAndGet();
                    return null;
                }
                System.out.println("graph user: " + e.getClass().getSimpleName() + " " + e.code() + " " + e.getMessage());
                if (e instanceof org.neo4j.driver.exceptions.TransientException) {
                    contention.incrementAndGet();
                    return null;
                }
                throw e;
            } finally {
                long took = (System.nanoTime() - started) / 1_000_000;
                if (took > slowest.get()) {
                    slowest.set(took);
                    System.out.printf("graph user: slowest edit so far %d ms: %s%n", took, cypher);
                }
            }
        }

        private void count(SummaryCounters counters) {
            if (counters != null && counters.containsUpdates()) {
                committed.incrementAndGet();
            }
        }

        private void countItemEdit(String item, SummaryCounters counters) {
            if (counters != null && counters.propertiesSet() > 0) {
                editsPerItem.computeIfAbsent(item, k -> new AtomicInteger()).incrementAndGet();
            }
            count(counters);
        }
    }

    /** The application writing PostgreSQL meanwhile, on the same entities. */
    private static final class ApplicationWriter implements Runnable {
        final SyncEnvironment env;
        final Fixture fixture;
        final Random random;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger transactions = new AtomicInteger();
        volatile Exception failure;

        ApplicationWriter(SyncEnvironment env, Fixture fixture, long seed) {
            this.env = env;
            this.fixture = fixture;
            this.random = new Random(seed);
        }

        @Override
        public void run() {
            try (Connection c = env.connect()) {
                int n = 0;
                while (!stop.get()) {
                    String item = fixture.items.get(random.nextInt(fixture.items.size()));
                    String tag = fixture.tags.get(random.nextInt(fixture.tags.size()));
                    String thread = fixture.threads.get(random.nextInt(fixture.threads.size()));
                    int kind = random.nextInt(100);
                    n++;
                    try {
                        if (kind < 30) {
                            SyncEnvironment.execute(c, "UPDATE content_items SET title = ? WHERE id = ?::uuid", "application " + n, item);
                        } else if (kind < 45) {
                            SyncEnvironment.execute(c, "UPDATE content_items SET access_level = ? WHERE id = ?::uuid", ACCESS[random.nextInt(4)], item);
                        } else if (kind < 60) {
                            SyncEnvironment.execute(c, "UPDATE content_items SET view_count = view_count + 1 WHERE id = ?::uuid", item);
                        } else if (kind < 72) {
                            SyncEnvironment.execute(c, "INSERT INTO content_tags (content_id, tag_id, weight) VALUES (?::uuid, ?::uuid, ?) "
                                    + "ON CONFLICT (content_id, tag_id) DO UPDATE SET weight = EXCLUDED.weight", item, tag, (float) random.nextInt(5));
                        } else if (kind < 80) {
                            SyncEnvironment.execute(c, "DELETE FROM content_tags WHERE content_id = ?::uuid AND tag_id = ?::uuid", item, tag);
                        } else if (kind < 92) {
                            SyncEnvironment.execute(c, "INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?::uuid, ?::uuid, ?, ?) "
                                    + "ON CONFLICT (thread_id, content_id) DO UPDATE SET relevance_score = EXCLUDED.relevance_score",
                                    thread, item, random.nextDouble(), n % 50);
                        } else {
                            SyncEnvironment.execute(c, "DELETE FROM thread_content WHERE thread_id = ?::uuid AND content_id = ?::uuid", thread, item);
                        }
                        transactions.incrementAndGet();
                    } catch (SQLException e) {
                        // 40P01 deadlock, 40001 serialization: the reverse applier holds the same rows at times; the application retries.
                        if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                            throw e;
                        }
                    }
                    Thread.sleep(random.nextInt(10));
                }
            } catch (Exception e) {
                failure = e;
            }
        }
    }
}
