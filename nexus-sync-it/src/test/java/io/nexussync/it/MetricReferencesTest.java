package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.MetricReferences;
import org.junit.jupiter.api.Test;

/** The check {@link MetricsDashboardIT} runs, against a small scrape: it finds what a dashboard names and /metrics lacks. */
class MetricReferencesTest {
    static final String SCRAPE = """
            # HELP nexus_sync_changes_applied_total row changes applied to the graph
            # TYPE nexus_sync_changes_applied_total counter
            nexus_sync_changes_applied_total 42.0
            nexus_sync_commit_to_visible_seconds_bucket{lane="critical",le="0.1"} 3
            nexus_sync_commit_to_visible_seconds_count{lane="critical"} 3
            nexus_sync_failures_total{entity_type="public.tags",error_kind="transient"} 0.0
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.0E7
            nexus_sync_build_info{commit="abc",version="1.0"} 1
            """;
    private final MetricReferences references = MetricReferences.of(SCRAPE);

    @Test
    void shouldAcceptWhatTheScrapeHasWithItsLabelsAndTheLabelsPrometheusAdds() {
        assertThat(references.problems("p", "sum(rate(nexus_sync_changes_applied_total{instance=~\"$instance\"}[$__rate_interval]))")).isEmpty();
        assertThat(references.problems("p", "histogram_quantile(0.99, sum by (lane, le) (rate(nexus_sync_commit_to_visible_seconds_bucket[5m])))")).isEmpty();
        assertThat(references.problems("p", "sum by (instance, entity_type, error_kind) (rate(nexus_sync_failures_total{error_kind!=\"transient\"}[5m])) > 1")).isEmpty();
        assertThat(references.problems("p", "sum by (instance) (jvm_memory_used_bytes{area=\"heap\"})")).isEmpty();
        assertThat(references.problems("p", "nexus_sync_commit_to_visible_seconds")).as("a histogram's family name").isEmpty();
        assertThat(references.problems("p", "absent(nexus_sync_build_info) and nexus_sync_changes_applied_total == 0")).isEmpty();
        assertThat(references.problems("v", "label_values(nexus_sync_build_info, instance)")).isEmpty();
    }

    @Test
    void shouldNameAMisspeltMetric() {
        assertThat(references.problems("panel 'Throughput'", "sum(rate(nexus_sync_changes_aplied_total[5m]))"))
                .containsExactly("panel 'Throughput': nexus_sync_changes_aplied_total is not on /metrics (sum(rate(nexus_sync_changes_aplied_total[5m])))");
        assertThat(references.problems("v", "label_values(nexus_sync_bild_info, instance)")).hasSize(1);
    }

    @Test
    void shouldNameALabelOrALabelValueTheSeriesLack() {
        assertThat(references.problems("p", "sum by (table) (rate(nexus_sync_failures_total[5m]))"))
                .singleElement().asString().contains("groups by table");
        assertThat(references.problems("p", "nexus_sync_failures_total{kind=\"transient\"}"))
                .singleElement().asString().contains("has the label kind");
        assertThat(references.problems("p", "jvm_memory_used_bytes{area=\"heaps\"}"))
                .singleElement().asString().contains("area=\"heaps\"");
    }
}
