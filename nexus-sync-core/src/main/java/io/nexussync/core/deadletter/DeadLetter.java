package io.nexussync.core.deadletter;

import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import java.util.Set;

/**
 * A change the graph refused for good ({@code behind} 0: a head, with the error), or a later change to the same
 * entities parked behind head {@code behind} so that no newer state overtakes the one that failed.
 *
 * @param position the change's place in the stream: what makes recording it again (after a restart) a no-op
 * @param entities the graph keys the change writes; while its head is open, changes touching them are parked too
 */
public record DeadLetter(Position position, RowChange change, Set<String> entities, String error, long behind) {
    public DeadLetter {
        entities = Set.copyOf(entities);
    }

    public boolean isHead() {
        return behind == 0;
    }
}
