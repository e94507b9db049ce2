package io.nexussync.app.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusHistoryTest {
    private static final Instant START = Instant.parse("2026-12-07T01:00:00Z");

    @Test
    void shouldKeepOnlyTheWindowsWorthOfSamplesOldestFirst() {
        StatusHistory history = new StatusHistory(Duration.ofSeconds(5), Duration.ofSeconds(1));
        for (int second = 0; second < 12; second++) {
            history.record(START.plusSeconds(second), "streaming", second * 10L, 0, null);
        }

        assertThat(history.samples()).hasSize(5)
                .extracting(StatusHistory.Sample::at)
                .containsExactly(START.plusSeconds(7), START.plusSeconds(8), START.plusSeconds(9), START.plusSeconds(10), START.plusSeconds(11));
    }

    @Test
    void shouldComputeThroughputFromTheAppliedCountAndTheTimeBetweenSamples() {
        StatusHistory history = new StatusHistory();
        history.record(START, "streaming", 100, 3, 4096L);
        history.record(START.plusMillis(500), "streaming", 150, 1, 0L);
        history.record(START.plusMillis(2500), "streaming", 150, 0, 0L);

        assertThat(history.samples()).extracting(StatusHistory.Sample::changesPerSecond).containsExactly(0.0, 100.0, 0.0);
        assertThat(history.samples().get(0).pending()).isEqualTo(3);
        assertThat(history.samples().get(0).slotLagBytes()).isEqualTo(4096L);
    }

    @Test
    void shouldNotShowARestartedCounterAsNegativeThroughput() {
        StatusHistory history = new StatusHistory();
        history.record(START, "streaming", 1_000, 0, null);
        history.record(START.plusSeconds(1), "reconnecting", 20, 0, null);

        assertThat(history.samples().get(1).changesPerSecond()).isZero();
    }

    @Test
    void shouldRefuseAnIntervalLongerThanTheWindow() {
        assertThatThrownBy(() -> new StatusHistory(Duration.ofSeconds(1), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval");
    }
}
