package io.nexussync.postgres.critical;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A prepared transaction's 32-bit id given its epoch, on both sides of a wraparound. */
class Xid8Test {
    private static final long EPOCH_2 = 2L << 32;
    private static final long EPOCH_3 = 3L << 32;

    @Test
    void shouldGiveAnIdOfTheSameEpochWhenNoWraparoundCameBetween() {
        assertThat(Xid8.of(750, 760)).isEqualTo(750);
        assertThat(Xid8.of(1_000, EPOCH_3 + 5_000)).isEqualTo(EPOCH_3 + 1_000);
    }

    /** The snapshot's xmax is one past the latest completed transaction: the prepared one, not completed, may be at or after it. */
    @Test
    void shouldGiveTheSameEpochToAnIdAtOrAfterTheSnapshotsXmax() {
        assertThat(Xid8.of(771, 771)).isEqualTo(771);
        assertThat(Xid8.of(780, 771)).isEqualTo(780);
        assertThat(Xid8.of(EPOCH_3 + 9, EPOCH_3 + 2)).as("given with its epoch").isEqualTo(EPOCH_3 + 9);
    }

    @Test
    void shouldGiveTheEpochBeforeToAnIdAssignedBeforeTheLastWraparound() {
        long beforeWrap = 0xFFFF_FF00L;

        assertThat(Xid8.of(beforeWrap, EPOCH_3 + 10)).isEqualTo(EPOCH_2 + beforeWrap);
    }

    @Test
    void shouldGiveTheEpochAfterToAnIdAssignedAfterAWraparoundTheSnapshotHasNotSeen() {
        assertThat(Xid8.of(5, EPOCH_2 + 0xFFFF_FFF0L)).isEqualTo(EPOCH_3 + 5);
    }
}
