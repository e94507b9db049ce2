package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.Finding;
import io.nexussync.core.verify.FindingKind;
import io.nexussync.core.verify.FindingStatus;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.RepairAction;
import io.nexussync.core.verify.VerifyReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/** {@code /verify} on the admin API, in front of a fake: who may do what, the answers, the refusals. */
@Timeout(60)
class VerifyEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final String SECRET_KEY = "9f0c-secret-row-key";
    private static final List<String[]> GUARDED = List.of(new String[] {"POST", "/verify"}, new String[] {"POST", "/verify/entity"},
            new String[] {"GET", "/verify/findings"}, new String[] {"POST", "/verify/findings/3/resolve"});

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeVerify verify = new FakeVerify();
    private AdminServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldNeedTheTokenForEveryMutationAndForTheFindingsButNotForTheCounts() throws Exception {
        start(TOKEN);
        for (String[] call : GUARDED) {
            String body = call[0].equals("POST") ? "{\"table\": \"tags\", \"key\": \"1\", \"take\": \"graph\", \"reason\": \"r\"}" : null;
            for (String presented : new String[] {null, "wrong-token-0123456789abcdef"}) {
                HttpResponse<String> response = send(call[0], call[1], body, presented);
                assertThat(response.statusCode()).as(call[0] + " " + call[1] + " with " + presented).isEqualTo(401);
            }
        }
        assertThat(verify.calls).isEmpty();

        HttpResponse<String> counts = send("GET", "/verify", null, null);
        assertThat(counts.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(counts.body()).get("last").get("findings").asLong()).isEqualTo(1);
        assertThat(counts.body()).doesNotContain(SECRET_KEY);
        JsonNode status = JSON.readTree(send("GET", "/status", null, null).body());
        assertThat(status.get("verify").get("running").asBoolean()).as("/status shows verify %s", status).isFalse();
    }

    @Test
    void shouldRefuseEveryVerifyMutationWhenNoTokenIsConfigured() throws Exception {
        start(null);
        for (String[] call : GUARDED) {
            HttpResponse<String> response = send(call[0], call[1], call[0].equals("POST") ? "{}" : null, TOKEN);
            assertThat(response.statusCode()).as(call[0] + " " + call[1]).isEqualTo(403);
        }
        assertThat(verify.calls).isEmpty();
    }

    @Test
    void shouldStartARunAndAnswer409WhileOneRuns() throws Exception {
        start(TOKEN);

        HttpResponse<String> started = send("POST", "/verify", "{\"table\": \"public.tags\", \"repair\": true}", TOKEN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(JSON.readTree(started.body()).get("started").asBoolean()).isTrue();
        HttpResponse<String> all = send("POST", "/verify", "", TOKEN);
        assertThat(all.statusCode()).isEqualTo(202);
        verify.busy = true;
        HttpResponse<String> busy = send("POST", "/verify", "{\"dryRun\": true}", TOKEN);
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(error(busy)).contains("a verify is already running").contains("GET /verify");

        assertThat(verify.calls).containsExactly("start public.tags repair=true dryRun=false", "start null repair=false dryRun=false",
                "start null repair=false dryRun=true");
    }

    @Test
    void shouldSayWhatIsWrongWithARequest() throws Exception {
        start(TOKEN);

        assertThat(send("POST", "/verify", "{\"repair\": \"yes\"}", TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> unmapped = send("POST", "/verify", "{\"table\": \"public.nope\"}", TOKEN);
        assertThat(unmapped.statusCode()).isEqualTo(400);
        assertThat(error(unmapped)).contains("public.nope is not a mapped table");
        assertThat(error(send("POST", "/verify/entity", "{\"table\": \"tags\"}", TOKEN))).contains("\"table\" and \"key\"");
        HttpResponse<String> take = send("POST", "/verify/findings/3/resolve", "{\"take\": \"both\", \"reason\": \"r\"}", TOKEN);
        assertThat(take.statusCode()).isEqualTo(400);
        assertThat(error(take)).contains("\"postgres\"").contains("\"graph\"");
        assertThat(error(send("POST", "/verify/findings/3/resolve", "{\"take\": \"graph\"}", TOKEN))).contains("\"reason\"");
        HttpResponse<String> unknown = send("POST", "/verify/findings/99/resolve", "{\"take\": \"graph\", \"reason\": \"r\"}", TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown)).isEqualTo("no open finding #99: GET /verify/findings lists them");
    }

    @Test
    void shouldCheckOneEntityListFindingsAndResolveAsTheTokensHolder() throws Exception {
        start(TOKEN);

        HttpResponse<String> entity = send("POST", "/verify/entity", "{\"table\": \"public.content_tags\", \"key\": \"(a)->(b)\", \"repair\": true}", TOKEN);
        assertThat(entity.statusCode()).as(entity.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(entity.body());
        assertThat(report.get("agrees").asBoolean()).isFalse();
        assertThat(report.get("findingList").get(0).get("key").asText()).isEqualTo(SECRET_KEY);
        HttpResponse<String> findings = send("GET", "/verify/findings?all=true", null, TOKEN);
        assertThat(JSON.readTree(findings.body()).get(0).get("kind").asText()).isEqualTo("property-differs");
        HttpResponse<String> resolved = send("POST", "/verify/findings/3/resolve", "{\"take\": \"Postgres\", \"reason\": \"the row is right\", \"by\": \"mallory\"}", TOKEN);
        assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);

        assertThat(verify.calls).containsExactly("entity public.content_tags " + EntityKeys.pair("a", "b") + " repair=true", "findings all=true",
                "resolve 3 postgres=true the row is right by admin-api");
    }

    private void start(String token) {
        server = new AdminServer(AdminSettings.loopback(0, token), new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> null, 0, null, null, verify);
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

    static LoggedFinding finding() {
        return new LoggedFinding(3, new Finding(FindingKind.PROPERTY_DIFFERS, "public.tags", "Tag", SECRET_KEY, "4:x:1", List.of("name")),
                FindingStatus.FOUND, RepairAction.NONE, null, "verify", null, Instant.parse("2025-01-01T00:00:00Z"), null, null);
    }

    static VerifyReport report() {
        return new VerifyReport(Instant.parse("2025-01-01T00:00:00Z"), Duration.ofMillis(10),
                List.of(new VerifyReport.SubjectResult("public.tags", "Tag", 1, 1, 0, 0, 1, 1)), List.of(finding()), 1, 0, 0, List.of(), false);
    }

    private static final class FakeVerify implements VerifyEndpoint.Operations {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile boolean busy;

        @Override
        public boolean start(TableId table, boolean repair, boolean dryRun) {
            if (table != null && table.toString().equals("public.nope")) {
                throw SyncException.persistent("verify: public.nope is not a mapped table (mapped: [public.tags])", null);
            }
            calls.add("start " + table + " repair=" + repair + " dryRun=" + dryRun);
            return !busy;
        }

        @Override
        public Map<String, Object> state() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("running", busy);
            body.put("last", io.nexussync.app.service.VerifyReports.summary(report()));
            return body;
        }

        @Override
        public VerifyReport checkEntity(TableId table, String key, boolean repair) {
            calls.add("entity " + table + " " + key + " repair=" + repair);
            return report();
        }

        @Override
        public List<LoggedFinding> findings(boolean all, int limit) {
            calls.add("findings all=" + all);
            return List.of(finding());
        }

        @Override
        public Optional<LoggedFinding> resolve(long id, boolean takePostgres, String reason, String by) {
            if (id != 3) {
                return Optional.empty();
            }
            calls.add("resolve " + id + " postgres=" + takePostgres + " " + reason + " by " + by);
            return Optional.of(finding());
        }
    }
}
