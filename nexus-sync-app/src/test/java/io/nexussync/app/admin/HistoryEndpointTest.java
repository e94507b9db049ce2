package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.history.TemporalGraph;
import io.nexussync.core.history.TemporalVersion;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.pipeline.SyncProgress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /history/...}: the instants as query parameters, a 400 naming a bad one, the token, no Neo4j text in the answer. */
@Timeout(30)
class HistoryEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final String SECRET_VALUE = "s3cret-row-value";
    private static final Instant T1 = Instant.parse("2026-12-07T01:00:00Z");
    private static final Instant T2 = Instant.parse("2026-12-07T02:00:00Z");

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());
    private volatile RuntimeException failure;
    private AdminServer server;

    /** One pair: added at T1 at position 2, moved to position 1 at T2; and a second pair at position 1 from T1. */
    private final TemporalGraph graph = new TemporalGraph() {
        private final List<TemporalVersion> versions = List.of(
                new TemporalVersion("c-1", T1, T2, 1L, Map.of("position", 2L, "relevanceScore", 0.5)),
                new TemporalVersion("c-1", T2, TemporalVersion.OPEN_END, 2L, Map.of("position", 0L, "relevanceScore", 0.5)),
                new TemporalVersion("c-2", T1, TemporalVersion.OPEN_END, 1L, Map.of("position", 1L, "relevanceScore", 0.9)));

        @Override
        public List<TemporalVersion> validAt(RelationshipMapping relationship, String fromId, Instant at) {
            asked.add(relationship.type() + " " + fromId + " at " + at);
            if (failure != null) {
                throw failure;
            }
            return versions.stream().filter(v -> v.validAt(at)).toList();
        }

        @Override
        public List<TemporalVersion> overlapping(RelationshipMapping relationship, String fromId, Instant from, Instant to) {
            asked.add(relationship.type() + " " + fromId + " from " + from + " to " + to);
            return versions;
        }
    };

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldAnswerAThreadsContentsAtAnInstantInPositionOrder() throws Exception {
        start();

        JsonNode before = ok(get("/history/threads/t-1?at=2026-12-07T01:30:00Z", TOKEN));
        assertThat(before.get("at").asText()).isEqualTo("2026-12-07T01:30:00Z");
        assertThat(before.get("items")).extracting(i -> i.get("endId").asText()).containsExactly("c-2", "c-1");
        JsonNode after = ok(get("/history/threads/t-1?at=2026-12-07T03:00:00%2B01:00", TOKEN));
        assertThat(after.get("at").asText()).as("an offset is read as the instant it names").isEqualTo("2026-12-07T02:00:00Z");
        assertThat(after.get("items")).extracting(i -> i.get("endId").asText()).containsExactly("c-1", "c-2");
        assertThat(after.get("items").get(0).get("properties").get("position").asLong()).isZero();
        assertThat(after.get("items").get(0).get("validTo").isNull()).as("current").isTrue();
        assertThat(asked).startsWith("INCLUDES t-1 at 2026-12-07T01:30:00Z");
    }

    @Test
    void shouldAnswerTheChangesAndTheSameForARelationshipNamedByItsTable() throws Exception {
        start();

        JsonNode changes = ok(get("/history/threads/t-1/changes?from=2026-12-07T00:00:00Z&to=2026-12-07T05:00:00Z", TOKEN));
        assertThat(changes.get("changes")).extracting(c -> c.get("kind").asText() + " " + c.get("endId").asText())
                .containsExactly("added c-1", "added c-2", "changed c-1");
        assertThat(changes.get("changes").get(2).get("changed").get("position").get("before").asLong()).isEqualTo(2);
        assertThat(changes.get("changes").get(2).get("previousVersion").asLong()).isEqualTo(1);

        JsonNode relationship = ok(get("/history/relationships/public.thread_content/t-1?at=2026-12-07T01:30:00Z", TOKEN));
        assertThat(relationship.get("items")).extracting(i -> i.get("endId").asText()).as("by end node").containsExactly("c-1", "c-2");
        assertThat(ok(get("/history/relationships/thread_content/t-1/changes", TOKEN)).get("from").asText()).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void shouldAnswerABadParameterOrTableWithA400NamingItAndTheFix() throws Exception {
        start();
        assertThat(problem(get("/history/threads/t-1?at=yesterday", TOKEN), 400))
                .startsWith("query parameter 'at': 'yesterday' is not an ISO-8601 instant with its offset: use e.g. 2026-12-07T05:30:00Z");
        assertThat(problem(get("/history/threads/t-1?at=2026-12-07T01:00:00", TOKEN), 400)).as("no offset: no instant")
                .startsWith("query parameter 'at': '2026-12-07T01:00:00' is not an ISO-8601 instant with its offset");
        assertThat(problem(get("/history/threads/t-1/changes?from=2026-12-07T05:00:00Z&to=2026-12-07T04:00:00Z", TOKEN), 400))
                .startsWith("query parameter 'to': the window ends before it begins");
        assertThat(problem(get("/history/threads/t-1?from=2026-12-07T05:00:00Z", TOKEN), 400))
                .startsWith("unknown query parameter 'from': this endpoint takes at").contains(".../changes?from=&to=");
        assertThat(problem(get("/history/threads/t-1/changes?at=2026-12-07T05:00:00Z", TOKEN), 400)).startsWith("unknown query parameter 'at'");
        assertThat(problem(get("/history/relationships/public.content_tags/c-1", TOKEN), 400))
                .isEqualTo("public.content_tags is mapped as TAGGED_WITH without history (temporal: false): the temporal tables are "
                        + "public.thread_content (Thread)-[:INCLUDES]->(ContentItem)");
        assertThat(problem(get("/history/relationships/shop.orders/c-1", TOKEN), 404)).contains("not a mapped table", "public.thread_content");
        assertThat(asked).as("nothing read for a bad request").isEmpty();
    }

    @Test
    void shouldNeedTheTokenAndNeverSendNeo4jsText() throws Exception {
        start();
        assertThat(get("/history/threads/t-1", null).statusCode()).isEqualTo(401);
        assertThat(get("/history/relationships/public.thread_content/t-1/changes", null).statusCode()).isEqualTo(401);

        failure = SyncException.persistent(new io.nexussync.core.error.ErrorText("Neo4j rejected reading the history: " + SECRET_VALUE,
                "Neo4j rejected reading the history (Neo.ClientError.Statement.SyntaxError)"), null);
        HttpResponse<String> failed = get("/history/threads/t-1", TOKEN);
        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(failed.body()).contains("Neo.ClientError.Statement.SyntaxError").doesNotContain(SECRET_VALUE);
    }

    private void start() {
        server = new AdminServer(AdminSettings.loopback(0, TOKEN), new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> null, 0, null, null, null, null, null, null, HistoryEndpoint.of(MappingLoader.builtIn(), graph));
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String problem(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body()).get("error").asText();
    }
}
