package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.SyncMetrics;
import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.it.testkit.SyncEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What an operator sees: {@code status --json} and the admin API's health and metrics. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StatusAndAdminIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldReportPositionLagLastBatchHealthAndMetrics() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("status_admin")) {
            // After the initial snapshot, so that the row comes through the stream as a batch.
            env.awaitCaughtUp(Duration.ofSeconds(60));
            UUID id = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'status')", id, id);
            env.awaitCaughtUp(Duration.ofSeconds(60));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = NexusSyncCommand.execute(new String[] {"status", "--json"}, env.environment(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertThat(code).isZero();
            JsonNode status = JSON.readTree(out.toString(StandardCharsets.UTF_8));
            assertThat(status.get("slot").asText()).isEqualTo("status_admin_slot");
            assertThat(status.get("slotActive").asBoolean()).isTrue();
            assertThat(status.get("lagBytes").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(status.get("confirmedPosition").asText()).matches("[0-9A-F]+/[0-9A-F]+");
            assertThat(status.get("lastBatch").get("changes").asInt()).isPositive();
            assertThat(status.get("graphCheckpoint").asText()).matches("[0-9A-F]+/[0-9A-F]+");
            assertThat(status.get("snapshot").get("state").asText()).isEqualTo("done");

            var metricsRegistry = SyncMetrics.register(env.service().progress());
            SyncMetrics.registerCircuits(metricsRegistry, env.service().circuits());
            try (AdminServer admin = new AdminServer(0, env.service().progress(), metricsRegistry).withCircuits(env.service().circuits())) {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + admin.port() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                JsonNode healthBody = JSON.readTree(health.body());
                assertThat(healthBody.get("status").asText()).isEqualTo("ready");
                assertThat(healthBody.get("live").asBoolean()).isTrue();
                assertThat(healthBody.get("ready").asBoolean()).isTrue();
                assertThat(healthBody.get("reasons").isEmpty()).as("health %s", healthBody).isTrue();
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + admin.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("nexus_sync_changes_applied_total").contains("nexus_sync_streaming 1.0")
                        .contains("nexus_sync_pending_changes{lane=\"critical\"}").contains("nexus_sync_batch_size")
                        .contains("nexus_sync_circuit_open{target=\"neo4j\"} 0.0")
                        .contains("nexus_sync_circuit_opened_total{target=\"postgres write-back\"} 0.0");
                JsonNode adminStatus = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + admin.port() + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(adminStatus.get("queue").get("pendingByLane").has("low")).as("status %s", adminStatus).isTrue();
                assertThat(adminStatus.get("queue").get("batchSize").asInt()).isPositive();
                JsonNode neo4jCircuit = adminStatus.get("circuits").get("neo4j");
                assertThat(neo4jCircuit.get("state").asText()).as("status %s", adminStatus).isEqualTo("CLOSED");
                assertThat(neo4jCircuit.get("timesOpened").asLong()).isZero();
                assertThat(neo4jCircuit.get("nextProbeAt").isNull()).isTrue();
                assertThat(adminStatus.get("circuits").has("postgres write-back")).isTrue();
            }
            env.stopService();
        }
    }
}
