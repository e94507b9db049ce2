package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.components.StatusHistory;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.core.pipeline.SyncProgress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console's files and the history behind its chart, served by the admin API (the page itself: ConsoleBrowserIT). */
@Timeout(60)
class ConsoleEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private AdminServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldServeThePageItsScriptAndStyleWithTheirTypesAndASelfOnlyPolicy() throws Exception {
        server = new AdminServer(AdminSettings.loopback(0, "console-token-0123456789"), new SyncProgress(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null, 0, null);

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(contentType(page)).isEqualTo("text/html;charset=utf-8");
        assertThat(page.body()).contains("<script src=\"/console/console.js\"").doesNotContain("<script>").doesNotContain("style=");
        Map<String, String> types = Map.of("/console/console.js", "text/javascript;charset=utf-8", "/console/console.css", "text/css;charset=utf-8");
        for (var file : types.entrySet()) {
            HttpResponse<String> response = get(file.getKey());
            assertThat(response.statusCode()).as(file.getKey()).isEqualTo(200);
            assertThat(contentType(response)).as(file.getKey()).isEqualTo(file.getValue());
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(file.getKey())
                    .hasValue(ConsoleEndpoint.CONTENT_SECURITY_POLICY);
        }
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(policy).contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval").doesNotContain("*").doesNotContain("http");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void shouldNeverPutServerTextIntoThePageAsMarkup() throws Exception {
        server = new AdminServer(0, new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));

        String script = get("/console/console.js").body();

        // Server data reaches the page through textContent and setAttribute only.
        Matcher markup = Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|eval\\(|new Function").matcher(script);
        assertThat(markup.find()).as("markup sink in console.js: %s", markup.hitEnd() ? "" : markup.group()).isFalse();
    }

    @Test
    void shouldServeTheHistoryOpenlyAsStatusIs() throws Exception {
        StatusHistory history = new StatusHistory(Duration.ofMinutes(10), Duration.ofSeconds(1));
        SyncProgress progress = new SyncProgress();
        history.sample(Instant.parse("2026-12-07T01:00:00Z"), progress, null);
        history.sample(Instant.parse("2026-12-07T01:00:01Z"), progress, null);
        server = new AdminServer(AdminSettings.loopback(0, "console-token-0123456789"), progress,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null, 0, null).withHistory(history);

        HttpResponse<String> response = get("/status/history");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("windowSeconds").asLong()).isEqualTo(600);
        assertThat(body.get("intervalSeconds").asDouble()).isEqualTo(1.0);
        assertThat(body.get("samples")).hasSize(2);
        JsonNode last = body.get("samples").get(1);
        assertThat(last.get("at").asText()).isEqualTo("2026-12-07T01:00:01Z");
        assertThat(last.has("changesPerSecond")).isTrue();
        assertThat(last.has("pending")).isTrue();
        assertThat(last.get("slotLagBytes").isNull()).isTrue();
    }

    private static String contentType(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase(java.util.Locale.ROOT);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
