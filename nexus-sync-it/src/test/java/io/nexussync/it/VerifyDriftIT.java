package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.capture.TransactionReader;
import io.nexussync.demo.ContextNexusWorkload;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.ReconciliationRows;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.VerifyAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;

/**
 * The drift test of issue 12, on the real servers with the service as a child JVM: contract data synced by the
 * service, then the graph corrupted behind its back (plain Cypher through the driver, and one cross-reference in
 * PostgreSQL) in every way the issue lists, graph-only data left in place. Verify over the admin API must find each
 * corruption and nothing else; verify with repair gets the service to repair them through the stream, except the
 * broken histories, which wait for a person; a person takes PostgreSQL's side on one and the graph's on the other.
 * Afterwards a dry run finds only what the person kept, the contract check ({@link io.nexussync.it.testkit.GraphEquality},
 * which shares no code with the product) sees only that pair, graph-only values are what they were, and
 * {@code nexus_sync.reconciliation_log} holds exactly one row per finding, each settled and filled in.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class VerifyDriftIT {
    private static final String OPEN_END = "datetime('9999-12-31T00:00:00Z')";
    private static final String CONTENT = "public.content_items";
    private static final String THREADS = "public.threads";
    private static final String MESSAGES = "public.messages";
    private static final String TAGS = "public.tags";
    private static final String CONTENT_TAGS = "public.content_tags";
    private static final String THREAD_CONTENT = "public.thread_content";

    @Test
    void shouldFindEveryCorruptionAndNothingElseRepairItByRuleAndLogEachOnce() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("verify_drift")) {
            env.setup();
            VerifyAdmin admin = VerifyAdmin.configure(env);
            Path log = ChildService.logFile("verify-drift");
            ChildService service = ChildService.start(env.environment(), log);
            try {
                admin.awaitUp(service, Duration.ofSeconds(120));
                env.awaitCaughtUp(Duration.ofSeconds(120));
                run(env, admin, service, log);
            } finally {
                assertThat(service.terminate()).isIn(0, 143);
            }
        }
    }

    private static void run(SyncEnvironment env, VerifyAdmin admin, ChildService service, Path log) throws Exception {
        Rows rows = Rows.insert(env);
        try (ContextNexusWorkload noise = new ContextNexusWorkload(env.config().postgres(), new ContextNexusWorkload.SharedIds(), 12)) {
            noise.seedSample(50, 10, 10);
            for (int i = 0; i < 50; i++) {
                noise.transaction();
            }
        }
        env.awaitCaughtUp(Duration.ofSeconds(60));
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(env.discrepancies()).as("the graph before any corruption").isEmpty();
        assertThat(summary(admin.verify(false, true, Duration.ofMinutes(2))).get("findings")).as("a dry run before any corruption").isEqualTo(0);

        Map<String, Object> graphOnlyBefore = placeGraphOnlyData(env, rows);
        TreeSet<String> expected = corrupt(env, rows);
        Map<String, Object> graphOnlyAfterCorruption = graphOnlyData(env, rows);
        assertThat(graphOnlyAfterCorruption).isEqualTo(graphOnlyBefore);

        // 1. verify: each corruption found, nothing else.
        Map<String, Object> first = admin.verify(false, false, Duration.ofMinutes(2));
        assertThat(ReconciliationRows.findings(env)).as("the logged findings (kind, table, key); service log %s", log).isEqualTo(expected);
        assertThat(summary(first).get("findings")).as("findings of the first verify").isEqualTo(expected.size());
        assertThat(admin.findings(false)).hasSize(expected.size());
        assertThat(ReconciliationRows.all(env)).allSatisfy(row -> assertThat(row.get("status")).isEqualTo("found"));

        // 2. verify with repair: the service repairs by rule through the stream; the histories wait for a person.
        Map<String, Object> second = admin.verify(true, false, Duration.ofMinutes(2));
        assertThat(summary(second).get("findings")).isEqualTo(expected.size());
        ReconciliationRows.awaitRepairsDone(env, service, Duration.ofMinutes(2));
        assertThat(ReconciliationRows.findings(env)).as("verify with repair logs no finding twice").isEqualTo(expected);
        Map<String, Map<String, Object>> byLine = byLine(env);
        for (var row : byLine.entrySet()) {
            boolean history = row.getKey().startsWith("history-several-open") || row.getKey().startsWith("history-inverted");
            assertThat(row.getValue().get("status")).as(row.getKey()).isEqualTo(history ? "waiting" : "repaired");
        }

        // 3. a person decides: PostgreSQL's current row for one pair, the graph's history for the other.
        long severalOpen = id(byLine, "history-several-open " + THREAD_CONTENT + " " + pair(rows.thread1, rows.content[2]));
        long inverted = id(byLine, "history-inverted " + THREAD_CONTENT + " " + pair(rows.thread1, rows.content[3]));
        Map<String, Object> tookPostgres = admin.resolve(severalOpen, "postgres", "the row is right; its history was hand-edited");
        assertThat(tookPostgres.get("status")).isEqualTo("repair-requested");
        assertThat(tookPostgres.get("rule")).isEqualTo("person");
        Map<String, Object> tookGraph = admin.resolve(inverted, "graph", "kept for the audit of the hand edit");
        assertThat(tookGraph.get("status")).isEqualTo("resolved");
        assertThat(tookGraph.get("action")).isEqualTo("none");
        ReconciliationRows.awaitRepairsDone(env, service, Duration.ofMinutes(2));
        env.awaitCaughtUp(Duration.ofSeconds(60));
        env.awaitCaughtUp(Duration.ofSeconds(60));

        // --take postgres replaced the pair's history by its current row: one open version at the row's version.
        List<Record> replaced = env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) RETURN r.version AS v, r.validTo AS to, "
                + "r.position AS p", Map.of("t", rows.thread1, "c", rows.content[2]));
        assertThat(replaced).hasSize(1);
        assertThat(replaced.get(0).get("to").asZonedDateTime().getYear()).isEqualTo(9999);
        Map<String, Object> row2 = env.query("SELECT pg_version, position FROM thread_content WHERE thread_id = ?::uuid AND content_id = ?::uuid",
                rows.thread1, rows.content[2]).get(0);
        assertThat(replaced.get(0).get("v").asLong()).isEqualTo((Long) row2.get("pg_version"));
        assertThat(replaced.get(0).get("p").asInt()).isEqualTo((Integer) row2.get("position"));
        // --take graph left the inverted interval as it was.
        assertThat(env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WHERE r.validTo < r.validFrom RETURN count(r) AS n",
                Map.of("t", rows.thread1, "c", rows.content[3])).get(0).get("n").asLong()).isEqualTo(1);

        // 4. verify again (a dry run, so that it logs nothing): only what the person kept.
        Map<String, Object> third = admin.verify(false, true, Duration.ofMinutes(2));
        assertThat(summary(third).get("findings")).as("findings after the repairs; service log %s", log).isEqualTo(1);
        assertThat(summary(third).get("findingsByCheckAndTable")).isEqualTo(Map.of("relationship", Map.of(THREAD_CONTENT, 1)));

        // 5. the independent contract check sees only the kept pair; graph-only data is untouched.
        List<String> problems = env.discrepancies();
        assertThat(problems).as("GraphEquality notices the history a person kept").isNotEmpty();
        assertThat(problems).as("GraphEquality after the repairs: only the kept pair").allSatisfy(p ->
                assertThat(p).contains(rows.thread1).contains(rows.content[3]));
        assertThat(graphOnlyData(env, rows)).as("graph-only properties and RELATED_TO").isEqualTo(graphOnlyBefore);
        assertThat(env.cypher("MATCH (r:`_SyncRepair`) RETURN count(r) AS n").get(0).get("n").asLong())
                .as("the graph-side repairs' records (the unidentified node, the rewritten history)").isGreaterThanOrEqualTo(2);

        // 6. the log: exactly one row per finding, each settled, with what was done, by which rule, by whom, when.
        List<Map<String, Object>> logged = ReconciliationRows.all(env);
        assertThat(logged).hasSize(expected.size());
        for (Map<String, Object> row : logged) {
            String line = ReconciliationRows.line(row);
            assertThat(row.get("checked_at")).as("detected_at of %s", line).isNotNull();
            assertThat(row.get("settled_at")).as("settled_at of %s", line).isNotNull();
            assertThat(row.get("decided_by")).as("decided_by of %s", line).isEqualTo("admin-api");
            assertThat(row.get("rule")).as("rule of %s", line).isEqualTo(expectedRule((String) row.get("finding"), line, severalOpen, inverted,
                    (Long) row.get("id")));
            assertThat(row.get("action")).as("action of %s", line).isEqualTo(expectedAction((String) row.get("finding"), (Long) row.get("id"),
                    severalOpen, inverted));
            assertThat(row.get("status")).as("status of %s", line).isEqualTo((Long) row.get("id") == inverted ? "resolved" : "repaired");
        }
    }

    private static String expectedRule(String finding, String line, long severalOpen, long inverted, long id) {
        if (id == severalOpen || id == inverted) {
            return "person";
        }
        switch (finding) {
            case "node-stray":
            case "node-unidentified":
            case "relationship-extra":
            case "history-open-after-delete":
                return "postgres-owns-existence";
            case "pg-id-differs":
            case "cross-reference-differs":
                return "postgres-owns-references";
            default:
                return "postgres-owns-core-data";
        }
    }

    private static String expectedAction(String finding, long id, long severalOpen, long inverted) {
        if (id == severalOpen) {
            return "rewrite-history";
        }
        if (id == inverted) {
            return "none";
        }
        switch (finding) {
            case "node-stray":
            case "relationship-extra":
            case "history-open-after-delete":
                return "delete-from-graph";
            case "node-unidentified":
                return "delete-unidentified";
            default:
                return "refresh-from-row";
        }
    }

    /** The contract rows the corruptions work on, each used for one corruption only, so that each gives one finding. */
    private static final class Rows {
        final String tenant = UUID.randomUUID().toString();
        String thread1;
        String thread2;
        String thread3;
        final String[] content = new String[7];
        final String[] message = new String[6];
        final String[] tag = new String[6];

        static Rows insert(SyncEnvironment env) throws Exception {
            Rows r = new Rows();
            r.thread1 = r.insertReturningId(env, "INSERT INTO threads (tenant_id, project_id, title) VALUES (?::uuid, ?::uuid, 'drift one') RETURNING id");
            r.thread2 = r.insertReturningId(env, "INSERT INTO threads (tenant_id, project_id, title) VALUES (?::uuid, ?::uuid, 'drift two') RETURNING id");
            r.thread3 = r.insertReturningId(env, "INSERT INTO threads (tenant_id, project_id, title) VALUES (?::uuid, ?::uuid, 'drift three') RETURNING id");
            for (int i = 0; i < r.content.length; i++) {
                r.content[i] = r.insertReturningId(env, "INSERT INTO content_items (tenant_id, project_id, title, body) VALUES (?::uuid, ?::uuid, 'drift "
                        + i + "', 'body " + i + "') RETURNING id");
            }
            for (int i = 0; i < r.message.length; i++) {
                // message 1 has no token_count: its node must not have the property
                r.message[i] = env.query("INSERT INTO messages (thread_id, tenant_id, role, body, token_count) VALUES (?::uuid, ?::uuid, 'user', 'hi', "
                        + (i == 1 ? "NULL" : Integer.toString(10 + i)) + ") RETURNING id::text AS id", r.thread1, r.tenant).get(0).get("id").toString();
            }
            for (int i = 0; i < r.tag.length; i++) {
                r.tag[i] = env.query("INSERT INTO tags (tenant_id, name) VALUES (?::uuid, ?) RETURNING id::text AS id", r.tenant, "drift-tag-" + i)
                        .get(0).get("id").toString();
            }
            for (int i = 0; i < 3; i++) {
                env.sql("INSERT INTO content_tags (content_id, tag_id, weight) VALUES (?::uuid, ?::uuid, 0.5)", r.content[i], r.tag[i]);
            }
            for (int i = 0; i < 5; i++) {
                env.sql("INSERT INTO thread_content (thread_id, content_id, position) VALUES (?::uuid, ?::uuid, ?)", r.thread1, r.content[i], i);
            }
            // Two versions for the pairs whose history is broken, the second in a transaction of its own.
            env.sql("UPDATE thread_content SET position = 20 WHERE thread_id = ?::uuid AND content_id = ?::uuid", r.thread1, r.content[2]);
            env.sql("UPDATE thread_content SET position = 30 WHERE thread_id = ?::uuid AND content_id = ?::uuid", r.thread1, r.content[3]);
            // A row deleted: its version is closed by the stream (and reopened below behind the service's back).
            env.sql("DELETE FROM thread_content WHERE thread_id = ?::uuid AND content_id = ?::uuid", r.thread1, r.content[4]);
            return r;
        }

        private String insertReturningId(SyncEnvironment env, String sql) throws Exception {
            return env.query(sql.replace("RETURNING id", "RETURNING id::text AS id"), tenant, tenant).get(0).get("id").toString();
        }
    }

    /** Graph-only properties and RELATED_TO, written as graph analytics would; returns their values. */
    private static Map<String, Object> placeGraphOnlyData(SyncEnvironment env, Rows rows) {
        for (int i = 0; i < rows.content.length; i++) {
            env.cypher("MATCH (c:ContentItem {id: $id}) SET c.relevanceWeight = $w", Map.of("id", rows.content[i], "w", 0.1 + i / 10.0));
        }
        for (int i = 0; i < rows.tag.length; i++) {
            env.cypher("MATCH (t:Tag {id: $id}) SET t.centrality = $w", Map.of("id", rows.tag[i], "w", 0.25 + i));
        }
        env.cypher("MATCH (a:ContentItem {id: $a}), (b:ContentItem {id: $b}) CREATE (a)-[:RELATED_TO {strength: 0.9}]->(b)",
                Map.of("a", rows.content[0], "b", rows.content[1]));
        env.cypher("MATCH (a:ContentItem {id: $a}), (b:ContentItem {id: $b}) CREATE (a)-[:RELATED_TO {strength: 0.3}]->(b)",
                Map.of("a", rows.content[2], "b", rows.content[3]));
        return graphOnlyData(env, rows);
    }

    private static Map<String, Object> graphOnlyData(SyncEnvironment env, Rows rows) {
        Map<String, Object> values = new HashMap<>();
        for (String id : rows.content) {
            values.put("relevanceWeight " + id, env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.relevanceWeight AS w", Map.of("id", id))
                    .stream().map(r -> r.get("w").asObject()).toList());
        }
        // tag 4 is deleted by the corruption (and re-created by the repair without graph-only data): not compared
        for (int i = 0; i < rows.tag.length; i++) {
            if (i != 4) {
                values.put("centrality " + rows.tag[i], env.cypher("MATCH (t:Tag {id: $id}) RETURN t.centrality AS w", Map.of("id", rows.tag[i]))
                        .stream().map(r -> r.get("w").asObject()).toList());
            }
        }
        values.put("RELATED_TO", new TreeSet<>(env.cypher("MATCH (a:ContentItem)-[r:RELATED_TO]->(b:ContentItem) RETURN a.id + '->' + b.id + ' ' + "
                + "toString(r.strength) AS k").stream().map(r -> r.get("k").asString()).toList()));
        return values;
    }

    /** Every corruption of the list; returns the findings each must give, as {@code kind table key}. */
    private static TreeSet<String> corrupt(SyncEnvironment env, Rows rows) throws Exception {
        List<String> expected = new ArrayList<>();
        // entity existence
        env.cypher("MATCH (m:Message {id: $id}) DETACH DELETE m", Map.of("id", rows.message[5]));
        expected.add("node-missing " + MESSAGES + " " + rows.message[5]);
        env.cypher("MATCH (t:Tag {id: $id}) DETACH DELETE t", Map.of("id", rows.tag[4]));
        expected.add("node-missing " + TAGS + " " + rows.tag[4]);
        String strayWithPgId = UUID.randomUUID().toString();
        env.cypher("CREATE (:Tag {id: $id, pgId: $id, name: 'stray', tenantId: $tenant})", Map.of("id", strayWithPgId, "tenant", rows.tenant));
        expected.add("node-stray " + TAGS + " " + strayWithPgId);
        String strayWithoutPgId = UUID.randomUUID().toString();
        env.cypher("CREATE (:Tag {id: $id, name: 'stray without pgId'})", Map.of("id", strayWithoutPgId));
        expected.add("node-stray " + TAGS + " " + strayWithoutPgId);
        String unidentified = env.cypher("CREATE (c:ContentItem {title: 'no identity at all'}) RETURN elementId(c) AS e").get(0).get("e").asString();
        expected.add("node-unidentified " + CONTENT + " " + unidentified);
        // attribute consistency
        env.cypher("MATCH (c:ContentItem {id: $id}) SET c.title = 'changed behind the service'", Map.of("id", rows.content[0]));
        expected.add("property-differs " + CONTENT + " " + rows.content[0]);
        env.cypher("MATCH (t:Thread {id: $id}) REMOVE t.status", Map.of("id", rows.thread3));
        expected.add("property-missing " + THREADS + " " + rows.thread3);
        env.cypher("MATCH (m:Message {id: $id}) SET m.tokenCount = 5", Map.of("id", rows.message[1]));
        expected.add("property-extra " + MESSAGES + " " + rows.message[1]);
        env.cypher("MATCH (c:ContentItem {id: $id}) SET c.body = 'a PG-only column'", Map.of("id", rows.content[1]));
        expected.add("property-extra " + CONTENT + " " + rows.content[1]);
        // reference integrity, both ways
        env.cypher("MATCH (c:ContentItem {id: $id}) SET c.pgId = $other", Map.of("id", rows.content[2], "other", UUID.randomUUID().toString()));
        expected.add("pg-id-differs " + CONTENT + " " + rows.content[2]);
        String otherElementId = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN elementId(c) AS e", Map.of("id", rows.content[4])).get(0).get("e").asString();
        // As a restore would leave it: in a transaction the stream drops as the service's own write-back echo (a plain UPDATE
        // comes through the stream, and the write-back after it puts the right elementId back at once). The version trigger
        // leaves pg_version alone for a neo4j_node_id change.
        try (var c = env.connect(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SELECT pg_logical_emit_message(true, '" + TransactionReader.ECHO_PREFIX + "', '')");
            SyncEnvironment.execute(c, "UPDATE content_items SET neo4j_node_id = ? WHERE id = ?::uuid", otherElementId, rows.content[3]);
            c.commit();
        }
        expected.add("cross-reference-differs " + CONTENT + " " + rows.content[3]);
        env.cypher("MATCH (t:Tag {id: $id}) WITH t, properties(t) AS p DETACH DELETE t CREATE (n:Tag) SET n = p", Map.of("id", rows.tag[5]));
        expected.add("cross-reference-differs " + TAGS + " " + rows.tag[5]);
        // foreign-key relationships (HAS_MESSAGE)
        env.cypher("MATCH (:Thread)-[r:HAS_MESSAGE]->(:Message {id: $id}) DELETE r", Map.of("id", rows.message[2]));
        expected.add("link-missing " + MESSAGES + " " + rows.message[2]);
        env.cypher("MATCH (t:Thread)-[:HAS_MESSAGE]->(m:Message {id: $id}) CREATE (t)-[:HAS_MESSAGE]->(m)", Map.of("id", rows.message[3]));
        expected.add("link-duplicated " + MESSAGES + " " + rows.message[3]);
        env.cypher("MATCH (t:Thread {id: $t}), (m:Message {id: $id}) CREATE (t)-[:HAS_MESSAGE]->(m)", Map.of("t", rows.thread2, "id", rows.message[4]));
        expected.add("link-extra " + MESSAGES + " " + rows.message[4]);
        // join-table relationships (TAGGED_WITH)
        env.cypher("MATCH (:ContentItem {id: $c})-[r:TAGGED_WITH]->(:Tag {id: $t}) DELETE r", Map.of("c", rows.content[0], "t", rows.tag[0]));
        expected.add("relationship-missing " + CONTENT_TAGS + " " + pair(rows.content[0], rows.tag[0]));
        env.cypher("MATCH (c:ContentItem {id: $c})-[r:TAGGED_WITH]->(t:Tag {id: $t}) CREATE (c)-[d:TAGGED_WITH]->(t) SET d = properties(r)",
                Map.of("c", rows.content[1], "t", rows.tag[1]));
        expected.add("relationship-duplicated " + CONTENT_TAGS + " " + pair(rows.content[1], rows.tag[1]));
        env.cypher("MATCH (:ContentItem {id: $c})-[r:TAGGED_WITH]->(:Tag {id: $t}) SET r.weight = 99.0", Map.of("c", rows.content[2], "t", rows.tag[2]));
        expected.add("relationship-property-differs " + CONTENT_TAGS + " " + pair(rows.content[2], rows.tag[2]));
        env.cypher("MATCH (c:ContentItem {id: $c}), (t:Tag {id: $t}) CREATE (c)-[:TAGGED_WITH {weight: 1.0, pgVersion: 1}]->(t)",
                Map.of("c", rows.content[3], "t", rows.tag[3]));
        expected.add("relationship-extra " + CONTENT_TAGS + " " + pair(rows.content[3], rows.tag[3]));
        // temporal relationships (INCLUDES): the current version and the history
        env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) DELETE r", Map.of("t", rows.thread1, "c", rows.content[0]));
        expected.add("relationship-missing " + THREAD_CONTENT + " " + pair(rows.thread1, rows.content[0]));
        env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WHERE r.validTo = " + OPEN_END + " SET r.relevanceScore = 42.0",
                Map.of("t", rows.thread1, "c", rows.content[1]));
        expected.add("relationship-property-differs " + THREAD_CONTENT + " " + pair(rows.thread1, rows.content[1]));
        env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WITH r ORDER BY r.validFrom LIMIT 1 SET r.validTo = " + OPEN_END,
                Map.of("t", rows.thread1, "c", rows.content[2]));
        expected.add("history-several-open " + THREAD_CONTENT + " " + pair(rows.thread1, rows.content[2]));
        env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WITH r ORDER BY r.validFrom LIMIT 1 "
                + "SET r.validTo = r.validFrom - duration('P1D')", Map.of("t", rows.thread1, "c", rows.content[3]));
        expected.add("history-inverted " + THREAD_CONTENT + " " + pair(rows.thread1, rows.content[3]));
        env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) SET r.validTo = " + OPEN_END,
                Map.of("t", rows.thread1, "c", rows.content[4]));
        expected.add("history-open-after-delete " + THREAD_CONTENT + " " + pair(rows.thread1, rows.content[4]));
        env.cypher("MATCH (t:Thread {id: $t}), (c:ContentItem {id: $c}) CREATE (t)-[:INCLUDES {validFrom: datetime() - duration('PT1H'), validTo: "
                + OPEN_END + ", version: 1, relevanceScore: 0.0, position: 7, addedAt: datetime() - duration('PT1H')}]->(c)",
                Map.of("t", rows.thread2, "c", rows.content[6]));
        expected.add("history-open-after-delete " + THREAD_CONTENT + " " + pair(rows.thread2, rows.content[6]));
        assertThat(expected).doesNotHaveDuplicates();
        return new TreeSet<>(expected);
    }

    private static String pair(String from, String to) {
        return "(" + from + ")->(" + to + ")";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(Map<String, Object> last) {
        return (Map<String, Object>) last.get("summary");
    }

    private static Map<String, Map<String, Object>> byLine(SyncEnvironment env) throws Exception {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        for (Map<String, Object> row : ReconciliationRows.all(env)) {
            rows.put(ReconciliationRows.line(row), row);
        }
        return rows;
    }

    private static long id(Map<String, Map<String, Object>> byLine, String line) {
        assertThat(byLine).containsKey(line);
        return (Long) byLine.get(line).get("id");
    }
}
