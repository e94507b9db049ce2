package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.mapping.Lane;
import io.nexussync.core.pipeline.ApplyListener;
import io.nexussync.core.pipeline.ProgressFixture;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seed's sync metrics beyond progress: batch sizes, changes and failures by entity type, lag, build info, JVM. */
class SeedMetricsTest {
    private final PrometheusMeterRegistry registry = SyncMetrics.register(new SyncProgress());

    @Test
    void shouldExportBatchSizesPerLaneAndChangesByEntityType() {
        ApplyListener listener = SyncMetrics.registerApply(registry, List.of("public.content_items", "public.tags"));

        listener.batchCommitted(Lane.NORMAL, 120, Map.of("public.content_items", 100, "public.tags", 20));
        listener.batchCommitted(Lane.NORMAL, 3, Map.of("public.tags", 3));

        String scrape = registry.scrape();
        assertThat(scrape).contains("nexus_sync_batch_changes_bucket{lane=\"normal\",le=\"10.0\"} 1")
                .contains("nexus_sync_batch_changes_bucket{lane=\"normal\",le=\"250.0\"} 2")
                .contains("nexus_sync_batch_changes_count{lane=\"normal\"} 2")
                .contains("nexus_sync_batch_changes_sum{lane=\"normal\"} 123.0")
                .contains("nexus_sync_batch_changes_count{lane=\"critical\"} 0")
                .contains("nexus_sync_entity_changes_applied_total{entity_type=\"public.content_items\"} 100.0")
                .contains("nexus_sync_entity_changes_applied_total{entity_type=\"public.tags\"} 23.0")
                .contains("nexus_sync_batch_size 0.0");
    }

    @Test
    void shouldCountFailuresByEntityTypeAndErrorKindWithEverySeriesAtZeroFromTheStart() {
        ApplyListener listener = SyncMetrics.registerApply(registry, List.of("public.content_items", "public.tags"));
        String before = registry.scrape();

        listener.failed("graph write", Set.of("public.content_items", "public.tags"), SyncException.retryable("connection refused", null));
        listener.failed("graph write", Set.of("public.tags"), SyncException.contention("deadlock", null));
        listener.failed("graph write", Set.of("public.tags"), circuitOpen());
        listener.failed("checkpoint", Set.of(), SyncException.persistent("constraint broken", null));
        listener.deadLettered("public.content_items");

        for (String kind : SyncMetrics.ERROR_KINDS) {
            assertThat(before).contains("nexus_sync_failures_total{entity_type=\"public.tags\",error_kind=\"" + kind + "\"} 0.0");
        }
        assertThat(registry.scrape())
                .contains("nexus_sync_failures_total{entity_type=\"public.content_items\",error_kind=\"transient\"} 1.0")
                .contains("nexus_sync_failures_total{entity_type=\"public.tags\",error_kind=\"transient\"} 1.0")
                .contains("nexus_sync_failures_total{entity_type=\"public.tags\",error_kind=\"contention\"} 1.0")
                .contains("nexus_sync_failures_total{entity_type=\"public.tags\",error_kind=\"circuit_open\"} 1.0")
                .contains("nexus_sync_failures_total{entity_type=\"none\",error_kind=\"persistent\"} 1.0")
                .contains("nexus_sync_failures_total{entity_type=\"public.content_items\",error_kind=\"rejected\"} 1.0")
                .contains("nexus_sync_failures_total{entity_type=\"public.content_items\",error_kind=\"contention\"} 0.0");
    }

