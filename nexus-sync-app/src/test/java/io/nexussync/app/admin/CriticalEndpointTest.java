package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalTransactions;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.postgres.critical.CriticalStatus;
import io.nexussync.postgres.critical.CriticalStatus.State;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /critical} on the admin API, in front of fakes: who may do what, the answers, the refusals, what /status and /health show. */
@Timeout(60)
class CriticalEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final String SECRET_VALUE = "confidential-title-of-row-7";
    private static final Instant PREPARED = Instant.parse("2026-12-06T10:00:00Z");
    private static final List<String[]> GUARDED = List.of(new String[] {"GET", "/critical/order-7"}, new String[] {"POST", "/critical"},
            new String[] {"GET", "/critical"});

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeCritical critical = new FakeCritical();
    private final SyncProgress progress = new SyncProgress();
    private AdminServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldNeedTheTokenForEveryCriticalCallAndShowOnlyCountsInStatus() throws Exception {
        start(TOKEN);
        for (String[] call : GUARDED) {
            String body = call[0].equals("POST") ? "{\"statements\": [\"UPDATE t SET v = 1\"]}" : null;
            for (String presented : new String[] {null, "wrong-token-0123456789abcdef"}) {
                HttpResponse<String> response = send(call[0], call[1], body, presented);
                assertThat(response.statusCode()).as(call[0] + " " + call[1] + " with " + presented).isEqualTo(401);
            }
        }
        assertThat(critical.calls).isEmpty();

        HttpResponse<String> status = send("GET", "/status", null, null);
        assertThat(status.statusCode()).isEqualTo(200);
        JsonNode view = JSON.readTree(status.body()).get("critical");
        assertThat(view.get("prepared").asInt()).as("/status %s", status.body()).isEqualTo(2);
        assertThat(view.get("oldestPreparedAgeSeconds").asDouble()).isEqualTo(12.5);
        assertThat(status.body()).doesNotContain("order-7");
    }

    @Test
    void shouldRefuseEveryCriticalCallWhenNoTokenIsConfigured() throws Exception {
        start(null);
        for (String[] call : GUARDED) {
            HttpResponse<String> response = send(call[0], call[1], call[0].equals("POST") ? "{}" : null, TOKEN);
            assertThat(response.statusCode()).as(call[0] + " " + call[1]).isEqualTo(403);
        }
        assertThat(critical.calls).isEmpty();
    }

    @Test
    void shouldAnswerWhatBecameOfACriticalWriteAnd404OneNobodyKnows() throws Exception {
        start(TOKEN);
        critical.statuses.put("order-7", status("order-7", State.ROLLED_BACK, "the graph refused it: a uniqueness constraint"));
        critical.statuses.put("nexus_sync:order-8", status("order-8", State.PENDING, null));

        HttpResponse<String> rolledBack = send("GET", "/critical/order-7", null, TOKEN);
        assertThat(rolledBack.statusCode()).isEqualTo(200);
        JsonNode view = JSON.readTree(rolledBack.body());
        assertThat(view.get("state").asText()).isEqualTo("rolled_back");
        assertThat(view.get("reason").asText()).isEqualTo("the graph refused it: a uniqueness constraint");
        assertThat(view.get("gid").asText()).isEqualTo("nexus_sync:order-7");
        assertThat(view.get("preparedAt").asText()).isEqualTo("2026-12-06T10:00:00Z");
        HttpResponse<String> withPrefix = send("GET", "/critical/nexus_sync:order-8", null, TOKEN);
        assertThat(withPrefix.statusCode()).as("the id as prepared, prefix and all").isEqualTo(200);
        assertThat(JSON.readTree(withPrefix.body()).get("state").asText()).isEqualTo("pending");

        HttpResponse<String> unknown = send("GET", "/critical/never", null, TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("state").asText()).isEqualTo("unknown");
        assertThat(error(unknown)).startsWith("no critical write 'never' is known");

        HttpResponse<String> notAnId = send("GET", "/critical/two%20words", null, TOKEN);
        assertThat(notAnId.statusCode()).isEqualTo(400);
        assertThat(error(notAnId)).contains("is not a critical transaction id");
        assertThat(send("DELETE", "/critical", null, TOKEN).statusCode()).as("GET and POST only").isEqualTo(405);
        assertThat(send("GET", "/critical/a/b", null, TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldListThePreparedFirstThenTheNewestFinishedAsTheOperationsOrderThem() throws Exception {
        start(TOKEN);
        critical.recent.add(status("order-9", State.PENDING, null));
        critical.recent.add(status("order-8", State.ROLLED_BACK, "the graph refused it"));
        critical.recent.add(status("order-7", State.COMMITTED, null));

        HttpResponse<String> all = send("GET", "/critical", null, TOKEN);
        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        JsonNode list = JSON.readTree(all.body());
        assertThat(list.size()).isEqualTo(3);
        assertThat(list.get(0).get("id").asText()).isEqualTo("order-9");
        assertThat(list.get(0).get("state").asText()).isEqualTo("pending");
        assertThat(list.get(1).get("reason").asText()).isEqualTo("the graph refused it");
        assertThat(list.get(2).get("gid").asText()).isEqualTo("nexus_sync:order-7");

        assertThat(JSON.readTree(send("GET", "/critical?limit=2", null, TOKEN).body()).size()).isEqualTo(2);
        assertThat(critical.calls).containsExactly("recent " + CriticalEndpoint.DEFAULT_LIMIT, "recent 2");
        for (String limit : new String[] {"0", "501", "many", ""}) {
            HttpResponse<String> refused = send("GET", "/critical?limit=" + limit, null, TOKEN);
            assertThat(refused.statusCode()).as("limit=" + limit).isEqualTo(400);
            assertThat(error(refused)).as("limit=" + limit).contains("limit must be a whole number from 1 to 500");
        }
        assertThat(critical.calls).hasSize(2);
    }

    @Test
    void shouldRunTheStatementsAndAnswer200WithTheOutcomeOr202WhilePending() throws Exception {
        start(TOKEN);
        critical.outcome = State.COMMITTED;

        HttpResponse<String> committed = send("POST", "/critical",
                "{\"statements\": [\"UPDATE content_items SET access_level = 'private' WHERE id = 7\"], \"id\": \"order-9\", \"waitSeconds\": 2.5}", TOKEN);
        assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
        assertThat(JSON.readTree(committed.body()).get("state").asText()).isEqualTo("committed");
        assertThat(JSON.readTree(committed.body()).get("id").asText()).isEqualTo("order-9");

        critical.outcome = State.PENDING;
        HttpResponse<String> pending = send("POST", "/critical", "{\"statements\": [\"DELETE FROM content_items WHERE id = 8\", \"SELECT 1\"]}", TOKEN);
        assertThat(pending.statusCode()).isEqualTo(202);
        String id = JSON.readTree(pending.body()).get("id").asText();
        assertThat(pending.headers().firstValue("Location")).hasValue("/critical/" + id);

        assertThat(critical.calls).containsExactly(
                "run [UPDATE content_items SET access_level = 'private' WHERE id = 7] as order-9 waiting PT2.5S",
                "run [DELETE FROM content_items WHERE id = 8, SELECT 1] as null waiting PT10S");
    }

    @Test
    void shouldSayWhatIsWrongWithARequest() throws Exception {
        start(TOKEN);

        HttpResponse<String> none = send("POST", "/critical", "{\"id\": \"x\"}", TOKEN);
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(error(none)).contains("\"statements\"");
        assertThat(send("POST", "/critical", "{\"statements\": []}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/critical", "{\"statements\": \"UPDATE t SET v = 1\"}", TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> notText = send("POST", "/critical", "{\"statements\": [\"SELECT 1\", 2]}", TOKEN);
        assertThat(notText.statusCode()).isEqualTo(400);
        assertThat(error(notText)).contains("a list of SQL statements");
        HttpResponse<String> tooLong = send("POST", "/critical", "{\"statements\": [\"SELECT 1\"], \"waitSeconds\": 3600}", TOKEN);
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(error(tooLong)).contains("\"waitSeconds\" must be a number from 0 to 30");
        assertThat(send("POST", "/critical", "{\"statements\": [\"SELECT 1\"], \"waitSeconds\": \"soon\"}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/critical", "{\"statements\": [\"SELECT 1\"], \"id\": 5}", TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> badId = send("POST", "/critical", "{\"statements\": [\"SELECT 1\"], \"id\": \"a b\"}", TOKEN);
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(error(badId)).contains("is not a critical transaction id");
        assertThat(critical.calls).isEmpty();
    }

    @Test
    void shouldNameARefusedStatementByIndexAndSqlStateNeverByPostgresqlsText() throws Exception {
        start(TOKEN);
        // As PgCriticalRunner refuses one: PostgreSQL's text in the full message only, no cause.
        critical.failure = SyncException.rejected(new ErrorText("statements[1] (of 2) was refused by PostgreSQL (SQLState 22P02); the transaction "
                + "was rolled back and nothing was prepared as nexus_sync:order-10: ERROR: invalid input syntax for type integer: \"" + SECRET_VALUE + "\"",
                "statements[1] (of 2) was refused by PostgreSQL (SQLState 22P02); the transaction was rolled back and nothing was prepared as "
                        + "nexus_sync:order-10 (PostgreSQL's message is in the service log)"), null);

        HttpResponse<String> refused = send("POST", "/critical", "{\"statements\": [\"SELECT 1\", \"SELECT 'x'::int\"], \"id\": \"order-10\"}", TOKEN);

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(error(refused)).contains("statements[1] (of 2)").contains("SQLState 22P02").contains("rolled back");
        assertThat(refused.body()).doesNotContain(SECRET_VALUE).doesNotContain("invalid input syntax");

        // Any other failure with PostgreSQL behind it: the SQLState only.
        critical.failure = SyncException.persistent("PostgreSQL failed during preparing (SQLState 42P01: relation \"" + SECRET_VALUE + "\" does not exist)",
                new SQLException("ERROR: relation \"" + SECRET_VALUE + "\" does not exist", "42P01"));
        HttpResponse<String> failed = send("POST", "/critical", "{\"statements\": [\"SELECT 1\"]}", TOKEN);
        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(error(failed)).contains("SQLState 42P01").contains("service log");
        assertThat(failed.body()).doesNotContain(SECRET_VALUE);
    }

    /** A long wait for the outcome outlasts the admin API's idle timeout between requests: the answer must still come. */
    @Test
    void shouldAnswerAfterAWaitLongerThanTheConnectionsIdleTimeout() throws Exception {
        start(TOKEN);
        critical.outcome = State.COMMITTED;
        critical.takes = AdminServer.READ_TIMEOUT.plusSeconds(2);

        HttpResponse<String> committed = send("POST", "/critical", "{\"statements\": [\"SELECT 1\"], \"waitSeconds\": 15}", TOKEN);

        assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
    }

    @Test
    void shouldMakeHealthDegradedWhileACriticalWriteIsPreparedPastTheAlertAge() throws Exception {
        start(TOKEN);
        progress.stateChanged(ServiceState.STREAMING, null);
        assertThat(send("GET", "/health", null, null).statusCode()).isEqualTo(200);

        critical.alerts = List.of("1 critical write is prepared in PostgreSQL, the oldest for 75 s (critical.alert-age is 60 s)");
        HttpResponse<String> health = send("GET", "/health", null, null);

        assertThat(health.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(health.body());
        assertThat(body.get("status").asText()).isEqualTo("degraded");
        assertThat(body.get("live").asBoolean()).as("nothing a restart would fix").isTrue();
        assertThat(body.get("reason").asText()).contains("the oldest for 75 s");
        assertThat(send("GET", "/health/ready", null, null).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
    }

    private void start(String token) {
        server = new AdminServer(AdminSettings.loopback(0, token), progress, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> null, 0, null, null, null, null, critical);
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> response) throws Exception {
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("error")).as(response.body()).isTrue();
        return body.get("error").asText();
    }

    private static CriticalStatus status(String id, State state, String reason) {
        return new CriticalStatus(id, CriticalTransactions.gidOf(id), state, state == State.PENDING ? null : state == State.COMMITTED
                ? CriticalDecision.Outcome.COMMIT : CriticalDecision.Outcome.ROLLBACK, reason, "stream", PREPARED, null, null, null);
    }

    private static final class FakeCritical implements CriticalEndpoint.Operations {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final Map<String, CriticalStatus> statuses = new LinkedHashMap<>();
        volatile State outcome = State.COMMITTED;
        volatile SyncException failure;
        volatile Duration takes = Duration.ZERO;
        volatile List<String> alerts = List.of();
        final List<CriticalStatus> recent = new ArrayList<>();

        @Override
        public CriticalStatus status(String id) {
            String gid = CriticalTransactions.gidOf(id);
            CriticalStatus known = statuses.get(id);
            return known != null ? known : new CriticalStatus(CriticalTransactions.idOf(gid), gid, State.UNKNOWN, null, null, null, null, null, null,
                    "it was not prepared (yet)");
        }

        @Override
        public List<CriticalStatus> recent(int limit) {
            calls.add("recent " + limit);
            return recent.subList(0, Math.min(limit, recent.size()));
        }

        @Override
        public CriticalStatus run(List<String> statements, String id, Duration wait) throws InterruptedException {
            String gid = CriticalTransactions.gidOf(id == null ? "generated-0001" : id);
            if (failure != null) {
                throw failure;
            }
            calls.add("run " + statements + " as " + id + " waiting " + wait);
            Thread.sleep(takes.toMillis());
            return CriticalEndpointTest.status(CriticalTransactions.idOf(gid), outcome, null);
        }

        @Override
        public Map<String, Object> state() {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("prepared", 2);
            state.put("oldestPreparedAgeSeconds", 12.5);
            return state;
        }

        @Override
        public List<String> healthReasons() {
            return alerts;
        }
    }
}
