package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep.DeleteUnidentifiedNodes;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.ParentRow;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.VerifyGraph.GraphNode;
import io.nexussync.core.verify.VerifyGraph.GraphPair;
import io.nexussync.core.verify.VerifyGraph.GraphScan;
import io.nexussync.core.verify.VerifyGraph.UnidentifiedNode;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.neo4j.Neo4jVerifyGraph;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.Plan;

/**
 * Verify's graph side on the real Neo4j: scans in key order (the order of code points, not of numbers), served by the
 * identity's index and streamed; parents and relationship histories whole, duplicates included; what has no identity;
 * the repair's own writes (its record, the deletion of unidentified nodes, the refresh that removes duplicate links).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Neo4jVerifyGraphIT {
    private static final Mapping MAPPING = MappingLoader.builtIn();
    private static final NodeMapping CONTENT_ITEMS = MAPPING.node(TableId.parse("content_items")).orElseThrow();
    private static final NodeMapping MESSAGES = MAPPING.node(TableId.parse("messages")).orElseThrow();
    private static final RelationshipMapping INCLUDES = MAPPING.relationship(TableId.parse("thread_content")).orElseThrow();
    private static final String OPEN = "datetime('9999-12-31T00:00:00Z')";

    private SyncEnvironment env;
    private Neo4jVerifyGraph graph;
    private Neo4jGraphWriter writer;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("neo4j_verify_graph");
        Neo4jSchema.ensureConstraints(env.driver(), null, MAPPING);
        graph = new Neo4jVerifyGraph(env.driver(), null);
        writer = new Neo4jGraphWriter(env.driver(), null, "neo4j_verify_graph_slot");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @BeforeEach
    void emptyGraph() {
        env.cypher("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS");
    }

    @Test
    void shouldScanNodesInCodePointOrderFromTheIndexWithEveryPropertyAsPlainJava() {
        List<String> ids = List.of("9", "10", "100", "1", "a", "B", "\uFFFF", "\uD83D\uDE00");
        env.cypher("UNWIND $ids AS id CREATE (:ContentItem {id: id, pgId: id})", Map.of("ids", ids));
        env.cypher("CREATE (:ContentItem {title: 'no identity'}), (:ContentItem {id: 7, title: 'an identity no row can have'})");
        env.cypher("MATCH (c:ContentItem {id: '9'}) SET c.createdAt = datetime('2026-01-02T03:04:05.123456Z'), c.day = date('2026-01-02'), "
                + "c.score = 1.5, c.views = 3, c.open = true, c.tags = ['x', 'y'], c.wait = duration('P1DT2H'), c.at = point({x: 1, y: 2})");

        List<GraphNode> scanned = new ArrayList<>();
        try (GraphScan<GraphNode> scan = graph.scanNodes(CONTENT_ITEMS)) {
            scan.forEachRemaining(scanned::add);
        }

        List<String> expected = new ArrayList<>(ids);
        expected.sort(EntityKeys.ORDER);
        assertThat(scanned).extracting(GraphNode::id).as("code point order: \"10\" before \"9\", U+FFFF before U+1F600").containsExactlyElementsOf(expected);
        assertThat(expected).startsWith("1", "10", "100", "9").endsWith("\uFFFF", "\uD83D\uDE00");
        GraphNode nine = scanned.stream().filter(n -> n.id().equals("9")).findFirst().orElseThrow();
        assertThat(nine.elementId()).isEqualTo(env.cypher("MATCH (c:ContentItem {id: '9'}) RETURN elementId(c) AS e").get(0).get("e").asString());
        assertThat(nine.properties().get("createdAt")).isInstanceOf(ZonedDateTime.class);
        assertThat(((ZonedDateTime) nine.properties().get("createdAt")).toInstant()).hasToString("2026-01-02T03:04:05.123456Z");
        assertThat(nine.properties()).containsEntry("day", LocalDate.parse("2026-01-02")).containsEntry("score", 1.5).containsEntry("views", 3L)
                .containsEntry("open", true).containsEntry("tags", List.of("x", "y")).containsEntry("id", "9").containsEntry("pgId", "9");
        assertThat(nine.properties().get("wait")).isInstanceOf(String.class);
        assertThat(nine.properties().get("at")).isInstanceOf(String.class);
        assertThat(nine.parents()).isEmpty();
        assertThat(graph.countNodes(CONTENT_ITEMS)).isEqualTo(10);
    }

    @Test
    void shouldFindNodesWithoutAStringIdentityAndReadNodesByKey() {
        env.cypher("CREATE (:ContentItem {id: '1'}), (:ContentItem {id: '2'}), (:ContentItem {title: 't', pgId: 'x'}), (:ContentItem {id: 7})");

        List<UnidentifiedNode> unidentified = graph.unidentified(CONTENT_ITEMS, 10);

        assertThat(unidentified).extracting(UnidentifiedNode::propertyNames).containsExactlyInAnyOrder(Set.of("title", "pgId"), Set.of("id"));
        assertThat(graph.unidentified(CONTENT_ITEMS, 1)).hasSize(1);
        assertThat(graph.nodes(CONTENT_ITEMS, List.of("2", "missing", "1", "2"))).extracting(GraphNode::id).containsExactly("1", "2");
    }

    @Test
    void shouldGiveEachNodeItsParentsOncePerRelationshipWithNullForAParentWithoutIdentity() {
        env.cypher("CREATE (t:Thread {id: 't1'}), (stray:Thread {title: 'no identity'}), (other:ContentItem {id: 'c'}), "
                + "(m1:Message {id: 'm1'}), (m2:Message {id: 'm2'}), "
                + "(t)-[:HAS_MESSAGE]->(m1), (t)-[:HAS_MESSAGE]->(m1), (stray)-[:HAS_MESSAGE]->(m1), (other)-[:HAS_MESSAGE]->(m1), "
                + "(m1)-[:HAS_MESSAGE]->(t)");

        List<GraphNode> scanned = new ArrayList<>();
        try (GraphScan<GraphNode> scan = graph.scanNodes(MESSAGES)) {
            scan.forEachRemaining(scanned::add);
        }

        assertThat(scanned).extracting(GraphNode::id).containsExactly("m1", "m2");
        assertThat(scanned.get(0).parents()).hasSize(1);
        assertThat(scanned.get(0).parents().get(0)).as("the link's type, direction and parent label only").containsExactlyInAnyOrder("t1", "t1", null);
        assertThat(scanned.get(1).parents()).containsExactly(List.of());
        assertThat(graph.nodes(MESSAGES, List.of("m1")).get(0).parents().get(0)).containsExactlyInAnyOrder("t1", "t1", null);
    }

    @Test
    void shouldScanPairsInKeyOrderWithEveryVersionOfTheirHistory() {
        env.cypher("UNWIND ['9', '10'] AS t CREATE (:Thread {id: t}) WITH count(*) AS done "
                + "UNWIND ['2', '10'] AS c CREATE (:ContentItem {id: c})");
        env.cypher("MATCH (t:Thread), (c:ContentItem) "
                + "CREATE (t)-[:INCLUDES {version: 1, position: 1, validFrom: datetime('2026-01-01T00:00:00Z'), validTo: datetime('2026-01-02T00:00:00Z')}]->(c), "
                + "(t)-[:INCLUDES {version: 2, position: 2, validFrom: datetime('2026-01-02T00:00:00Z'), validTo: " + OPEN + "}]->(c)");
        env.cypher("MATCH (t:Thread {id: '9'}) CREATE (t)-[:INCLUDES {version: 1}]->(:ContentItem {title: 'no identity'}), "
                + "(t)-[:INCLUDES {version: 1}]->(:Tag {id: '2'}), (:Thread {title: 'no identity'})-[:INCLUDES]->(:ContentItem {id: '3'})");
        env.cypher("MATCH (c:ContentItem {id: '2'}), (t:Thread {id: '9'}) CREATE (c)-[:INCLUDES {version: 9}]->(t)");

        List<GraphPair> scanned = new ArrayList<>();
        try (GraphScan<GraphPair> scan = graph.scanRelationships(INCLUDES)) {
            scan.forEachRemaining(scanned::add);
        }

        assertThat(scanned).extracting(GraphPair::key).containsExactly(
                EntityKeys.pair("10", "10"), EntityKeys.pair("10", "2"), EntityKeys.pair("9", "10"), EntityKeys.pair("9", "2"));
        for (GraphPair pair : scanned) {
            assertThat(pair.relationships()).extracting(r -> r.get("version")).containsExactlyInAnyOrder(1L, 2L);
            assertThat(pair.relationships()).allSatisfy(r -> assertThat(r.get("validFrom")).isInstanceOf(ZonedDateTime.class));
        }

        assertThat(graph.pairs(INCLUDES, List.of(EntityKeys.pair("9", "2"), EntityKeys.pair("9", "3"), EntityKeys.pair("2", "9"))))
                .extracting(GraphPair::key).containsExactly(EntityKeys.pair("9", "2"));
        assertThat(graph.pairs(INCLUDES, List.of(EntityKeys.pair("9", "2"))).get(0).relationships()).hasSize(2);
        assertThat(graph.countRelationships(INCLUDES)).as("every version, between the mapped labels, either end without identity too").isEqualTo(10);
    }

    @Test
    void shouldRecordARepairAndDeleteOnlyNodesStillWithoutIdentity() {
        env.cypher("CREATE (:ContentItem {title: 'a'})-[:RELATED_TO]->(:ContentItem {id: 'kept'}), (:ContentItem {title: 'b'}), (:ContentItem {id: 7}), (:Tag {title: 'c'})");
        List<String> found = graph.unidentified(CONTENT_ITEMS, 10).stream().map(UnidentifiedNode::elementId).toList();
        String tag = env.cypher("MATCH (t:Tag) RETURN elementId(t) AS e").get(0).get("e").asString();
        assertThat(found).hasSize(3);
        env.cypher("MATCH (c:ContentItem {title: 'b'}) SET c.id = 'b'");

        assertThat(graph.repairCommitted("repair-1")).isFalse();
        List<String> delete = new ArrayList<>(found);
        delete.add(tag);
        writer.applyRepair(new GraphWritePlan(List.of(new DeleteUnidentifiedNodes(CONTENT_ITEMS, delete)), 1).asRefresh(), "repair-1");

        assertThat(graph.repairCommitted("repair-1")).isTrue();
        assertThat(graph.repairCommitted("repair-2")).isFalse();
        assertThat(env.cypher("MATCH (c:ContentItem) RETURN c.id AS id ORDER BY id")).extracting(r -> r.get("id").asObject())
                .as("the node that gained an identity since, and the identified one, stay").containsExactly("b", "kept");
        assertThat(env.cypher("MATCH (t:Tag) RETURN count(t) AS n").get(0).get("n").asLong()).as("another label is not the step's").isEqualTo(1);
    }

    @Test
    void shouldLeaveOneLinkToTheRightParentInARefreshAndKeepTheStreamedLinkAsItWas() {
        env.cypher("CREATE (t:Thread {id: 't1'}), (old:Thread {id: 't0'}), (stray:Thread {title: 'no identity'}), "
                + "(m1:Message {id: 'm1', pgVersion: 1}), (m2:Message {id: 'm2', pgVersion: 1}), "
                + "(t)-[:HAS_MESSAGE]->(m1), (t)-[:HAS_MESSAGE]->(m1), (t)-[:HAS_MESSAGE]->(m1), (old)-[:HAS_MESSAGE]->(m1), (stray)-[:HAS_MESSAGE]->(m1), "
                + "(t)-[:HAS_MESSAGE]->(m2), (t)-[:HAS_MESSAGE]->(m2), (old)-[:HAS_MESSAGE]->(m2), (stray)-[:HAS_MESSAGE]->(m2)");
        LinkParents link = new LinkParents(MESSAGES, MESSAGES.parentLinks().get(0), List.of(new ParentRow("m1", "t1", 1L)));

        writer.applyRepair(new GraphWritePlan(List.of(link), 1), "streamed");
        assertThat(parentsOf("m1")).as("streamed: the other parent's link goes, duplicates and the link to a parent without identity stay as before")
                .containsExactlyInAnyOrder("t1", "t1", "t1", null);

        writer.applyRepair(new GraphWritePlan(List.of(link, new LinkParents(MESSAGES, MESSAGES.parentLinks().get(0), List.of(new ParentRow("m2", "t1", 1L)))), 2)
                .asRefresh(), "refresh");
        assertThat(parentsOf("m1")).as("refresh: exactly one link, to the right parent").containsExactly("t1");
        assertThat(parentsOf("m2")).containsExactly("t1");
        assertThat(env.cypher("MATCH (t:Thread) RETURN count(t) AS n").get(0).get("n").asLong()).as("only links go, never parents").isEqualTo(3);
    }

    /** The plans of the statements as the scans run them (read from the server while they run: a finished query shows no text). */
    @Test
    void shouldServeBothScansInIndexOrderWithoutASort() {
        env.cypher("UNWIND range(1, 5000) AS i CREATE (:Thread {id: toString(i)})-[:INCLUDES {version: 1}]->(:ContentItem {id: toString(i)})");

        String nodeQuery;
        try (GraphScan<GraphNode> scan = graph.scanNodes(CONTENT_ITEMS)) {
            scan.next();
            nodeQuery = runningQuery("MATCH (n:`ContentItem`)");
        }
        String pairQuery;
        try (GraphScan<GraphPair> scan = graph.scanRelationships(INCLUDES)) {
            scan.next();
            pairQuery = runningQuery("MATCH (a:`Thread`)");
        }

        assertThat(operators(nodeQuery)).as("the index gives the order: no sort, no eager step").noneMatch(o -> o.contains("Sort") || o.startsWith("Eager"))
                .anyMatch(o -> o.contains("IndexSeekByRange"));
        assertThat(operators(pairQuery)).as("the start node's index gives the order: a sort by end node within each start node only, nothing eager")
                .noneMatch(o -> o.startsWith("Sort@") || o.startsWith("Top@") || o.startsWith("Eager@")).contains("PartialSort@neo4j").anyMatch(o -> o.contains("IndexSeekByRange"));
    }

    @Test
    void shouldPullAScanLazilyAndEndItsTransactionWhenClosedEarly() {
        int nodes = 100_000;
        env.cypher("UNWIND range(1, $n) AS i CALL { WITH i CREATE (:ContentItem {id: toString(i), title: 'title ' + i, body: 'x'}) } IN TRANSACTIONS OF 20000 ROWS",
                Map.of("n", nodes));

        long started = System.nanoTime();
        String first;
        try (GraphScan<GraphNode> scan = graph.scanNodes(CONTENT_ITEMS)) {
            first = scan.next().id();
            long firstMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(runningQuery("MATCH (n:`ContentItem`)")).as("the scan's transaction is open while the caller iterates").isNotNull();
            long whole = System.nanoTime();
            int count = 1;
            while (scan.hasNext()) {
                scan.next();
                count++;
            }
            long wholeMillis = (System.nanoTime() - whole) / 1_000_000;
            System.out.printf("Neo4jVerifyGraphIT: first of %d nodes after %d ms, the rest in %d ms%n", count, firstMillis, wholeMillis);
            assertThat(count).isEqualTo(nodes);
        }
        assertThat(first).isEqualTo("1");

        try (GraphScan<GraphNode> scan = graph.scanNodes(CONTENT_ITEMS)) {
            scan.next();
        }
        assertThat(openScanTransactions()).as("closing early ends the transaction").isZero();
        env.cypher("MATCH (c:ContentItem {id: '1'}) DETACH DELETE c");
        assertThat(graph.countNodes(CONTENT_ITEMS)).isEqualTo(nodes - 1);
    }

    /** A measurement, not a check: {@code -Dverify.graph.bench=true}. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void measureScanRates() {
        Assumptions.assumeTrue(Boolean.getBoolean("verify.graph.bench"), "a measurement: run with -Dverify.graph.bench=true");
        int threads = 20_000;
        int items = 30_000;
        int perThread = 30;
        env.cypher("UNWIND range(1, $n) AS i CALL { WITH i CREATE (:Thread {id: toString(i), pgId: toString(i), title: 'thread ' + i}) } IN TRANSACTIONS OF 20000 ROWS",
                Map.of("n", threads));
        env.cypher("UNWIND range(1, $n) AS i CALL { WITH i CREATE (:ContentItem {id: toString(i), pgId: toString(i), title: 'item ' + i, viewCount: i}) } IN TRANSACTIONS OF 20000 ROWS",
                Map.of("n", items));
        env.cypher("UNWIND range(1, $n) AS t CALL { WITH t MATCH (a:Thread {id: toString(t)}) UNWIND range(1, $k) AS j "
                + "MATCH (b:ContentItem {id: toString((t * 7919 + j * 104729) % $items + 1)}) "
                + "CREATE (a)-[:INCLUDES {version: 1, position: j, relevanceScore: 0.5, validFrom: datetime('2026-01-01T00:00:00Z'), validTo: " + OPEN + "}]->(b) "
                + "} IN TRANSACTIONS OF 1000 ROWS", Map.of("n", threads, "k", perThread, "items", items));
        long relationships = graph.countRelationships(INCLUDES);

        long started = System.nanoTime();
        long pairs = 0;
        try (GraphScan<GraphPair> scan = graph.scanRelationships(INCLUDES)) {
            while (scan.hasNext()) {
                pairs++;
                scan.next();
            }
        }
        double pairSeconds = (System.nanoTime() - started) / 1e9;
        started = System.nanoTime();
        long nodes = 0;
        try (GraphScan<GraphNode> scan = graph.scanNodes(CONTENT_ITEMS)) {
            while (scan.hasNext()) {
                nodes++;
                scan.next();
            }
        }
        double nodeSeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("Neo4jVerifyGraphIT: %d INCLUDES relationships in %d pairs scanned in %.2f s (%.0f relationships/s); %d nodes in %.2f s (%.0f/s)%n",
                relationships, pairs, pairSeconds, relationships / pairSeconds, nodes, nodeSeconds, nodes / nodeSeconds);
    }

    private List<String> parentsOf(String message) {
        return graph.nodes(MESSAGES, List.of(message)).get(0).parents().get(0);
    }

    /** The text of the scan's query as the server runs it (so the plan checked is the statement's own). */
    private String runningQuery(String startsWith) {
        try (Session session = env.driver().session()) {
            return session.run("SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery STARTS WITH $start RETURN currentQuery",
                    Map.of("start", startsWith)).single().get("currentQuery").asString();
        }
    }

    private long openScanTransactions() {
        try (Session session = env.driver().session()) {
            return session.run("SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery STARTS WITH 'MATCH (n:`ContentItem`)' RETURN count(*) AS n")
                    .single().get("n").asLong();
        }
    }

    private List<String> operators(String query) {
        try (Session session = env.driver().session()) {
            Plan plan = session.run("EXPLAIN " + query).consume().plan();
            System.out.println("Neo4jVerifyGraphIT plan of " + query + ":\n" + describe(plan, ""));
            List<String> operators = new ArrayList<>();
            collect(plan, operators);
            return operators;
        }
    }

    private static void collect(Plan plan, List<String> operators) {
        operators.add(plan.operatorType());
        for (Plan child : plan.children()) {
            collect(child, operators);
        }
    }

    private static String describe(Plan plan, String indent) {
        StringBuilder text = new StringBuilder(indent + plan.operatorType() + " " + plan.arguments().getOrDefault("Details", org.neo4j.driver.Values.NULL) + "\n");
        for (Plan child : plan.children()) {
            text.append(describe(child, indent + "  "));
        }
        return text.toString();
    }
}
