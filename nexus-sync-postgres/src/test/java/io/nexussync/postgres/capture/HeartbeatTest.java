package io.nexussync.postgres.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The heartbeat's one rule: confirm the server's position only when everything received is in the graph. */
class HeartbeatTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldConfirmTheServerPositionWhenEverythingReceivedIsAcknowledged() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1));
        heartbeat.begin();
        heartbeat.commit(100);

        assertThat(heartbeat.due(0)).isTrue();
        assertThat(heartbeat.confirmable(500, 100)).isEqualTo(500);
    }

    @Test
    void shouldNeverConfirmPastACommitThePipelineHasNotAcknowledged() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1));
        heartbeat.begin();
        heartbeat.commit(100);

        assertThat(heartbeat.confirmable(500, 99)).as("the graph has not committed the transaction ending at 100").isZero();
        assertThat(heartbeat.confirmable(500, 0)).isZero();
    }

    @Test
    void shouldNeverBeatInsideATransactionStillArriving() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1));
        heartbeat.commit(100);
        heartbeat.begin();

        assertThat(heartbeat.due(0)).isFalse();
        assertThat(heartbeat.confirmable(500, 100)).as("a keepalive in the middle of a transaction").isZero();
        heartbeat.commit(450);
        assertThat(heartbeat.due(0)).isTrue();
        assertThat(heartbeat.confirmable(500, 450)).isEqualTo(500);
    }

    @Test
    void shouldBeDueAtMostOncePerInterval() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(10));

        assertThat(heartbeat.due(0)).isTrue();
        assertThat(heartbeat.due(9 * SECOND)).isFalse();
        assertThat(heartbeat.due(10 * SECOND)).isTrue();
        assertThat(heartbeat.due(11 * SECOND)).isFalse();
    }

    @Test
    void shouldStayQuietWhenTheServerPositionIsNotAhead() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1));

        assertThat(heartbeat.confirmable(500, 500)).isZero();
        assertThat(heartbeat.confirmable(400, 500)).isZero();
    }

    @Test
    void shouldNeverBeDueWhenTurnedOff() {
        Heartbeat heartbeat = new Heartbeat(Duration.ZERO);

        assertThat(heartbeat.enabled()).isFalse();
        assertThat(heartbeat.due(0)).isFalse();
        assertThat(heartbeat.due(100 * SECOND)).isFalse();
    }

    @Test
    void shouldCompareWalPositionsUnsigned() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1));
        heartbeat.commit(0x7FFF_FFFF_FFFF_FFF0L);

        assertThat(heartbeat.confirmable(0x8000_0000_0000_0010L, 0x7FFF_FFFF_FFFF_FFF0L)).isEqualTo(0x8000_0000_0000_0010L);
        assertThat(heartbeat.confirmable(0x8000_0000_0000_0010L, 0x10L)).isZero();
    }
}
