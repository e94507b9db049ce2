package io.nexussync.app.admin;

import io.nexussync.core.pipeline.ServiceState;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.fault.CircuitBreaker.State;
import io.nexussync.core.pipeline.SyncProgress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code /health} answers for each combination of the service's state and its circuits. */
class HealthTest {
    static final Instant DOWN = Instant.parse("2026-11-24T23:50:01Z");
    static final CircuitBreaker.Status NEO4J_CLOSED = new CircuitBreaker.Status("neo4j", State.CLOSED, DOWN, null, null, 0);
    static final CircuitBreaker.Status NEO4J_OPEN = new CircuitBreaker.Status("neo4j", State.OPEN, DOWN, "connection refused",
            DOWN.plusSeconds(4), 1);
    static final CircuitBreaker.Status WRITE_BACK_HALF_OPEN = new CircuitBreaker.Status("postgres write-back", State.HALF_OPEN, DOWN,
            "the connection was closed", null, 2);

    private final SyncProgress progress = new SyncProgress();

    @Test
    void shouldBeReadyWhileStreamingWithEveryCircuitClosed() {
        progress.stateChanged(ServiceState.STREAMING, null);

        Health health = Health.of(progress, List.of(NEO4J_CLOSED));

        assertThat(health.status()).isEqualTo("ready");
        assertThat(health.live()).isTrue();
        assertThat(health.ready()).isTrue();
        assertThat(health.reasons()).isEmpty();
        assertThat(health.httpStatus()).isEqualTo(200);
    }

    @Test
    void shouldBeDegradedAndNameEachServerThatIsAwayAndSinceWhen() {
        progress.stateChanged(ServiceState.STREAMING, null);

        Health health = Health.of(progress, List.of(NEO4J_OPEN, WRITE_BACK_HALF_OPEN));

        assertThat(health.status()).isEqualTo("degraded");
        assertThat(health.live()).as("it recovers by itself: no restart").isTrue();
        assertThat(health.ready()).isFalse();
        assertThat(health.httpStatus()).isEqualTo(503);
        assertThat(health.reasons()).containsExactly("neo4j unreachable since 2026-11-24T23:50:01Z: connection refused",
                "postgres write-back unreachable since 2026-11-24T23:50:01Z: the connection was closed");
        assertThat(health.body()).containsEntry("reason", health.reasons().get(0));
    }

    @Test
    void shouldBeDegradedWhileTheStreamReconnectsAndSayWhy() {
        progress.stateChanged(ServiceState.RECONNECTING, SyncException.retryable("PostgreSQL at localhost:5432 cannot be reached", null));

        Health health = Health.of(progress, List.of(NEO4J_CLOSED));

        assertThat(health.status()).isEqualTo("degraded");
        assertThat(health.ready()).isFalse();
        assertThat(health.reasons()).singleElement().asString()
                .startsWith("reconnecting since " + progress.stateSince()).endsWith(": PostgreSQL at localhost:5432 cannot be reached");
    }

    @Test
    void shouldBeStartingDuringTheSnapshotUnlessAServerIsAway() {
        progress.stateChanged(ServiceState.SNAPSHOT, null);

        assertThat(Health.of(progress, List.of(NEO4J_CLOSED)).status()).isEqualTo("starting");
        assertThat(Health.of(progress, List.of(NEO4J_CLOSED)).httpStatus()).isEqualTo(503);
        assertThat(Health.of(progress, List.of(NEO4J_OPEN)).status()).isEqualTo("degraded");
    }

    @Test
    void shouldBeFailedAndNotLiveWhenStoppedForGood() {
        progress.stateChanged(ServiceState.FAILED, SyncException.persistent("replication slot 'x' was invalidated", null));

        Health health = Health.of(progress, List.of(NEO4J_CLOSED));

        assertThat(health.status()).isEqualTo("failed");
        assertThat(health.live()).isFalse();
        assertThat(health.reasons()).singleElement().asString().endsWith(": replication slot 'x' was invalidated");
    }

    @Test
    void shouldNameWhatFailedAndItsSqlStateButNeverTheServersTextWhichCanQuoteARow() throws Exception {
        progress.stateChanged(ServiceState.FAILED, RowValueFailures.castFailure("write-back"));
        CircuitBreaker writeBack = RowValueFailures.openedCircuit("postgres write-back", "write-back");

        Health health = Health.of(progress, List.of(writeBack.status()));

        assertThat(new ObjectMapper().writeValueAsString(health.body())).doesNotContain(RowValueFailures.SECRET);
        assertThat(health.reasons()).hasSize(2);
        assertThat(health.reasons().get(0)).startsWith("postgres write-back unreachable since 2026-11-24T23:50:01Z: PostgreSQL failed during write-back")
                .contains("SQLState 40001").contains("service log");
        assertThat(health.reasons().get(1)).startsWith("failed since").contains("PostgreSQL failed during write-back").contains("SQLState 22P02");
    }

    @Test
    void shouldKeepTheTimeTheStateWasEnteredWhileItRepeats() throws InterruptedException {
        progress.stateChanged(ServiceState.RECONNECTING, SyncException.retryable("first", null));
        Instant entered = progress.stateSince();
        Thread.sleep(5);
        progress.stateChanged(ServiceState.RECONNECTING, SyncException.retryable("second", null));

        assertThat(progress.stateSince()).isEqualTo(entered);
        progress.stateChanged(ServiceState.STREAMING, null);
        assertThat(progress.stateSince()).isAfter(entered);
    }

    @Test
    void shouldBeDegradedWhileStreamingWhenACriticalWriteIsPreparedTooLong() {
        progress.stateChanged(ServiceState.STREAMING, null);
        String alert = "1 critical write is prepared in PostgreSQL, the oldest for 75 s (critical.alert-age is 60 s)";

        Health health = Health.of(progress, List.of(NEO4J_CLOSED), List.of(alert));

        assertThat(health.status()).isEqualTo("degraded");
        assertThat(health.live()).isTrue();
        assertThat(health.ready()).isFalse();
        assertThat(health.httpStatus()).isEqualTo(503);
        assertThat(health.reasons()).containsExactly(alert);
        assertThat(Health.of(progress, List.of(NEO4J_CLOSED), List.of()).ready()).isTrue();
    }
}
