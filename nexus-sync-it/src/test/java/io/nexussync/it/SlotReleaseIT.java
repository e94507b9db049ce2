package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.model.Lsn;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.capture.PgReplicationSource;
import io.nexussync.postgres.setup.PgSetup;
import io.nexussync.postgres.slot.SlotInUseException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A start finds the slot still held by a consumer that is going away (this service's previous process, whose
 * walsender PostgreSQL has not let go yet): it waits for the slot rather than exiting; one that stays is still refused.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SlotReleaseIT {

    @Test
    void shouldWaitForASlotItsPreviousConsumerIsLettingGoAndRefuseOneThatStays() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("slot_release")) {
            env.setup();
            env.query("SELECT pg_create_logical_replication_slot(?, 'pgoutput') IS NOT NULL AS created", env.config().postgres().slot());

            PgReplicationSource leaving = PgReplicationSource.start(env.config().postgres(), Lsn.INVALID, 16, Duration.ZERO);
            Thread closer = closeInTwoSeconds(leaving);
            long started = System.nanoTime();
            try (PgReplicationSource next = PgReplicationSource.start(env.config().postgres(), Lsn.INVALID, 16, Duration.ZERO)) {
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it waited for the first consumer to let go")
                        .isGreaterThan(Duration.ofMillis(1_500));
                closer.join();

                long refusedAfter = System.nanoTime();
                assertThatThrownBy(() -> PgReplicationSource.start(env.config().postgres(), Lsn.INVALID, 16, Duration.ZERO).close())
                        .isInstanceOf(SlotInUseException.class).hasMessageContaining("is in use by another consumer");
                assertThat(Duration.ofNanos(System.nanoTime() - refusedAfter)).as("a consumer that stays is refused after the wait")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(9));
            }

            // The start-up check waits the same way.
            PgReplicationSource leavingAgain = PgReplicationSource.start(env.config().postgres(), Lsn.INVALID, 16, Duration.ZERO);
            Thread closerAgain = closeInTwoSeconds(leavingAgain);
            long checked = System.nanoTime();
            PgSetup.checkSlotFree(env.config().postgres());
            assertThat(Duration.ofNanos(System.nanoTime() - checked)).as("the start-up check waited for the consumer to let go")
                    .isGreaterThan(Duration.ofMillis(1_500));
            closerAgain.join();
        }
    }

    /** A consumer going away: it lets go of the slot two seconds from now. */
    private static Thread closeInTwoSeconds(PgReplicationSource consumer) {
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
        });
        closer.start();
        return closer;
    }
}
