package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.ProgressFixture;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code /health/live} and {@code /health/ready} answer: live unless it cannot make progress, ready only streaming and caught up. */
class ProbeTest {
    static final Duration READY_LAG = Duration.ofSeconds(10);

    private final SyncProgress progress = new SyncProgress();

    @Test
    void shouldBeLiveButNotReadyDuringALongInitialSnapshot() {
        progress.stateChanged(ServiceState.SNAPSHOT, null);
        Instant hoursLater = progress.stateSince().plus(Duration.ofHours(5));

        Probe live = Probe.live(List.of());
        Probe ready = Probe.ready(progress, List.of(HealthTest.NEO4J_CLOSED), List.of(), READY_LAG, hoursLater);

        assertThat(live.httpStatus()).isEqualTo(200);
        assertThat(live.body()).containsEntry("status", "live");
        assertThat(ready.httpStatus()).isEqualTo(503);
        assertThat(ready.reasons()).singleElement().asString().startsWith("snapshot since ");
    }

    @Test
    void shouldNotBeLiveWhenSomethingKeepsTheProcessFromProgress() {
        Probe live = Probe.live(List.of("the stream component's thread has ended"));

        assertThat(live.httpStatus()).isEqualTo(503);
        assertThat(live.body()).containsEntry("status", "dead").containsEntry("reasons", List.of("the stream component's thread has ended"));
    }

    @Test
    void shouldNotBeReadyBeforeTheServiceStreams() {
        Probe ready = Probe.ready(progress, List.of(), List.of(), READY_LAG, Instant.now());

        assertThat(ready.httpStatus()).isEqualTo(503);
        assertThat(ready.reasons()).singleElement().asString().startsWith("starting since ");
    }

    @Test
    void shouldBeReadyStreamingAfterReadingTheWholeStreamWithNothingWaiting() {
        ProgressFixture.sessionStarted(progress);
        ProgressFixture.queue(progress, 0, null, true);

        Probe ready = Probe.ready(progress, List.of(HealthTest.NEO4J_CLOSED), List.of(), READY_LAG, progress.stateSince().plusMillis(200));

        assertThat(ready.httpStatus()).isEqualTo(200);
        assertThat(ready.body()).containsEntry("status", "ready").containsEntry("lagSeconds", 0.0);
        assertThat(ready.reasons()).isEmpty();
    }

    @Test
    void shouldNotBeReadyWhileBehindTheStreamByMoreThanTheReadyLag() {
        ProgressFixture.sessionStarted(progress);
        Instant now = progress.stateSince().plusSeconds(60);
        ProgressFixture.queue(progress, 40_000, now.minusSeconds(30), true);

        Probe ready = Probe.ready(progress, List.of(), List.of(), READY_LAG, now);

        assertThat(ready.httpStatus()).isEqualTo(503);
        assertThat(ready.body()).containsEntry("lagSeconds", 30.0);
        assertThat(ready.reasons()).containsExactly("behind the stream by 30 s (more than admin.ready-lag, 10 s)");
    }

    @Test
    void shouldBeReadyWhenBehindByLessThanTheReadyLag() {
        ProgressFixture.sessionStarted(progress);
        Instant now = progress.stateSince().plusSeconds(60);
        ProgressFixture.queue(progress, 200, now.minusSeconds(3), true);

        assertThat(Probe.ready(progress, List.of(), List.of(), READY_LAG, now).httpStatus()).isEqualTo(200);
    }

    @Test
    void shouldWaitForAFreshSessionToReadTheStreamOrForTheReadyLagOfQuiet() {
        ProgressFixture.sessionStarted(progress);

        Probe atOnce = Probe.ready(progress, List.of(), List.of(), READY_LAG, progress.stateSince().plusSeconds(1));
        Probe quietLongEnough = Probe.ready(progress, List.of(), List.of(), READY_LAG, progress.stateSince().plusSeconds(10));

        assertThat(atOnce.httpStatus()).isEqualTo(503);
        assertThat(atOnce.reasons()).containsExactly("catching up: the stream session has not read everything the stream had yet");
        assertThat(quietLongEnough.httpStatus()).as("a quiet database gives the stream nothing to deliver").isEqualTo(200);
    }

    @Test
    void shouldNotBeReadyWithAServerAwayOrTheStreamReconnectingAndSayWhyWithoutServerText() {
        ProgressFixture.sessionStarted(progress);
        ProgressFixture.queue(progress, 0, null, true);
        CircuitBreaker.Status open = HealthTest.NEO4J_OPEN;

        Probe away = Probe.ready(progress, List.of(open), List.of(), READY_LAG, Instant.now());
        progress.stateChanged(ServiceState.RECONNECTING, SyncException.retryable(
                io.nexussync.core.error.ErrorText.withDetail("PostgreSQL cannot be reached", "FATAL: password authentication failed for user \"x\""), null));
        Probe reconnecting = Probe.ready(progress, List.of(), List.of(), READY_LAG, Instant.now());

        assertThat(away.httpStatus()).isEqualTo(503);
        assertThat(away.reasons()).containsExactly("neo4j unreachable since 2026-11-24T23:50:01Z: connection refused");
        assertThat(reconnecting.httpStatus()).isEqualTo(503);
        assertThat(reconnecting.reasons()).singleElement().asString().startsWith("reconnecting since ")
                .contains("PostgreSQL cannot be reached").doesNotContain("password authentication");
    }
}
