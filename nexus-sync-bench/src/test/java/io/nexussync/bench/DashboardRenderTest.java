package io.nexussync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DashboardRenderTest {

    @Test
    void shouldTurnGrafanasVariablesIntoPromqlThatPrometheusAccepts() {
        assertThat(DashboardRender.grafanaToPromql("sum by (table) (rate(nexus_sync_failures_total{job=\"$job\",table=~\"${table}\"}[$__rate_interval]))"))
                .isEqualTo("sum by (table) (rate(nexus_sync_failures_total{job=~\".*\",table=~\".*\"}[1m]))");
        assertThat(DashboardRender.grafanaToPromql("up{instance!=\"$instance\"}")).isEqualTo("up{instance!~\"\"}");
        assertThat(DashboardRender.grafanaToPromql("nexus_sync_lag_seconds")).isEqualTo("nexus_sync_lag_seconds");
    }
}
