package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.pipeline.VisibilityListener;
import io.nexussync.core.mapping.Lane;
import io.nexussync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncMetricsTest {

    @Test
    void shouldExportCommitToVisibleLagPerLane() {
        PrometheusMeterRegistry registry = SyncMetrics.register(new SyncProgress());
        VisibilityListener lag = SyncMetrics.lagRecorder(registry);
        Instant committed = Instant.parse("2025-01-01T00:00:00Z");

        lag.visible(Lane.CRITICAL, committed, committed.plusMillis(120));
        lag.visible(Lane.LOW, committed, committed.plusSeconds(3));

        System.gc(); // the registry alone must keep the progress it reads: a collected one scrapes as NaN
        String scrape = registry.scrape();
        assertThat(scrape).contains("nexus_sync_commit_to_visible_seconds_count{lane=\"critical\"} 1")
                .contains("nexus_sync_commit_to_visible_seconds_max{lane=\"low\"} 3.0")
                .contains("nexus_sync_commit_to_visible_seconds_bucket{lane=\"critical\",le=\"0.134217727\"} 1")
                .contains("nexus_sync_pending_changes{lane=\"normal\"} 0.0")
                .contains("nexus_sync_dead_letters_total 0.0");
    }

    @Test
    void shouldExportEachCircuitsStateAndOutages() {
        PrometheusMeterRegistry registry = SyncMetrics.register(new SyncProgress());
        registerCircuitsWithNeo4jDown(registry);

        System.gc(); // the registry alone must keep the circuits it reads
        String scrape = registry.scrape();
        assertThat(scrape).contains("nexus_sync_circuit_open{target=\"neo4j\"} 1.0")
                .contains("nexus_sync_circuit_open{target=\"postgres write-back\"} 0.0")
                .contains("nexus_sync_circuit_opened_total{target=\"neo4j\"} 1.0")
                .contains("nexus_sync_circuit_opened_total{target=\"postgres write-back\"} 0.0");
    }

    /** In a method of its own, so that nothing but the registry holds the circuits afterwards. */
    private static void registerCircuitsWithNeo4jDown(PrometheusMeterRegistry registry) {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-24T23:50:01Z"));
        CircuitBreaker neo4j = new CircuitBreaker("neo4j", 1,
                new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), 0, d -> { }, new java.util.Random(1)), clock);
        CircuitBreaker writeBack = CircuitBreaker.of("postgres write-back", CircuitBreaker.Settings.DEFAULT, clock);
        SyncMetrics.registerCircuits(registry, List.of(neo4j, writeBack));
        assertThatThrownBy(() -> neo4j.run(() -> {
            throw SyncException.retryable("connection refused", null);
        })).isInstanceOf(SyncException.class);
    }
}
