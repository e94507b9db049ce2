package io.nexussync.core.history;

import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

/**
 * One change of a temporal relationship between a start node and the end node {@code toId}, at {@code time} (the commit
 * time of the PostgreSQL transaction that made it), derived from the versions by {@link ChangeDerivation}.
 */
public sealed interface HistoryChange {
    Instant time();

    String toId();

    /** The row version the change left (added, changed), or the last one the row had (removed); null when the graph holds none. */
    Long version();

    /** Exhaustive dispatch (Java 17 has no pattern switch): a new kind of change does not compile until every caller handles it. */
    <T> T match(Function<Added, T> added, Function<Changed, T> changed, Function<Removed, T> removed);

    /** A pair that had no version before {@code time} has one from then: the row was inserted. */
    record Added(Instant time, String toId, Long version, Map<String, Object> properties) implements HistoryChange {
        @Override
        public <T> T match(Function<Added, T> added, Function<Changed, T> changed, Function<Removed, T> removed) {
            return added.apply(this);
        }
    }

    /**
     * A new version replaced the pair's version at {@code time}: the row was updated. {@code changed} holds the properties
     * whose values differ, and is empty when only columns the graph does not hold changed.
     */
    record Changed(Instant time, String toId, Long version, Long previousVersion, Map<String, PropertyChange> changed)
            implements HistoryChange {
        @Override
        public <T> T match(Function<Added, T> added, Function<Changed, T> changed, Function<Removed, T> removed) {
            return changed.apply(this);
        }
    }

    /** The pair's version ended at {@code time} and none followed: the row was deleted. {@code properties} are its last values. */
    record Removed(Instant time, String toId, Long version, Map<String, Object> properties) implements HistoryChange {
        @Override
        public <T> T match(Function<Added, T> added, Function<Changed, T> changed, Function<Removed, T> removed) {
            return removed.apply(this);
        }
    }
}
