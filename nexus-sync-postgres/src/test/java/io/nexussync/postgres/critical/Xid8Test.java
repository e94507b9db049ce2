package io.nexussync.postgres.critical;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A prepared transaction's 32-bit id given its epoch, on both sides of a wraparound. */
class Xid8Test {

    @Test
    void shouldGiveAnIdOfTheSameEpochWhenNoWraparoundCameBetween() {
        assertThat(Xid8.of(750, 760)).isEqualTo(750);
        long epoch3 = 3L << 32;
        assertThat(Xid8.of(1_000, epoch3 + 5_000)).isEqualTo(epoch3 + 1_000);
    }

    @Test
    void shouldGiveTheEpochBeforeToAnIdAssignedBeforeTheLastWraparound() {
        long epoch3 = 3L << 32;
        long beforeWrap = 0xFFFF_FF00L;

        assertThat(Xid8.of(beforeWrap, epoch3 + 10)).isEqualTo((2L << 32) + beforeWrap);
    }
}
