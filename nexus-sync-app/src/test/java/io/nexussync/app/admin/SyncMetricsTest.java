package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.pipeline.VisibilityListener;
import io.nexussync.core.plan.Lane;
import java.time.Instant;
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
}
