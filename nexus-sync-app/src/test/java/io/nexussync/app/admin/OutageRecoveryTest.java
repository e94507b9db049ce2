package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.ProgressFixture;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outage-recovery clock: from a stream break or an open circuit until caught up again, the start-up not counted. */
class OutageRecoveryTest {
    private final SyncProgress progress = new SyncProgress();
    private final List<Duration> recoveries = new ArrayList<>();
    private List<CircuitBreaker.Status> circuits = List.of(HealthTest.NEO4J_CLOSED);
    private final OutageRecovery recovery = new OutageRecovery(progress, () -> circuits, Duration.ofSeconds(10), recoveries::add);

    @Test
    void shouldNotCountTheStartUpOrTheInitialSnapshot() {
        progress.stateChanged(ServiceState.SNAPSHOT, null);
        recovery.tick(Instant.now());
        ProgressFixture.sessionStarted(progress);
        ProgressFixture.queue(progress, 0, null, true);
        recovery.tick(Instant.now().plusSeconds(1));

        assertThat(recoveries).isEmpty();
        assertThat(recovery.current(Instant.now())).isZero();
    }

    @Test
    void shouldTimeAStreamBreakFromItsStartUntilCaughtUpNotJustUntilStreaming() {
        ProgressFixture.sessionStarted(progress);
        progress.stateChanged(ServiceState.RECONNECTING, null);
        Instant broke = progress.stateSince();
        recovery.tick(broke.plusSeconds(2));
        assertThat(recovery.current(broke.plusSeconds(3))).isEqualTo(Duration.ofSeconds(3));

        ProgressFixture.sessionStarted(progress);
        ProgressFixture.queue(progress, 50_000, broke.minusSeconds(1), false);
        recovery.tick(broke.plusSeconds(20));
        assertThat(recoveries).as("streaming again, but 21 s behind").isEmpty();

        ProgressFixture.queue(progress, 0, null, true);
        recovery.tick(broke.plusSeconds(45));
        assertThat(recoveries).hasSize(1);
        assertThat(recoveries.get(0)).isBetween(Duration.ofSeconds(44), Duration.ofSeconds(45));
        assertThat(recovery.current(broke.plusSeconds(46))).isZero();
    }

    @Test
    void shouldNotCountAWriteRetriedOnContention() {
        ProgressFixture.sessionStarted(progress);
        ProgressFixture.queue(progress, 0, null, true);
        progress.stateChanged(ServiceState.RETRYING, null);
        recovery.tick(Instant.now());
        ProgressFixture.sessionStarted(progress);
        ProgressFixture.queue(progress, 0, null, true);
        recovery.tick(Instant.now().plusSeconds(1));

        assertThat(recoveries).isEmpty();
    }

    @Test
    void shouldTimeAnOpenCircuitFromWhenItOpened() {
        ProgressFixture.sessionStarted(progress);
        ProgressFixture.queue(progress, 0, null, true);
        circuits = List.of(HealthTest.NEO4J_OPEN);
        Instant opened = HealthTest.NEO4J_OPEN.since();
        recovery.tick(opened.plusSeconds(5));

        circuits = List.of(HealthTest.NEO4J_CLOSED);
        recovery.tick(opened.plusSeconds(12));

        assertThat(recoveries).containsExactly(Duration.ofSeconds(12));
    }
}
