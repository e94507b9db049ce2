package io.nexussync.postgres.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;
import java.time.Duration;
import java.time.Instant;
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
    void shouldCountABeginPrepareAsABeginAndAPrepareAsACommitThatMustBeAcknowledged() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1));
        heartbeat.observe(new CaptureEvent.BeginPrepare(7, Lsn.of(200), Lsn.of(260), Instant.EPOCH, "app:1"));

        assertThat(heartbeat.due(0)).as("a prepared transaction still arriving").isFalse();
        heartbeat.observe(new CaptureEvent.Prepare(7, Lsn.of(200), Lsn.of(260), Instant.EPOCH, "app:1"));
        assertThat(heartbeat.due(0)).isTrue();
        assertThat(heartbeat.confirmable(500, 200)).as("the pipeline holds the prepared transaction: acknowledged only up to its PREPARE").isZero();
        assertThat(heartbeat.confirmable(500, 260)).as("a critical write applied at its PREPARE").isEqualTo(500);
    }

    @Test
    void shouldNotConfirmWhileAPreparedTransactionIsOpenWhateverFollowsIt() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1), 1_000);
        heartbeat.observe(new CaptureEvent.BeginPrepare(7, Lsn.of(200), Lsn.of(260), Instant.EPOCH, "app:1"));
        heartbeat.observe(new CaptureEvent.Prepare(7, Lsn.of(200), Lsn.of(260), Instant.EPOCH, "app:1"));
        heartbeat.observe(new CaptureEvent.Begin(8, Lsn.of(300), Instant.EPOCH));
        heartbeat.observe(new CaptureEvent.Commit(Lsn.of(300), Lsn.of(340), Instant.EPOCH));

        assertThat(heartbeat.confirmable(5_000, 200)).as("read again after a restart, before the checkpoint: still not in the graph").isZero();
        heartbeat.observe(new CaptureEvent.CommitPrepared(7, Lsn.of(400), Lsn.of(440), Instant.EPOCH, "app:1"));
        assertThat(heartbeat.confirmable(5_000, 200)).as("committed before the checkpoint: in the graph").isEqualTo(5_000);
    }

    @Test
    void shouldCountACommitPreparedOrRollbackPreparedAsACommitAtItsEnd() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1));
        heartbeat.observe(new CaptureEvent.Prepare(7, Lsn.of(200), Lsn.of(260), Instant.EPOCH, "app:1"));
        heartbeat.observe(new CaptureEvent.CommitPrepared(7, Lsn.of(400), Lsn.of(440), Instant.EPOCH, "app:1"));

        assertThat(heartbeat.confirmable(500, 400)).isZero();
        assertThat(heartbeat.confirmable(500, 440)).isEqualTo(500);
        heartbeat.observe(new CaptureEvent.RollbackPrepared(9, Lsn.of(480), Lsn.of(520), Instant.EPOCH, "app:2"));
        assertThat(heartbeat.confirmable(600, 440)).as("a ROLLBACK PREPARED read but not acknowledged").isZero();
        assertThat(heartbeat.confirmable(600, 520)).isEqualTo(600);
    }

    @Test
    void shouldTakeTransactionsTheGraphCheckpointCoversAsInTheGraph() {
        Heartbeat heartbeat = new Heartbeat(Duration.ofSeconds(1), 1_000);
        heartbeat.observe(new CaptureEvent.Begin(8, Lsn.of(300), Instant.EPOCH));
        heartbeat.observe(new CaptureEvent.Commit(Lsn.of(300), Lsn.of(340), Instant.EPOCH));

        assertThat(heartbeat.confirmable(5_000, 200))
                .as("started from the slot's confirmed position (200), read again what the checkpoint (1000) covers: skipped, never acknowledged")
                .isEqualTo(5_000);
        heartbeat.observe(new CaptureEvent.Begin(9, Lsn.of(1_000), Instant.EPOCH));
        heartbeat.observe(new CaptureEvent.Commit(Lsn.of(1_000), Lsn.of(1_040), Instant.EPOCH));
        assertThat(heartbeat.confirmable(5_000, 200)).as("a commit at the checkpoint is not covered by it").isZero();
        assertThat(heartbeat.confirmable(5_000, 1_040)).isEqualTo(5_000);
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