    @Test
    void shouldExportHowFarBehindTheGraphIsAndWhetherItHasCaughtUp() {
        SyncProgress progress = new SyncProgress();
        PrometheusMeterRegistry own = SyncMetrics.register(progress);
        ProgressFixture.sessionStarted(progress);
        Instant now = progress.stateSince().plusSeconds(60);
        SyncMetrics.registerCatchUp(own, progress, Duration.ofSeconds(10), Clock.fixed(now, ZoneOffset.UTC));

        ProgressFixture.queue(progress, 5_000, now.minusSeconds(25), true);
        String behind = own.scrape();
        ProgressFixture.queue(progress, 0, null, true);
        String caughtUp = own.scrape();

        assertThat(behind).contains("nexus_sync_lag_seconds 25.0").contains("nexus_sync_caught_up 0.0");
        assertThat(caughtUp).contains("nexus_sync_lag_seconds 0.0").contains("nexus_sync_caught_up 1.0");
    }

    @Test
    void shouldExportOutageRecoveryAsAHistogramAndTheOutageUnderWay() {
        SyncProgress progress = new SyncProgress();
        ProgressFixture.sessionStarted(progress);
        ProgressFixture.queue(progress, 0, null, true);
        List<CircuitBreaker.Status> open = List.of(HealthTest.NEO4J_OPEN);
        List<CircuitBreaker.Status> closed = List.of(HealthTest.NEO4J_CLOSED);
        List<List<CircuitBreaker.Status>> circuits = new java.util.ArrayList<>(List.of(open));
        Instant opened = HealthTest.NEO4J_OPEN.since();
        OutageRecovery recovery = SyncMetrics.registerRecovery(registry, progress, () -> circuits.get(0), Duration.ofSeconds(10),
                Clock.fixed(opened.plusSeconds(4), ZoneOffset.UTC));

        recovery.tick(opened.plusSeconds(1));
        String during = registry.scrape();
        circuits.set(0, closed);
        recovery.tick(opened.plusSeconds(30));

        assertThat(during).contains("nexus_sync_outage_seconds 4.0").contains("nexus_sync_outage_recovery_seconds_count 0");
        assertThat(registry.scrape()).contains("nexus_sync_outage_recovery_seconds_count 1")
                .contains("nexus_sync_outage_recovery_seconds_sum 30.0")
                .contains("nexus_sync_outage_seconds 0.0");
    }

    @Test
    void shouldExportBuildInfoAndTheJvmAndProcess() throws Exception {
        SyncMetrics.registerBuildInfo(registry, "1.2.3", "abc1234");
        try (AutoCloseable gc = SyncMetrics.registerJvm(registry)) {
            String scrape = registry.scrape();
            assertThat(scrape).contains("nexus_sync_build_info{commit=\"abc1234\",version=\"1.2.3\"} 1\n")
                    .contains("jvm_memory_used_bytes{area=\"heap\"")
                    .contains("jvm_threads_live_threads")
                    .contains("jvm_classes_loaded_classes")
                    .contains("process_cpu_usage")
                    .contains("process_uptime_seconds")
                    .contains("process_files_open_files");
        }
    }

    @Test
    void shouldNameErrorKindsFromTheClassificationNeverTheText() {
        assertThat(SyncMetrics.errorKind(SyncException.rejected("connection refused", null))).isEqualTo("rejected");
        assertThat(SyncMetrics.errorKind(SyncException.retryable("constraint", null))).isEqualTo("transient");
        assertThat(SyncMetrics.errorKind(SyncException.persistent("timeout", null))).isEqualTo("persistent");
    }

    /** What a call meets when its server's circuit is open: turned away before reaching the server. */
    private static SyncException circuitOpen() {
        CircuitBreaker circuit = new CircuitBreaker("neo4j", 1,
                new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), 0, d -> { }, new java.util.Random(1)),
                new ManualClock(Instant.parse("2026-12-07T00:00:00Z")));
        catchThrowableOfType(SyncException.class, () -> circuit.run(() -> {
            throw SyncException.retryable("connection refused", null);
        }));
        SyncException turnedAway = catchThrowableOfType(SyncException.class, () -> circuit.run(() -> { }));
        assertThat(turnedAway.reachedTarget()).isFalse();
        return turnedAway;
    }
}
