package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.demo.ContextNexusWorkload;
import io.nexussync.embedded.FreePort;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.SyncEnvironment;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verify and repair as an operator meets them: the real executable runs on the contract data; {@code POST /verify} runs
 * a verify in the service and {@code GET /verify} shows it agree; a node property changed behind the service's back is
 * found by {@code nexus-sync verify --repair --json} (the real executable, beside the service: exit 3), repaired by the
 * service from the row, and a second verify exits 0; verify's mutations and findings need the admin token.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class VerifyServiceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void shouldVerifyInTheServiceFindACorruptedPropertyRepairItAndRefuseMutationsWithoutTheToken() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("verify_service")) {
            env.setup();
            try (ContextNexusWorkload seeder = new ContextNexusWorkload(env.config().postgres(), new ContextNexusWorkload.SharedIds(), 12)) {
                seeder.seedSample(40, 8, 8);
            }
            int port = FreePort.pick();
            env.environment().put("NEXUS_SYNC_ADMIN_PORT", Integer.toString(port));
            String base = "http://127.0.0.1:" + port;
            Path log = ChildService.logFile("verify-service");
            ChildService service = ChildService.start(env.environment(), log);
            try {
                awaitReady(base + "/health", service);

                for (String[] call : new String[][] {{"POST", "/verify"}, {"POST", "/verify/entity"}, {"GET", "/verify/findings"},
                        {"POST", "/verify/findings/1/resolve"}}) {
                    HttpResponse<String> refused = send(call[0], base + call[1], call[0].equals("POST") ? "{}" : null, null);
                    assertThat(refused.statusCode()).as("no token: %s %s", call[0], call[1]).isEqualTo(401);
                }
                assertThat(env.query("SELECT id FROM nexus_sync.reconciliation_log")).as("nothing logged without the token").isEmpty();

                HttpResponse<String> started = send("POST", base + "/verify", "{}", SyncEnvironment.ADMIN_TOKEN);
                assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
                assertThat(JSON.readTree(started.body()).get("started").asBoolean()).isTrue();
                HttpResponse<String> second = send("POST", base + "/verify", "{}", SyncEnvironment.ADMIN_TOKEN);
                if (second.statusCode() == 409) {
                    assertThat(JSON.readTree(second.body()).get("error").asText()).contains("already running");
                } else {
                    assertThat(second.statusCode()).as("the first run had ended already: %s", second.body()).isEqualTo(202);
                }
                JsonNode done = awaitVerifyEnded(base, service);
                JsonNode summary = done.get("last").get("summary");
                assertThat(summary.get("agrees").asBoolean()).as("GET /verify %s", done).isTrue();
                assertThat(summary.get("entities").asLong()).isPositive();
                assertThat(summary.has("findingList")).as("GET /verify shows counts, never keys").isFalse();
                JsonNode status = JSON.readTree(send("GET", base + "/status", null, null).body());
                assertThat(status.get("verify").get("last").get("summary").get("agrees").asBoolean()).as("/status %s", status).isTrue();

                // Behind the service's back: one content item's title in the graph no longer says what its row does.
                String id = env.cypher("MATCH (c:ContentItem) WITH c ORDER BY c.id LIMIT 1 SET c.title = 'corrupted behind the service' RETURN c.id AS id")
                        .get(0).get("id").asString();
                String title = (String) env.query("SELECT title FROM content_items WHERE id = ?::uuid", id).get(0).get("title");

                ChildService.Command found = ChildService.command(env.environment(), Duration.ofMinutes(4), "verify", "--repair", "--json", "--wait", "90s");
                assertThat(found.exit()).as("verify --repair: %s%n%s", found.out(), found.err()).isEqualTo(3);
                JsonNode report = JSON.readTree(found.out());
                assertThat(report.get("agrees").asBoolean()).isFalse();
                assertThat(report.get("findings").asLong()).as("report %s", report).isEqualTo(1);
                JsonNode finding = report.get("findingList").get(0);
                assertThat(finding.get("kind").asText()).isEqualTo("property-differs");
                assertThat(finding.get("check").asText()).isEqualTo("attribute");
                assertThat(finding.get("table").asText()).isEqualTo("public.content_items");
                assertThat(finding.get("key").asText()).isEqualTo(id);
                assertThat(finding.get("properties").toString()).contains("title");
                assertThat(report.get("findingsByCheckAndTable").get("attribute").get("public.content_items").asLong()).isEqualTo(1);
                assertThat(report.get("repairs").get(0).get("status").asText()).as("report %s", report).isEqualTo("repaired");
                assertThat(env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c.title AS t", Map.of("id", id)).get(0).get("t").asString())
                        .as("the service repaired the title from the row").isEqualTo(title);
                assertThat(env.query("SELECT status FROM nexus_sync.reconciliation_log")).singleElement()
                        .satisfies(row -> assertThat(row).containsEntry("status", "repaired"));

                ChildService.Command again = ChildService.command(env.environment(), Duration.ofMinutes(4), "verify", "--json");
                assertThat(again.exit()).as("the second verify: %s%n%s", again.out(), again.err()).isZero();
                assertThat(JSON.readTree(again.out()).get("agrees").asBoolean()).isTrue();

                cliOnOneEntityAndAPersonsDecision(env, id);

                String metrics = send("GET", base + "/metrics", null, null).body();
                assertThat(metrics).contains("nexus_sync_verify_discrepancies_repaired_total{check=\"attribute\",entity_type=\"public.content_items\"} 1.0")
                        .contains("nexus_sync_verify_last_agrees 1.0").contains("nexus_sync_verify_detection_to_repair_seconds_count 1");
                HttpResponse<String> findings = send("GET", base + "/verify/findings?all=true", null, SyncEnvironment.ADMIN_TOKEN);
                assertThat(findings.statusCode()).isEqualTo(200);
                JsonNode logged = JSON.readTree(findings.body());
                assertThat(logged).extracting(f -> f.get("kind").asText() + " " + f.get("status").asText())
                        .containsExactlyInAnyOrder("property-differs repaired", "history-several-open resolved");
            } finally {
                assertThat(service.terminate()).isIn(0, 143);
            }
        }
    }

    /**
     * The packaged CLI on real servers: verify-entity on a row that agrees (exit 0) and on a pair whose history broke
     * (exit 3); the broken history waits for a person (no rule settles it), `verify findings` lists it, and
     * `verify resolve --take graph` records the decision, by whom and why, without writing the graph.
     */
    private void cliOnOneEntityAndAPersonsDecision(SyncEnvironment env, String agreeingItem) throws Exception {
        ChildService.Command fine = ChildService.command(env.environment(), Duration.ofMinutes(2), "verify-entity", "content_items", agreeingItem, "--json");
        assertThat(fine.exit()).as("verify-entity on a row that agrees: %s%n%s", fine.out(), fine.err()).isZero();

        Map<String, Object> pair = env.query("SELECT thread_id::text AS t, content_id::text AS c FROM thread_content ORDER BY thread_id, content_id LIMIT 1").get(0);
        String shown = "(" + pair.get("t") + ")->(" + pair.get("c") + ")";
        String original = env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WHERE r.validTo = datetime('9999-12-31T00:00:00Z') "
                + "WITH r LIMIT 1 MATCH (a)-[r]->(b) CREATE (a)-[copy:INCLUDES]->(b) SET copy = properties(r) RETURN elementId(r) AS original",
                Map.of("t", pair.get("t"), "c", pair.get("c"))).get(0).get("original").asString();
        long versionsBefore = includesVersions(env, pair);

        ChildService.Command broken = ChildService.command(env.environment(), Duration.ofMinutes(2), "verify-entity", "thread_content", shown,
                "--repair", "--json", "--wait", "20s");
        assertThat(broken.exit()).as("verify-entity on a broken history: %s%n%s", broken.out(), broken.err()).isEqualTo(3);
        JsonNode entityReport = JSON.readTree(broken.out());
        assertThat(entityReport.get("findingList").get(0).get("kind").asText()).isEqualTo("history-several-open");
        assertThat(entityReport.get("findingList").get(0).get("key").asText()).isEqualTo(shown);

        ChildService.Command listed = ChildService.command(env.environment(), Duration.ofMinutes(1), "verify", "findings", "--json");
        assertThat(listed.exit()).as("%s%n%s", listed.out(), listed.err()).isZero();
        JsonNode open = JSON.readTree(listed.out());
        assertThat(open).as("open findings %s", open).hasSize(1);
        assertThat(open.get(0).get("status").asText()).isEqualTo("waiting");
        assertThat(open.get(0).get("rule").asText()).isEqualTo("history-has-no-second-source");
        long findingId = open.get(0).get("id").asLong();

        ChildService.Command wrong = ChildService.command(env.environment(), Duration.ofMinutes(1), "verify", "resolve", "999999", "--take", "graph",
                "--reason", "none");
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.err() + wrong.out()).contains("no open finding #999999", "verify findings");

        ChildService.Command resolved = ChildService.command(env.environment(), Duration.ofMinutes(1), "verify", "resolve", Long.toString(findingId),
                "--take", "graph", "--reason", "the doubled version is what analytics expects", "--by", "ana");
        assertThat(resolved.exit()).as("%s%n%s", resolved.out(), resolved.err()).isZero();
        Map<String, Object> row = env.query("SELECT status, decided_by, reason, rule, settled_at FROM nexus_sync.reconciliation_log WHERE id = ?", findingId).get(0);
        assertThat(row).containsEntry("status", "resolved").containsEntry("decided_by", "ana").containsEntry("rule", "person")
                .containsEntry("reason", "the doubled version is what analytics expects");
        assertThat(row.get("settled_at")).isNotNull();
        assertThat(includesVersions(env, pair)).as("taking the graph's side writes nothing").isEqualTo(versionsBefore);
        // Put the history back as the contract wants it, so the rest of the test sees a graph that agrees.
        env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) WHERE elementId(r) <> $original DELETE r",
                Map.of("t", pair.get("t"), "c", pair.get("c"), "original", original));
    }

    private static long includesVersions(SyncEnvironment env, Map<String, Object> pair) {
        return env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->(:ContentItem {id: $c}) RETURN count(r) AS n", Map.of("t", pair.get("t"), "c", pair.get("c")))
                .get(0).get("n").asLong();
    }

    private JsonNode awaitVerifyEnded(String base, ChildService service) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            assertThat(service.isAlive()).as("the service exited; log:%n%s", service.log()).isTrue();
            JsonNode body = JSON.readTree(send("GET", base + "/verify", null, null).body());
            if (!body.get("running").asBoolean() && !body.get("last").isNull()) {
                assertThat(body.get("last").get("error").isNull()).as("GET /verify %s", body).isTrue();
                return body;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the verify did not end within 3 minutes: " + body + "\nlog:\n" + service.log());
            }
            Thread.sleep(250);
        }
    }

    private void awaitReady(String url, ChildService service) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            assertThat(service.isAlive()).as("the service exited; log:%n%s", service.log()).isTrue();
            try {
                if (send("GET", url, null, null).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the service was not ready within 120 s; log:\n" + service.log());
            }
            Thread.sleep(250);
        }
    }

    private HttpResponse<String> send(String method, String url, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
