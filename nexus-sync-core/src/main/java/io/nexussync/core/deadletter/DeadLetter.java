package io.nexussync.core.deadletter;

import io.nexussync.core.apply.ConsumedAt;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import java.util.Set;

/**
 * A change the graph refused for good ({@code behind} 0: a head, with the error), or a later change to the same
 * entities parked behind head {@code behind} so that no newer state overtakes the one that failed.
 *
 * @param position the change's place in the stream: what makes recording it again (after a restart) a no-op
 * @param entities the graph keys the change writes; while its head is open, changes touching them are parked too
 * @param consumedAt where the apply role consumed the change from Kafka (group, topic, partition, offset); null when the
 *                   change was read from the replication slot ({@code run})
 */
public record DeadLetter(Position position, RowChange change, Set<String> entities, String error, long behind, ConsumedAt consumedAt) {
    public DeadLetter {
        entities = Set.copyOf(entities);
    }

    /** A change read from the replication slot. */
    public DeadLetter(Position position, RowChange change, Set<String> entities, String error, long behind) {
        this(position, change, entities, error, behind, null);
    }

    public boolean isHead() {
        return behind == 0;
    }
}
