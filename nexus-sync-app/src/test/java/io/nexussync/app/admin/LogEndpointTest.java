package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.postgres.bookkeeping.LogEntry;
import io.nexussync.postgres.bookkeeping.LogQuery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /log}: the filters as query parameters, a 400 that names a bad one, the token, no error text in the answer. */
@Timeout(30)
class LogEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final String SECRET_VALUE = "s3cret-row-value";

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<LogQuery> queries = Collections.synchronizedList(new ArrayList<>());
    private volatile RuntimeException failure;
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldReadTheFiltersFromTheQueryAndShowEachEntityInBothSystemsWithoutTheErrorText() throws Exception {
        start();

        HttpResponse<String> found = get("/log?entity=content_items:c-1&status=retrying&since=2026-12-07T01:00:00Z&limit=5", TOKEN);

        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        assertThat(queries).containsExactly(new LogQuery("public.content_items", "c-1", "retrying", Instant.parse("2026-12-07T01:00:00Z"), 5));
        JsonNode row = JSON.readTree(found.body()).get(0);
        assertThat(row.get("status").asText()).isEqualTo("retrying");
        assertThat(row.get("postgres").get("table").asText()).isEqualTo("public.content_items");
        assertThat(row.get("postgres").get("key").asText()).isEqualTo("c-1");
        assertThat(row.get("graph").get("label").asText()).isEqualTo("ContentItem");
        assertThat(row.get("graph").get("elementId").asText()).isEqualTo("4:x:1");
        assertThat(row.get("change").get("values").get("title").asText()).as("the change as JSON, not a string").isEqualTo("t");
        assertThat(row.get("retryCount").asInt()).isEqualTo(2);
        assertThat(row.has("error")).isFalse();
        assertThat(found.body()).doesNotContain(SECRET_VALUE);

        assertThat(get("/log", TOKEN).statusCode()).isEqualTo(200);
        assertThat(queries.get(1)).as("no filter: the newest 100").isEqualTo(new LogQuery(null, null, null, null, 100));
    }

    @Test
    void shouldAnswerABadOrUnknownParameterWithA400NamingItAndTheFix() throws Exception {
        start();
        assertThat(problem(get("/log?since=yesterday", TOKEN))).startsWith("query parameter 'since': 'yesterday' is neither a time nor a duration");
        assertThat(problem(get("/log?entity=:1", TOKEN))).startsWith("query parameter 'entity': ':1' is not TABLE:KEY");
        assertThat(problem(get("/log?status=bad", TOKEN))).startsWith("query parameter 'status': 'bad' is not a status of the log");
        assertThat(problem(get("/log?limit=5000", TOKEN))).startsWith("query parameter 'limit': '5000' is not a number of rows from 1 to 1000");
        assertThat(problem(get("/log?table=content_items", TOKEN))).startsWith("unknown query parameter 'table': GET /log takes entity (TABLE:KEY)");
        assertThat(queries).as("nothing read for a bad request").isEmpty();
    }

    @Test
    void shouldNeedTheTokenAndNeverSendTheDatabasesText() throws Exception {
        start();
        assertThat(get("/log", null).statusCode()).isEqualTo(401);
        assertThat(get("/log", "wrong-token-0123456789abcdef").statusCode()).isEqualTo(401);

        failure = SyncException.persistent("reading nexus_sync.transaction_log failed: " + SECRET_VALUE,
                new SQLException("ERROR: " + SECRET_VALUE, "42P01"));
        HttpResponse<String> failed = get("/log", TOKEN);
        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(failed.body()).contains("SQLState 42P01").doesNotContain(SECRET_VALUE);
    }

    private void start() {
        server = new AdminServer(AdminSettings.loopback(0, TOKEN), new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> null, 0, null, null, null, null, null, query -> {
                    queries.add(query);
                    if (failure != null) {
                        throw failure;
                    }
                    return List.of(entry());
                });
    }

    private static LogEntry entry() {
        return new LogEntry(7, Instant.parse("2026-12-07T02:00:00Z"), "operation", "retrying", "update", "public.content_items", "c-1",
                "ContentItem", "c-1", "4:x:1", "public.content_items c-1", "{\"operation\":\"update\",\"values\":{\"title\":\"t\"}}",
                "Neo4j said: " + SECRET_VALUE, 2, Instant.parse("2026-12-07T02:00:05Z"), null, null, null, null, null, null, null, null);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String problem(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return JSON.readTree(response.body()).get("error").asText();
    }
}
