package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nexussync.app.build.BuildInfo;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.ServiceAdmin;
import io.nexussync.app.admin.ServiceMetrics;
import io.nexussync.app.service.SyncService;
import io.nexussync.it.testkit.MetricReferences;
import io.nexussync.it.testkit.SyncEnvironment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard and the alert rules in {@code ops/} name only what a running service serves on {@code /metrics}, with the
 * meters wired as {@code nexus-sync run} wires them ({@link ServiceMetrics}); and the probes: live from the start, ready
 * only once streaming and caught up.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MetricsDashboardIT {
    static final Path DASHBOARD = Path.of("ops", "grafana", "nexus-sync-dashboard.json");
    static final Path ALERTS = Path.of("ops", "prometheus", "nexus-sync-alerts.yml");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServeEveryMetricTheDashboardAndTheAlertRulesNameAndBeReadyOnlyOnceCaughtUp() throws Exception {
        List<String[]> expressions = expressions(repositoryRoot());
        assertThat(expressions).as("expressions in the dashboard and the alert rules").hasSizeGreaterThan(40);
        AtomicReference<ServiceMetrics> metrics = new AtomicReference<>();
        AtomicReference<AdminServer> admin = new AtomicReference<>();
        AtomicReference<HttpResponse<String>> readyBeforeRun = new AtomicReference<>();
        AtomicReference<HttpResponse<String>> liveBeforeRun = new AtomicReference<>();
        try (SyncEnvironment env = SyncEnvironment.create("metrics_dashboard")) {
            env.setup();
            env.startService(UnaryOperator.identity(), service -> {
                metrics.set(ServiceMetrics.start(service, BuildInfo.current().version(), BuildInfo.current().commit()));
                admin.set(adminFor(env, service, metrics.get()));
                readyBeforeRun.set(get(admin.get(), "/health/ready"));
                liveBeforeRun.set(get(admin.get(), "/health/live"));
            });
            try {
                assertThat(readyBeforeRun.get().statusCode()).as("ready before the service runs: %s", readyBeforeRun.get().body()).isEqualTo(503);
                assertThat(JSON.readTree(readyBeforeRun.get().body()).get("reasons").get(0).asText()).startsWith("starting since ");
                assertThat(liveBeforeRun.get().statusCode()).isEqualTo(200);

                env.awaitCaughtUp(Duration.ofSeconds(60));
                for (int i = 0; i < 20; i++) {
                    UUID id = UUID.randomUUID();
                    env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, ?)", id, id, "metrics-" + i);
                }
                env.awaitCaughtUp(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(get(admin.get(), "/health/ready").statusCode()).isEqualTo(200));
                HttpResponse<String> ready = get(admin.get(), "/health/ready");
                JsonNode readyBody = JSON.readTree(ready.body());
                assertThat(readyBody.get("status").asText()).isEqualTo("ready");
                assertThat(readyBody.get("reasons").isEmpty()).isTrue();
                assertThat(get(admin.get(), "/health/live").statusCode()).isEqualTo(200);
                assertThat(get(admin.get(), "/health").statusCode()).as("the earlier /health stays").isEqualTo(200);

                String scrape = get(admin.get(), "/metrics").body();
                assertThat(scrape).contains("nexus_sync_build_info{commit=")
                        .containsPattern("nexus_sync_entity_changes_applied_total\\{entity_type=\"public.tags\"} [1-9]")
                        .containsPattern("nexus_sync_batch_changes_count\\{lane=\"[a-z]+\"} [1-9]")
                        .contains("nexus_sync_caught_up 1.0")
                        .contains("nexus_sync_failures_total{entity_type=\"public.tags\",error_kind=\"transient\"} 0.0")
                        .contains("jvm_memory_used_bytes{area=\"heap\"");

                MetricReferences references = MetricReferences.of(scrape);
                List<String> problems = new ArrayList<>();
                for (String[] expression : expressions) {
                    problems.addAll(references.problems(expression[0], expression[1]));
                }
                assertThat(problems).as("metrics and labels the dashboard and the alert rules name that /metrics lacks").isEmpty();
                // The same check against the same scrape finds a misspelt name: a dashboard with one cannot pass.
                assertThat(references.problems("misspelt", "sum(rate(nexus_sync_changes_aplied_total[5m]))"))
                        .containsExactly("misspelt: nexus_sync_changes_aplied_total is not on /metrics (sum(rate(nexus_sync_changes_aplied_total[5m])))");
            } finally {
                if (admin.get() != null) {
                    admin.get().close();
                }
                env.stopService();
                if (metrics.get() != null) {
                    metrics.get().close();
                }
            }
        }
    }

    private static AdminServer adminFor(SyncEnvironment env, SyncService service, ServiceMetrics metrics) {
        return ServiceAdmin.start(service, env.adminSettings(), metrics.registry());
    }

    private HttpResponse<String> get(AdminServer admin, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each expression of the dashboard (panel targets, variable queries) and of the alert rules, with where it is. */
    static List<String[]> expressions(Path root) throws IOException {
        List<String[]> found = new ArrayList<>();
        JsonNode dashboard = JSON.readTree(root.resolve(DASHBOARD).toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                found.add(new String[] {"dashboard panel '" + panel.get("title").asText() + "'", target.get("expr").asText()});
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            if (query.isObject() && query.has("query")) {
                found.add(new String[] {"dashboard variable " + variable.get("name").asText(), query.get("query").asText()});
            }
        }
        JsonNode alerts = new ObjectMapper(new YAMLFactory()).readTree(root.resolve(ALERTS).toFile());
        for (JsonNode group : alerts.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                found.add(new String[] {"alert " + rule.get("alert").asText(), rule.get("expr").asText()});
            }
        }
        return found;
    }

    /** The checkout's root: the tests run in the module's directory. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve(DASHBOARD))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(DASHBOARD + " not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
