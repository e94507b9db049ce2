package io.nexussync.it;

import io.nexussync.core.pipeline.ServiceState;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.SyncMetrics;
import io.nexussync.app.service.SyncService;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ReplayCheck;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Neo4j goes away for 30 s under a steady workload (the embedded server stopped, then started again on the
 * same port and store). The service keeps running; while Neo4j is down its circuit is open and {@code /health}
 * answers 503 degraded naming neo4j and since when; the circuit closes by itself once Neo4j is back; after the
 * workload stops and the sync catches up the graph equals the database, with nothing duplicated and no batch
 * replayed. Logs how long the sync took from Neo4j's return to caught up.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class Neo4jOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    void shouldWaitOutANeo4jOutageAndCatchUpByItself() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("neo4j_outage")) {
            env.setup();
            env.environment().put("NEXUS_SYNC_APPLY_WORKERS", "2");
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            SyncService service = env.service();
            CircuitBreaker neo4j = service.circuits().get(0);
            assertThat(neo4j.target()).isEqualTo("neo4j");
            PrometheusMeterRegistry metrics = SyncMetrics.register(service.progress());
            SyncMetrics.registerCircuits(metrics, service.circuits());
            HttpClient http = HttpClient.newHttpClient();
            Instant back;
            try (AdminServer admin = new AdminServer(0, service.progress(), metrics).withCircuits(service.circuits())) {
                URI health = URI.create("http://localhost:" + admin.port() + "/health");
                try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 3, 31, 5)) {
                    long batches = service.progress().batchesApplied();
                    awaitTrue("batches applied under the workload", Duration.ofSeconds(30), () -> service.progress().batchesApplied() > batches + 5);

                    TestServers.neo4j().stop();
                    Instant stopped = Instant.now();
                    awaitTrue("the neo4j circuit opens", Duration.ofSeconds(25), () -> neo4j.status().state() == CircuitBreaker.State.OPEN);
                    HttpResponse<String> down = http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
                    JsonNode downBody = JSON.readTree(down.body());
                    System.out.println("Neo4jOutageIT: /health while Neo4j is down: " + down.statusCode() + " " + down.body());
                    assertThat(down.statusCode()).isEqualTo(503);
                    assertThat(downBody.get("status").asText()).isEqualTo("degraded");
                    assertThat(downBody.get("live").asBoolean()).isTrue();
                    assertThat(downBody.get("ready").asBoolean()).isFalse();
                    assertThat(downBody.get("reasons").get(0).asText()).startsWith("neo4j unreachable since " + neo4j.status().since());
                    assertThat(metrics.scrape()).contains("nexus_sync_circuit_open{target=\"neo4j\"} 1.0")
                            .contains("nexus_sync_circuit_opened_total{target=\"neo4j\"} 1.0");

                    Thread.sleep(Math.max(0, OUTAGE.minus(Duration.between(stopped, Instant.now())).toMillis()));
                    assertThat(neo4j.status().state()).as("still down after %s", OUTAGE).isNotEqualTo(CircuitBreaker.State.CLOSED);
                    assertThat(service.progress().state()).as("the service kept running").isNotEqualTo(ServiceState.FAILED);
                    TestServers.neo4j().startAgain();
                    back = Instant.now();
                }
                // The workload has stopped: the figure below is how long the sync needs, from Neo4j's return,
                // to apply everything committed during the outage.
                env.awaitCaughtUp(Duration.ofSeconds(120));
                Duration recovery = Duration.between(back, Instant.now());
                System.out.printf("Neo4jOutageIT: Neo4j back -> caught up: %.1f s (back at %s, circuit closed at %s, opened %d time(s))%n",
                        recovery.toMillis() / 1000.0, back, neo4j.status().since(), neo4j.status().timesOpened());
                assertThat(neo4j.status().state()).as("closed by itself").isEqualTo(CircuitBreaker.State.CLOSED);
                assertThat(neo4j.status().since()).isAfter(back);
                HttpResponse<String> up = http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
                assertThat(metrics.scrape()).contains("nexus_sync_circuit_open{target=\"neo4j\"} 0.0");
            }
            // Cross-references of the last batch are written after its graph commit; one more marker waits for them.
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.discrepancies()).as("graph vs database after a %s Neo4j outage", OUTAGE).isEmpty();
            ReplayCheck.assertNoBatchReappliedCommittedChanges(env, 5);
            env.stopService();
        }
    }

    static void awaitTrue(String what, Duration atMost, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + atMost);
            }
            Thread.sleep(50);
        }
    }
}
