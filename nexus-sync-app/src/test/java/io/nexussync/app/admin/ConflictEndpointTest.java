package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.reverse.ConflictLog.LoggedConflict;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.verify.EntityKeys;
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
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /conflicts} on the admin API, in front of a fake log: who may do what, the answers, the refusals. */
@Timeout(60)
class ConflictEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final String SECRET_VALUE = "confidential-title-of-row-7";
    private static final List<String[]> GUARDED = List.of(new String[] {"GET", "/conflicts"}, new String[] {"GET", "/conflicts/5"},
            new String[] {"POST", "/conflicts/5/resolve"});

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeConflicts conflicts = new FakeConflicts();
    private AdminServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldNeedTheTokenForEveryConflictCallAndShowOnlyCountsInStatus() throws Exception {
        start(TOKEN);
        for (String[] call : GUARDED) {
            String body = call[0].equals("POST") ? "{\"take\": \"graph\", \"reason\": \"r\"}" : null;
            for (String presented : new String[] {null, "wrong-token-0123456789abcdef"}) {
                HttpResponse<String> response = send(call[0], call[1], body, presented);
                assertThat(response.statusCode()).as(call[0] + " " + call[1] + " with " + presented).isEqualTo(401);
                assertThat(response.body()).doesNotContain(SECRET_VALUE);
            }
        }
        assertThat(conflicts.calls).isEmpty();

        HttpResponse<String> status = send("GET", "/status", null, null);
        assertThat(status.statusCode()).isEqualTo(200);
        JsonNode reverse = JSON.readTree(status.body()).get("reverse");
        assertThat(reverse.get("mode").asText()).as("/status %s", status.body()).isEqualTo("plugin");
        assertThat(reverse.get("conflictsByEntityAndDecision").get("ContentItem").get("postgres").asLong()).isEqualTo(2);
        assertThat(status.body()).doesNotContain(SECRET_VALUE);
    }

    @Test
    void shouldRefuseEveryConflictCallWhenNoTokenIsConfigured() throws Exception {
        start(null);
        for (String[] call : GUARDED) {
            HttpResponse<String> response = send(call[0], call[1], call[0].equals("POST") ? "{}" : null, TOKEN);
            assertThat(response.statusCode()).as(call[0] + " " + call[1]).isEqualTo(403);
        }
        assertThat(conflicts.calls).isEmpty();
    }

    @Test
    void shouldListShowAndResolveAsTheTokensHolder() throws Exception {
        start(TOKEN);

        JsonNode open = JSON.readTree(send("GET", "/conflicts", null, TOKEN).body());
        assertThat(open).hasSize(1);
        JsonNode listed = open.get(0);
        assertThat(listed.get("id").asLong()).isEqualTo(5);
        assertThat(listed.get("key").asText()).as("a join row's key as people write it").isEqualTo("(t-1)->(c-2)");
        assertThat(listed.get("status").asText()).isEqualTo("open");
        assertThat(listed.get("graph").get("value").asText()).isEqualTo(SECRET_VALUE);
        assertThat(listed.get("graph").get("committedAt").asText()).isEqualTo("2026-12-06T10:00:01Z");
        assertThat(listed.get("postgres").get("pgVersion").asLong()).isEqualTo(4);
        assertThat(JSON.readTree(send("GET", "/conflicts?all=true", null, TOKEN).body())).hasSize(1);
        HttpResponse<String> shown = send("GET", "/conflicts/5", null, TOKEN);
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(shown.body()).get("rule").asText()).isEqualTo("manual");

        HttpResponse<String> resolved = send("POST", "/conflicts/5/resolve",
                "{\"take\": \"Graph\", \"reason\": \"the editor's value is right\", \"by\": \"mallory\"}", TOKEN);
        assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
        assertThat(JSON.readTree(resolved.body()).get("status").asText()).isEqualTo("resolved");

        assertThat(conflicts.calls).containsExactly("list all=false", "list all=true", "find 5", "find 5",
                "resolve 5 graph by admin-api: the editor's value is right");
    }

    @Test
    void shouldSayWhatIsWrongWithARequestAnd404AnUnknownId() throws Exception {
        start(TOKEN);

        HttpResponse<String> take = send("POST", "/conflicts/5/resolve", "{\"take\": \"both\", \"reason\": \"r\"}", TOKEN);
        assertThat(take.statusCode()).isEqualTo(400);
        assertThat(error(take)).contains("\"take\": \"postgres\"").contains("\"graph\"");
        HttpResponse<String> noTake = send("POST", "/conflicts/5/resolve", "{\"reason\": \"r\"}", TOKEN);
        assertThat(noTake.statusCode()).isEqualTo(400);
        HttpResponse<String> noReason = send("POST", "/conflicts/5/resolve", "{\"take\": \"graph\"}", TOKEN);
        assertThat(noReason.statusCode()).isEqualTo(400);
        assertThat(error(noReason)).contains("\"reason\"");
        HttpResponse<String> notJson = send("POST", "/conflicts/5/resolve", "take=graph", TOKEN);
        assertThat(notJson.statusCode()).isEqualTo(400);
        HttpResponse<String> wrongType = send("POST", "/conflicts/5/resolve", "{\"take\": true, \"reason\": \"r\"}", TOKEN);
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(error(wrongType)).contains("\"take\" must be a string");

        HttpResponse<String> unknown = send("GET", "/conflicts/99", null, TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown)).isEqualTo("no conflict #99: GET /conflicts?all=true lists them");
        HttpResponse<String> unknownResolve = send("POST", "/conflicts/99/resolve", "{\"take\": \"graph\", \"reason\": \"r\"}", TOKEN);
        assertThat(unknownResolve.statusCode()).isEqualTo(404);

        conflicts.refusal = new IllegalArgumentException("conflict #5 is settled by its rule, not open: nothing to resolve");
        HttpResponse<String> settled = send("POST", "/conflicts/5/resolve", "{\"take\": \"postgres\", \"reason\": \"r\"}", TOKEN);
        assertThat(settled.statusCode()).isEqualTo(400);
        assertThat(error(settled)).isEqualTo("conflict #5 is settled by its rule, not open: nothing to resolve");
        assertThat(conflicts.calls).noneMatch(call -> call.startsWith("resolve"));
    }

    @Test
    void shouldNeverSendPostgresqlsTextWhenTheResolutionFailsInTheDatabase() throws Exception {
        start(TOKEN);
        conflicts.failure = SyncException.persistent("writing the graph's value to public.content_items failed (23514: new row violates check constraint "
                + "with value " + SECRET_VALUE + ")", new SQLException("ERROR: new row violates check constraint: " + SECRET_VALUE, "23514"));

        HttpResponse<String> failed = send("POST", "/conflicts/5/resolve", "{\"take\": \"graph\", \"reason\": \"r\"}", TOKEN);

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(error(failed)).contains("SQLState 23514").contains("service log");
        assertThat(failed.body()).doesNotContain(SECRET_VALUE).doesNotContain("violates");
    }

    private void start(String token) {
        server = new AdminServer(AdminSettings.loopback(0, token), new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> null, 0, null, null, null, conflicts);
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(20))
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

    static LoggedConflict conflict(String status) {
        Instant at = Instant.parse("2026-12-06T10:00:00Z");
        return new LoggedConflict(5, at.plusSeconds(2), "public.thread_content", EntityKeys.pair("t-1", "c-2"), "INCLUDES", "property", "relevance_score",
                "manual", "waiting", status, 4L, 0L, 3L, 1L, "0.5", SECRET_VALUE, at, at.plusSeconds(1), 12, "both changed it", null, null, null);
    }

    private static final class FakeConflicts implements ConflictEndpoint.Operations {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile IllegalArgumentException refusal;
        volatile SyncException failure;

        @Override
        public List<LoggedConflict> list(boolean all, int limit) {
            calls.add("list all=" + all);
            return List.of(conflict("open"));
        }

        @Override
        public Optional<LoggedConflict> find(long id) {
            calls.add("find " + id);
            return id == 5 ? Optional.of(conflict("open")) : Optional.empty();
        }

        @Override
        public LoggedConflict resolve(long id, ConflictRecord.Side take, String by, String reason) {
            if (refusal != null) {
                throw refusal;
            }
            if (failure != null) {
                throw failure;
            }
            calls.add("resolve " + id + " " + take.spelling() + " by " + by + ": " + reason);
            return conflict("resolved");
        }

        @Override
        public Map<String, Object> state() {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("mode", "plugin");
            state.put("conflictsByEntityAndDecision", Map.of("ContentItem", Map.of("postgres", 2L)));
            return state;
        }
    }
}
