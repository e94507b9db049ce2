package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.demo.ContextNexusWorkload;
import io.nexussync.embedded.FreePort;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.exceptions.Neo4jException;

/**
 * Reverse sync as a graph user meets it, on the real servers: the packaged service (reverse.mode auto, which must find the
 * nexus-sync plugin the embedded Neo4j loads) streams the contract data, and edits are made in the graph with plain Cypher.
 * Each edit must reach PostgreSQL once (the row's pg_version up by one, its neo4j_version the node's), come back through
 * the stream without bouncing (one outbox entry per graph transaction of the test, none for the service's own writes), and
 * leave the graph equal to the database by the contract ({@link io.nexussync.it.testkit.GraphEquality}) after every test.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReverseSyncIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ARRIVES = Duration.ofSeconds(30);
    /** How long the test watches for a write bouncing back after an edit has settled. */
    private static final Duration BOUNCE_WATCH = Duration.ofMillis(1500);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private SyncEnvironment env;
    private ChildService service;
    private String base;

    @BeforeAll
    void startTheServiceOnTheContractData() throws Exception {
        env = SyncEnvironment.create("reverse_sync");
        env.environment().put("NEXUS_SYNC_REVERSE_MODE", "auto");
        env.setup();
        try (ContextNexusWorkload seeder = new ContextNexusWorkload(env.config().postgres(), new ContextNexusWorkload.SharedIds(), 13)) {
            seeder.seedSample(30, 6, 8);
        }
        int port = FreePort.pick();
        env.environment().put("NEXUS_SYNC_ADMIN_PORT", Integer.toString(port));
        base = "http://127.0.0.1:" + port;
        service = startService("reverse-sync");
        JsonNode reverse = JSON.readTree(get("/status", null).body()).get("reverse");
        assertThat(reverse.get("mode").asText()).as("auto must find the plugin the embedded Neo4j loads: /status %s", reverse).isEqualTo("plugin");
        assertThat(reverse.get("plugin").isNull()).isFalse();
    }

    @AfterEach
    void graphEqualsTheDatabase() throws Exception {
        env.awaitCaughtUp(Duration.ofSeconds(60));
        // The write-back of the last batch's cross-references follows its graph commit: one more marker waits for it.
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(env.discrepancies()).as("graph vs database (the contract)").isEmpty();
        assertThat(outboxWaiting()).as("nothing left in the outbox").isZero();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (service != null) {
                assertThat(service.terminate()).isIn(0, 143);
            }
        } finally {
            env.close();
        }
    }

    @Test
    @Order(1)
    void shouldCarryATitleEditedInTheGraphToTheRowOnceWithoutABounce() throws Exception {
        String id = firstContentItem();
        Map<String, Object> before = row(id);
        long seqBefore = outboxSeq();

        env.cypher("MATCH (c:ContentItem {id: $id}) SET c.title = 'edited in the graph'", Map.of("id", id));

        long graphVersion = node(id, "neo4jVersion");
        assertThat(graphVersion).as("the plugin bumped the node's graph version").isEqualTo((Long) before.get("neo4j_version") + 1);
        await("the title reaches the row", () -> "edited in the graph".equals(row(id).get("title")));
        Map<String, Object> after = row(id);
        assertThat(after.get("pg_version")).as("bumped exactly once").isEqualTo((Long) before.get("pg_version") + 1);
        assertThat(after.get("neo4j_version")).as("the node's graph version").isEqualTo(graphVersion);
        await("the stream brings the row's version back to the node", () -> node(id, "pgVersion") == (Long) after.get("pg_version"));

        Thread.sleep(BOUNCE_WATCH.toMillis());
        assertThat(row(id)).as("the row changed once: nothing bounced back").isEqualTo(after);
        assertThat(env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.title AS t, c.neo4jVersion AS g", Map.of("id", id)).get(0).asMap())
                .as("the node keeps its value and graph version").isEqualTo(Map.of("t", "edited in the graph", "g", graphVersion));
        assertThat(outboxSeq()).as("one outbox entry: the test's transaction; none for the service's own writes").isEqualTo(seqBefore + 1);

        JsonNode reverse = JSON.readTree(get("/status", null).body()).get("reverse");
        assertThat(reverse.get("entriesApplied").asLong()).as("/status %s", reverse).isEqualTo(outboxSeq());
        assertThat(reverse.get("appliedByEntity").get("ContentItem").asLong()).isEqualTo(1);
        assertThat(reverse.get("outboxEntries").asLong()).isZero();
        String metrics = get("/metrics", null).body();
        metrics.lines().filter(line -> line.startsWith("nexus_sync_reverse_graph_to_postgres_seconds_sum"))
                .forEach(line -> System.out.println("ReverseSyncIT: one title edit, graph commit to PostgreSQL commit: " + line));
        assertThat(metrics).contains("nexus_sync_reverse_applied_total{entity=\"ContentItem\"} 1.0")
                .contains("nexus_sync_reverse_graph_to_postgres_seconds_count 1").contains("nexus_sync_reverse_mode{mode=\"plugin\"} 1.0")
                .contains("nexus_sync_reverse_outbox_entries 0.0");
        ChildService.Command status = ChildService.command(env.environment(), Duration.ofMinutes(1), "status", "--json");
        assertThat(status.exit()).as("%s%n%s", status.out(), status.err()).isZero();
        JsonNode fromServers = JSON.readTree(status.out()).get("reverse");
        assertThat(fromServers.get("appliedThroughSeq").asLong()).as("nexus-sync status %s", fromServers).isEqualTo(outboxSeq());
        assertThat(fromServers.get("outboxEntries").asLong()).isZero();
        assertThat(fromServers.get("openConflicts").asLong()).isZero();
    }

    @Test
    @Order(2)
    void shouldKeepPostgresqlsAccessLevelAgainstAConcurrentGraphEditAndLogTheConflict() throws Exception {
        String id = firstContentItem();
        env.sql("UPDATE content_items SET access_level = 'tenant' WHERE id = ?::uuid", id);
        env.awaitCaughtUp(ARRIVES);
        long pgVersion = (Long) row(id).get("pg_version");

        try (Connection application = env.connect()) {
            application.setAutoCommit(false);
            // The application's change holds the row's lock while the graph edit is made: the graph edit is based on the row
            // version before it, and the reverse applier, waiting for the lock, decides with the change committed.
            SyncEnvironment.execute(application, "UPDATE content_items SET access_level = 'private' WHERE id = ?::uuid", id);
            env.cypher("MATCH (c:ContentItem {id: $id}) SET c.accessLevel = 'public'", Map.of("id", id));
            assertThat(node(id, "pgVersion")).as("the graph edit's base").isEqualTo(pgVersion);
            Thread.sleep(300);
            application.commit();
        }

        await("the conflict is logged", () -> !env.query("SELECT id FROM nexus_sync.conflict_log WHERE entity_key = ?", id).isEmpty());
        env.awaitCaughtUp(ARRIVES);
        assertThat(row(id).get("access_level")).as("security belongs to PostgreSQL").isEqualTo("private");
        await("the graph shows PostgreSQL's value", () -> "private".equals(env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.accessLevel AS a",
                Map.of("id", id)).get(0).get("a").asString()));

        ChildService.Command listed = ChildService.command(env.environment(), Duration.ofMinutes(1), "conflicts", "list", "--all", "--json");
        assertThat(listed.exit()).as("%s%n%s", listed.out(), listed.err()).isZero();
        JsonNode conflicts = JSON.readTree(listed.out());
        assertThat(conflicts).as("conflicts list --all %s", conflicts).hasSize(1);
        JsonNode conflict = conflicts.get(0);
        assertThat(conflict.get("key").asText()).isEqualTo(id);
        assertThat(conflict.get("property").asText()).isEqualTo("access_level");
        assertThat(conflict.get("rule").asText()).isEqualTo("postgres-wins");
        assertThat(conflict.get("decision").asText()).isEqualTo("postgres");
        assertThat(conflict.get("status").asText()).isEqualTo("settled");
        assertThat(conflict.get("postgres").get("value").asText()).isEqualTo("private");
        assertThat(conflict.get("graph").get("value").asText()).isEqualTo("public");
        assertThat(conflict.get("graph").get("basePgVersion").asLong()).isEqualTo(pgVersion);

        String conflictId = Long.toString(conflict.get("id").asLong());
        ChildService.Command shownByCli = ChildService.command(env.environment(), Duration.ofMinutes(1), "conflicts", "show", conflictId);
        assertThat(shownByCli.exit()).as("%s%n%s", shownByCli.out(), shownByCli.err()).isZero();
        assertThat(shownByCli.out()).contains("conflict #" + conflictId + " (settled)").contains("postgres-wins -> postgres").contains("public");
        ChildService.Command settled = ChildService.command(env.environment(), Duration.ofMinutes(1), "conflicts", "resolve", conflictId,
                "--take", "graph", "--reason", "a second opinion", "--by", "ana");
        assertThat(settled.exit()).as("settled by its rule: nothing to resolve").isEqualTo(1);
        assertThat(settled.err()).contains("conflict #" + conflictId).contains("not open");
        assertThat(row(id).get("access_level")).isEqualTo("private");

        ChildService.Command open = ChildService.command(env.environment(), Duration.ofMinutes(1), "conflicts", "list");
        assertThat(open.out()).as("settled by its rule: nothing waits for a person").contains("no conflicts wait for a person");
        HttpResponse<String> shown = get("/conflicts/" + conflict.get("id").asLong(), SyncEnvironment.ADMIN_TOKEN);
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(get("/conflicts", null).statusCode()).as("a conflict shows a row's values: token only").isEqualTo(401);
        assertThat(get("/metrics", null).body()).contains("nexus_sync_reverse_conflicts_total{decision=\"postgres\",entity=\"ContentItem\"} 1.0");
    }

    @Test
    @Order(3)
    void shouldInsertARowForAContentItemCreatedInTheGraphWithoutIdAndGiveTheNodeItsKey() throws Exception {
        Map<String, Object> owner = env.query("SELECT tenant_id::text AS t, project_id::text AS p FROM content_items LIMIT 1").get(0);

        env.cypher("CREATE (c:ContentItem {title: 'made in the graph', tenantId: $t, projectId: $p})", Map.of("t", owner.get("t"), "p", owner.get("p")));

        await("the row is inserted", () -> !env.query("SELECT id FROM content_items WHERE title = 'made in the graph'").isEmpty());
        List<Map<String, Object>> rows = env.query("SELECT id::text AS id, tenant_id::text AS t, pg_version, neo4j_version FROM content_items "
                + "WHERE title = 'made in the graph'");
        assertThat(rows).hasSize(1);
        String id = (String) rows.get(0).get("id");
        assertThat(rows.get(0).get("t")).isEqualTo(owner.get("t"));
        env.awaitCaughtUp(ARRIVES);
        var nodes = env.cypher("MATCH (c:ContentItem) WHERE c.title = 'made in the graph' OR c.id = $id RETURN c.id AS id, c.pgId AS pgId",
                Map.of("id", id));
        assertThat(nodes).as("exactly one node: the one made in the graph, with PostgreSQL's key").hasSize(1);
        assertThat(nodes.get(0).get("id").asString()).isEqualTo(id);
        assertThat(nodes.get(0).get("pgId").asString()).isEqualTo(id);
    }

    @Test
    @Order(4)
    void shouldRefuseANodeDeleteInTheGraphWithThePluginsMessage() throws Exception {
        String id = firstContentItem();

        assertThatThrownBy(() -> env.cypher("MATCH (c:ContentItem {id: $id}) DETACH DELETE c", Map.of("id", id)))
                .isInstanceOf(Neo4jException.class)
                .hasMessageContaining("nexus-sync: ContentItem nodes are owned by PostgreSQL; delete its row in PostgreSQL instead");

        assertThat(env.cypher("MATCH (c:ContentItem {id: $id}) RETURN count(c) AS n", Map.of("id", id)).get(0).get("n").asLong())
                .as("the transaction rolled back: the node is there").isEqualTo(1);
        assertThat(row(id)).isNotNull();
    }

    @Test
    @Order(5)
    void shouldInsertAndDeleteTheContentTagsRowOfATaggedWithCreatedAndDeletedInTheGraph() throws Exception {
        Map<String, Object> pair = env.query("SELECT c.id::text AS c, t.id::text AS t FROM content_items c CROSS JOIN tags t "
                + "WHERE NOT EXISTS (SELECT 1 FROM content_tags ct WHERE ct.content_id = c.id AND ct.tag_id = t.id) ORDER BY c.id, t.id LIMIT 1").get(0);
        String sql = "SELECT weight, pg_version FROM content_tags WHERE content_id = ?::uuid AND tag_id = ?::uuid";

        env.cypher("MATCH (c:ContentItem {id: $c}), (t:Tag {id: $t}) CREATE (c)-[:TAGGED_WITH {weight: 0.5}]->(t)", pair);

        await("the join row is inserted", () -> !env.query(sql, pair.get("c"), pair.get("t")).isEmpty());
        assertThat(((Number) env.query(sql, pair.get("c"), pair.get("t")).get(0).get("weight")).doubleValue()).isEqualTo(0.5);
        env.awaitCaughtUp(ARRIVES);
        assertThat(taggedWith(pair)).as("one relationship: the stream's insert found the one made in the graph").isEqualTo(1);
        assertThat(env.discrepancies()).as("after the create").isEmpty();

        env.cypher("MATCH (:ContentItem {id: $c})-[r:TAGGED_WITH]->(:Tag {id: $t}) DELETE r", pair);

        await("the join row is deleted", () -> env.query(sql, pair.get("c"), pair.get("t")).isEmpty());
        env.awaitCaughtUp(ARRIVES);
        assertThat(taggedWith(pair)).isZero();
    }

    @Test
    @Order(6)
    void shouldMakeExactlyOneNewIncludesVersionForARelevanceScoreEditedInTheGraph() throws Exception {
        Map<String, Object> pair = env.query("SELECT thread_id::text AS t, content_id::text AS c, pg_version FROM thread_content "
                + "ORDER BY thread_id, content_id LIMIT 1").get(0);
        Map<String, Object> ends = Map.of("t", pair.get("t"), "c", pair.get("c"));
        long versionsBefore = includes(ends, "");

        env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WHERE r.validTo = datetime('9999-12-31T00:00:00Z') "
                + "SET r.relevanceScore = 0.75", ends);

        await("the row takes the score", () -> ((Number) env.query("SELECT relevance_score FROM thread_content WHERE thread_id = ?::uuid "
                + "AND content_id = ?::uuid", pair.get("t"), pair.get("c")).get(0).get("relevance_score")).doubleValue() == 0.75);
        assertThat(env.query("SELECT pg_version FROM thread_content WHERE thread_id = ?::uuid AND content_id = ?::uuid", pair.get("t"), pair.get("c"))
                .get(0).get("pg_version")).as("one UPDATE").isEqualTo((Long) pair.get("pg_version") + 1);
        env.awaitCaughtUp(ARRIVES);
        await("the stream opens the new version", () -> includes(ends, " WHERE r.relevanceScore = 0.75") == 1);
        Thread.sleep(BOUNCE_WATCH.toMillis());
        assertThat(includes(ends, "")).as("exactly one new version, not two").isEqualTo(versionsBefore + 1);
        assertThat(includes(ends, " WHERE r.validTo = datetime('9999-12-31T00:00:00Z')")).as("one current version").isEqualTo(1);
    }

    @Test
    @Order(7)
    void shouldDeliverOutboxEntriesLeftWhenTheServiceAndNeo4jStoppedAfterBothStartAgain() throws Exception {
        String id = firstContentItem();
        assertThat(service.terminate()).isIn(0, 143);
        service = null;
        long pgVersion = (Long) row(id).get("pg_version");

        env.cypher("MATCH (c:ContentItem {id: $id}) SET c.title = 'edited while the service was down'", Map.of("id", id));
        assertThat(outboxWaiting()).as("the plugin recorded it; nobody has read it").isEqualTo(1);
        TestServers.neo4j().stop();
        TestServers.neo4j().startAgain();
        assertThat(outboxWaiting()).as("the entry is durable").isEqualTo(1);

        service = startService("reverse-sync-restarted");
        await("the entry arrives after the restart", () -> "edited while the service was down".equals(row(id).get("title")));
        assertThat(row(id).get("pg_version")).isEqualTo(pgVersion + 1);
    }

    private ChildService startService(String name) throws Exception {
        ChildService started = ChildService.start(env.environment(), ChildService.logFile(name));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            assertThat(started.isAlive()).as("the service exited; log:%n%s", started.log()).isTrue();
            try {
                JsonNode reverse = JSON.readTree(get("/status", null).body()).get("reverse");
                if (get("/health", null).statusCode() == 200 && reverse != null && !reverse.get("mode").isNull()
                        && "running".equals(reverse.get("state").asText())) {
                    break;
                }
            } catch (ConnectException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("reverse sync was not running within 120 s; log:\n" + started.log());
            }
            Thread.sleep(250);
        }
        env.awaitCaughtUp(Duration.ofSeconds(60));
        return started;
    }

    private String firstContentItem() {
        return env.cypher("MATCH (c:ContentItem) WHERE c.id >= '' AND c.title <> 'made in the graph' RETURN c.id AS id ORDER BY c.id LIMIT 1")
                .get(0).get("id").asString();
    }

    private Map<String, Object> row(String id) throws Exception {
        List<Map<String, Object>> rows = env.query("SELECT title, access_level, pg_version, neo4j_version FROM content_items WHERE id = ?::uuid", id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private long node(String id, String property) {
        return env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c[$p] AS v", Map.of("id", id, "p", property)).get(0).get("v").asLong();
    }

    private long taggedWith(Map<String, Object> pair) {
        return env.cypher("MATCH (:ContentItem {id: $c})-[r:TAGGED_WITH]->(:Tag {id: $t}) RETURN count(r) AS n", pair).get(0).get("n").asLong();
    }

    private long includes(Map<String, Object> ends, String where) {
        return env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c})" + where + " RETURN count(r) AS n", ends)
                .get(0).get("n").asLong();
    }

    /** The last seq the plugin gave out: how many graph transactions it recorded, ever. */
    private long outboxSeq() {
        var rows = env.cypher("MATCH (s:`_SyncOutboxSequence` {name: 'outbox'}) RETURN s.next AS n");
        return rows.isEmpty() ? 0 : rows.get(0).get("n").asLong();
    }

    private long outboxWaiting() {
        return env.cypher("MATCH (o:`_SyncOutbox`) RETURN count(o) AS n").get(0).get("n").asLong();
    }

    private void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + ARRIVES.toNanos();
        while (!Boolean.TRUE.equals(condition.call())) {
            if (service != null && !service.isAlive()) {
                throw new AssertionError(what + ": the service exited; log:\n" + service.log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + ARRIVES + (service == null ? "" : "; service log:\n" + service.log()));
            }
            Thread.sleep(50);
        }
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
