package io.nexussync.core.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.schedule.Footprint;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParkedEntitiesTest {
    private static final String X = Footprint.nodeKey("ContentItem", "x");
    private static final String Y = Footprint.nodeKey("ContentItem", "y");

    @Test
    void shouldParkFromTheHeadsPositionOnAndReleaseAtAPointOfTheStream() {
        ParkedEntities parked = ParkedEntities.NONE.park(Set.of(X), 7, at("0/2000", 0)).release(7, at("0/5000", 0));

        assertThat(parked.headFor(writes(X), at("0/1000", 0))).as("before the head: applies").isZero();
        assertThat(parked.headFor(writes(X), at("0/2000", 0))).isEqualTo(7);
        assertThat(parked.headFor(writes(X), at("0/4000", 3))).as("read before the release: still waits").isEqualTo(7);
        assertThat(parked.headFor(writes(X), at("0/5000", 0))).as("at the release: applies").isZero();
        assertThat(parked.headFor(writes(Y), at("0/3000", 0))).isZero();
    }

    @Test
    void shouldParkAChangeThatPointsAtAParkedNode() {
        ParkedEntities parked = ParkedEntities.NONE.park(Set.of(X), 7, at("0/2000", 0));
        Footprint relationship = new Footprint(Set.of("R\u0000TAGGED\u0000x\u0000t"), Set.of(X), false, false);

        assertThat(parked.headFor(relationship, at("0/3000", 0))).isEqualTo(7);
    }

    @Test
    void shouldParkAnEntityAgainBehindANewHeadAfterItsOldHeadWasReleased() {
        ParkedEntities parked = ParkedEntities.NONE.park(Set.of(X), 7, at("0/2000", 0)).release(7, at("0/3000", 0))
                .park(Set.of(X), 9, at("0/4000", 0));

        assertThat(parked.headFor(writes(X), at("0/3500", 0))).isZero();
        assertThat(parked.headFor(writes(X), at("0/4000", 0))).isEqualTo(9);
    }

    @Test
    void shouldKeepAReleaseThatCameBeforeAWorkerParkedBehindTheSameHead() {
        ParkedEntities parked = ParkedEntities.NONE.release(7, at("0/3000", 0)).park(Set.of(X), 7, at("0/2000", 0));

        assertThat(parked.headFor(writes(X), at("0/2500", 0))).isEqualTo(7);
        assertThat(parked.headFor(writes(X), at("0/3000", 1))).isZero();
    }

    @Test
    void shouldForgetHeadsReleasedInTransactionsWhollyApplied() {
        ParkedEntities parked = ParkedEntities.NONE.park(Set.of(X), 7, at("0/2000", 0)).release(7, at("0/3000", 0))
                .park(Set.of(Y), 8, at("0/2500", 0));

        ParkedEntities later = parked.forgetReleasedBefore(Lsn.valueOf("0/3010"));

        assertThat(later.entitiesBehind(7)).isEmpty();
        assertThat(later.entitiesBehind(8)).containsExactly(Y);
        assertThat(ParkedEntities.NONE.park(Set.of(X), 7, at("0/2000", 0)).release(7, at("0/3000", 0))
                .forgetReleasedBefore(Lsn.valueOf("0/3010")).isEmpty()).isTrue();
    }

    private static Footprint writes(String entity) {
        return new Footprint(Set.of(entity), Set.of(), false, false);
    }

    private static Position at(String lsn, long index) {
        return new Position(Lsn.valueOf(lsn), index);
    }
}
