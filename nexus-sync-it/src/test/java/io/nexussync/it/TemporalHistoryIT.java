package io.nexussync.it;

import static io.nexussync.it.testkit.ThreadContentChanges.include;
import static io.nexussync.it.testkit.ThreadContentChanges.remove;
import static io.nexussync.it.testkit.ThreadContentChanges.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.ServiceAdmin;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.ThreadContentAudit;
import io.nexussync.it.testkit.ThreadContentAudit.Item;
import io.nexussync.it.testkit.ThreadContentChanges;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.neo4j.Neo4jTemporalGraph;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.Plan;

/**
 * As-of queries against PostgreSQL's own record of the past: a known sequence of {@code thread_content} changes (inserts,
 * updates of position and relevance, two changes of one row in one transaction, deletes, a re-insert) is written through the
 * running service, while a trigger in the test keeps every row image with its transaction id, whose commit time
 * ({@code track_commit_timestamp} is on in the test servers) is the instant the graph dates the change by. Then every instant
 * just before, at and just after each commit, and between commits, is asked of {@code nexus-sync history thread} (in process)
 * and of {@code GET /history/threads/ID}: each answer must be PostgreSQL's state at that instant, and {@code --changes} the
 * audit's sequence. Also: which plans the documented queries get, with the indexes {@code setup} creates and without.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class TemporalHistoryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the README documents for queries across all threads; each must be served by a relationship index. */
    static final String ALL_VALID_AT = "MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) WHERE r.validFrom <= $at AND $at < r.validTo "
            + "RETURN t.id, c.id, r.position, r.relevanceScore";
    static final String BEGAN_BETWEEN = "MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) WHERE $from <= r.validFrom <= $to "
            + "RETURN t.id, c.id, r.validFrom, r.version ORDER BY r.validFrom";
    static final String ENDED_BETWEEN = "MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) WHERE $from <= r.validTo <= $to "
            + "RETURN t.id, c.id, r.validTo, r.version ORDER BY r.validTo";

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<AdminServer> admin = new AtomicReference<>();
    private SyncEnvironment env;
    private ThreadContentAudit audit;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("temporal_history");
        env.setup();
        audit = ThreadContentAudit.install(env, "history_audit");
        env.startService(UnaryOperator.identity(),
                service -> admin.set(ServiceAdmin.start(service, env.adminSettings(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))));
        env.awaitCaughtUp(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        if (admin.get() != null) {
            admin.get().close();
        }
        env.close();
    }

    @Test
    void shouldAnswerEveryInstantAsPostgresHadItAndTheChangesAsTheAuditRecordedThem() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        ThreadContentChanges.transaction(env, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES ('" + thread + "', '" + thread + "', '" + thread + "', 't'), "
                + "('" + other + "', '" + other + "', '" + other + "', 'o')");
        for (UUID item : List.of(a, b, c)) {
            ThreadContentChanges.transaction(env, "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES ('" + item + "', '" + item + "', '" + item + "', 'c')");
        }
        ThreadContentChanges.transaction(env, include(thread, a, 0.5, 1));
        ThreadContentChanges.transaction(env, include(thread, b, 0.4, 2), include(thread, c, 0.3, 3), include(other, a, 0.7, 1));
        ThreadContentChanges.transaction(env, set(thread, a, "position = 4"));
        ThreadContentChanges.transaction(env, set(thread, b, "relevance_score = 0.9"));
        // Two changes of one row in one transaction: PostgreSQL never showed the first, and neither may the history.
        ThreadContentChanges.transaction(env, set(thread, c, "position = 1, relevance_score = 0.8"), set(thread, c, "position = 0"));
        ThreadContentChanges.transaction(env, set(other, a, "position = 9"));
        ThreadContentChanges.transaction(env, remove(thread, b));
        ThreadContentChanges.transaction(env, include(thread, b, 0.2, 5));
        ThreadContentChanges.transaction(env, remove(thread, a), set(thread, c, "position = 2"));
        // A change of added_at alone.
        ThreadContentChanges.transaction(env, set(thread, b, "added_at = added_at - interval '1 day'"));
        env.awaitCaughtUp(Duration.ofSeconds(60));
        List<ThreadContentAudit.Row> audit = this.audit.rows(thread);
        TreeSet<Instant> commits = new TreeSet<>();
        audit.forEach(row -> commits.add(row.committed()));
        assertThat(commits).as("one commit time per transaction of the thread's rows").hasSize(9);

        List<Instant> instants = new ArrayList<>();
        instants.add(commits.first().minusSeconds(1));
        Instant previous = null;
        for (Instant commit : commits) {
            if (previous != null) {
                instants.add(previous.plus(Duration.between(previous, commit).dividedBy(2)));
            }
            instants.add(commit.minus(1, ChronoUnit.MICROS));
            instants.add(commit);
            instants.add(commit.plus(1, ChronoUnit.MICROS));
            previous = commit;
        }
        for (Instant at : instants) {
            List<String> expected = describe(stateAt(audit, at));
            SyncEnvironment.CliRun cli = env.cli("history", "thread", thread.toString(), "--at", at.toString(), "--json");
            assertThat(cli.exit()).as(cli.err()).isZero();
            assertThat(items(JSON.readTree(cli.out()))).as("history thread --at " + at).isEqualTo(expected);
            assertThat(items(http("/history/threads/" + thread + "?at=" + at))).as("GET /history/threads/ID?at=" + at).isEqualTo(expected);
        }
        // An offset names the same instant; no --at is now.
        Instant last = commits.last();
        String withOffset = OffsetDateTime.ofInstant(last, ZoneOffset.ofHours(1)).toString();
        SyncEnvironment.CliRun offset = env.cli("history", "thread", thread.toString(), "--at", withOffset, "--json");
        assertThat(items(JSON.readTree(offset.out()))).as(offset.err()).isEqualTo(describe(stateAt(audit, last)));
        SyncEnvironment.CliRun now = env.cli("history", "thread", thread.toString(), "--json");
        assertThat(items(JSON.readTree(now.out()))).as(now.err()).isEqualTo(describe(stateAt(audit, Instant.now())));
        SyncEnvironment.CliRun text = env.cli("history", "thread", thread.toString());
        assertThat(text.out()).as(text.err()).contains("(:Thread {id: " + thread + "})-[:INCLUDES]->(:ContentItem) at ", "2 ContentItems", "position=2");

        List<String> allChanges = expectedChanges(audit, commits.first().minusSeconds(1), Instant.now());
        assertThat(allChanges).hasSize(11);
        SyncEnvironment.CliRun changes = env.cli("history", "thread", thread.toString(), "--changes", "--json");
        assertThat(changes.exit()).as(changes.err()).isZero();
        assertThat(changes(JSON.readTree(changes.out()))).as("history thread --changes").isEqualTo(allChanges);
        // A window whose ends are commit times includes the changes at both.
        List<Instant> ordered = new ArrayList<>(commits);
        Instant from = ordered.get(2);
        Instant to = ordered.get(6);
        List<String> window = expectedChanges(audit, from, to);
        assertThat(window).isNotEmpty().allSatisfy(change -> assertThat(change).doesNotStartWith(ordered.get(1).toString()));
        SyncEnvironment.CliRun windowed = env.cli("history", "thread", thread.toString(), "--changes", "--from", from.toString(), "--to", to.toString(), "--json");
        assertThat(changes(JSON.readTree(windowed.out()))).as(windowed.err()).isEqualTo(window);
        assertThat(changes(http("/history/threads/" + thread + "/changes?from=" + from + "&to=" + to))).isEqualTo(window);
        assertThat(changes(http("/history/relationships/public.thread_content/" + thread + "/changes"))).isEqualTo(allChanges);

        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    void shouldServeOneThreadsQueryByItsNodeAndTheQueriesAcrossThreadsByTheIndexesSetupCreates() throws Exception {
        RelationshipMapping includes = MappingLoader.builtIn().relationship(TableId.parse("thread_content")).orElseThrow();
        Map<String, Object> at = Map.of("id", "t", "at", OffsetDateTime.now(ZoneOffset.UTC));
        Map<String, Object> window = Map.of("from", OffsetDateTime.now(ZoneOffset.UTC).minusHours(1), "to", OffsetDateTime.now(ZoneOffset.UTC));
        try (Session session = env.driver().session()) {
            session.run("CALL db.awaitIndexes(60)").consume();
            List<String> indexes = session.run("SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state "
                            + "WHERE name STARTS WITH 'nexus_sync_INCLUDES' RETURN name + ' ' + type + ' ' + entityType + ' ' + state AS line ORDER BY name")
                    .list(r -> r.get("line").asString());
            assertThat(indexes).containsExactly("nexus_sync_INCLUDES_validFrom RANGE RELATIONSHIP ONLINE", "nexus_sync_INCLUDES_validTo RANGE RELATIONSHIP ONLINE");

            String perThread = plan(session, Neo4jTemporalGraph.validAtStatement(includes), at);
            String perThreadChanges = plan(session, Neo4jTemporalGraph.overlappingStatement(includes), Map.of("id", "t", "from", window.get("from"), "to", window.get("to")));
            String allAt = plan(session, ALL_VALID_AT, at);
            String began = plan(session, BEGAN_BETWEEN, window);
            String ended = plan(session, ENDED_BETWEEN, window);
            System.out.printf("plans with the indexes:%n  one thread as of: %s%n  one thread's changes: %s%n  all as of: %s%n  began between: %s%n"
                    + "  ended between: %s%n", perThread, perThreadChanges, allAt, began, ended);
            assertThat(perThread).contains("NodeUniqueIndexSeek", "Expand(All)");
            assertThat(perThreadChanges).contains("NodeUniqueIndexSeek", "Expand(All)");
            assertThat(allAt).contains("RelationshipIndexSeekByRange");
            assertThat(began).contains("RelationshipIndexSeekByRange", "validFrom");
            assertThat(ended).contains("RelationshipIndexSeekByRange", "validTo");

            session.run("DROP INDEX nexus_sync_INCLUDES_validFrom").consume();
            session.run("DROP INDEX nexus_sync_INCLUDES_validTo").consume();
            try {
                String allAtWithout = plan(session, ALL_VALID_AT, at);
                String beganWithout = plan(session, BEGAN_BETWEEN, window);
                System.out.printf("plans without them:%n  all as of: %s%n  began between: %s%n", allAtWithout, beganWithout);
                assertThat(allAtWithout).doesNotContain("RelationshipIndexSeek");
                assertThat(beganWithout).doesNotContain("RelationshipIndexSeek");
                assertThat(plan(session, Neo4jTemporalGraph.validAtStatement(includes), at)).as("one thread's query needs neither")
                        .contains("NodeUniqueIndexSeek", "Expand(All)");
            } finally {
                Neo4jSchema.ensureConstraints(env.driver(), null, MappingLoader.builtIn());
                session.run("CALL db.awaitIndexes(60)").consume();
            }
        }
    }

    /** The operators of the statement's plan, root first, each with its details. */
    private static String plan(Session session, String statement, Map<String, Object> parameters) {
        Plan plan = session.run("EXPLAIN " + statement, parameters).consume().plan();
        List<String> operators = new ArrayList<>();
        collect(plan, operators);
        return String.join(" <- ", operators);
    }

    private static void collect(Plan plan, List<String> operators) {
        Object details = plan.arguments().get("Details");
        operators.add(plan.operatorType().replace("@neo4j", "") + (details == null ? "" : " [" + details.toString().replace("\"", "") + "]"));
        plan.children().forEach(child -> collect(child, operators));
    }

    private static Map<String, Item> stateAt(List<ThreadContentAudit.Row> audit, Instant at) {
        return ThreadContentAudit.stateAt(audit, at);
    }

    /** The contents in the order {@code history thread} promises: by position, then by content item. */
    private static List<String> describe(Map<String, Item> state) {
        return state.values().stream().sorted(Comparator.comparingLong(Item::position).thenComparing(Item::content))
                .map(TemporalHistoryIT::describe).toList();
    }

    private static String describe(Item item) {
        return item.describe();
    }

    private static List<String> items(JsonNode answer) {
        List<String> items = new ArrayList<>();
        for (JsonNode item : answer.get("items")) {
            JsonNode p = item.get("properties");
            items.add(describe(new Item(item.get("endId").asText(), p.get("position").asLong(), p.get("relevanceScore").asDouble(),
                    Instant.parse(p.get("addedAt").asText()), item.get("version").asLong())));
        }
        return items;
    }

    /** The audit's changes in {@code [from, to]}: per transaction, each row's state before it against its state after it. */
    private static List<String> expectedChanges(List<ThreadContentAudit.Row> audit, Instant from, Instant to) {
        TreeSet<Instant> commits = ThreadContentAudit.commits(audit);
        List<String> changes = new ArrayList<>();
        for (Instant commit : commits.subSet(from, true, to, true)) {
            Map<String, Item> before = stateAt(audit, commit.minus(1, ChronoUnit.MICROS));
            Map<String, Item> after = stateAt(audit, commit);
            TreeSet<String> contents = new TreeSet<>(before.keySet());
            contents.addAll(after.keySet());
            for (String content : contents) {
                Item was = before.get(content);
                Item is = after.get(content);
                if (was == null && is != null) {
                    changes.add(commit + " added " + content + " v" + is.version() + " " + values(is));
                } else if (was != null && is == null) {
                    changes.add(commit + " removed " + content + " v" + was.version() + " " + values(was));
                } else if (was != null && was.version() != is.version()) {
                    List<String> changed = new ArrayList<>();
                    if (!Objects.equals(was.addedAt(), is.addedAt())) {
                        changed.add("addedAt " + was.addedAt() + "->" + is.addedAt());
                    }
                    if (was.position() != is.position()) {
                        changed.add("position " + was.position() + "->" + is.position());
                    }
                    if (was.relevance() != is.relevance()) {
                        changed.add("relevanceScore " + was.relevance() + "->" + is.relevance());
                    }
                    changes.add(commit + " changed " + content + " v" + was.version() + "->v" + is.version() + " " + changed);
                }
            }
        }
        return changes;
    }

    private static String values(Item item) {
        return "position=" + item.position() + " relevanceScore=" + item.relevance() + " addedAt=" + item.addedAt();
    }

    private static List<String> changes(JsonNode answer) {
        List<String> changes = new ArrayList<>();
        for (JsonNode change : answer.get("changes")) {
            String head = change.get("time").asText() + " " + change.get("kind").asText() + " " + change.get("endId").asText() + " ";
            if (change.get("kind").asText().equals("changed")) {
                List<String> changed = new ArrayList<>();
                change.get("changed").fields().forEachRemaining(e -> changed.add(e.getKey() + " " + value(e.getKey(), e.getValue().get("before"))
                        + "->" + value(e.getKey(), e.getValue().get("after"))));
                changes.add(head + "v" + change.get("previousVersion").asLong() + "->v" + change.get("version").asLong() + " " + changed);
            } else {
                JsonNode p = change.get("properties");
                changes.add(head + "v" + change.get("version").asLong() + " position=" + p.get("position").asLong() + " relevanceScore="
                        + p.get("relevanceScore").asDouble() + " addedAt=" + Instant.parse(p.get("addedAt").asText()));
            }
        }
        return changes;
    }

    private static String value(String property, JsonNode value) {
        return switch (property) {
            case "addedAt" -> Instant.parse(value.asText()).toString();
            case "position" -> String.valueOf(value.asLong());
            default -> String.valueOf(value.asDouble());
        };
    }

    private JsonNode http(String pathAndQuery) throws Exception {
        String encoded = pathAndQuery.replace("+", URLEncoder.encode("+", StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.get().port() + encoded))
                .header("Authorization", "Bearer " + SyncEnvironment.ADMIN_TOKEN).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(pathAndQuery + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }




}
