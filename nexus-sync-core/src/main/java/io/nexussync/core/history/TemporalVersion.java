package io.nexussync.core.history;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One version of a temporal relationship from a start node to the end node {@code toId}: valid from {@code validFrom}
 * (the PostgreSQL commit time of the change that opened it) until {@code validTo} (the commit time of the change that
 * closed it, or {@link #OPEN_END} while it is current). {@code version} is the row's version at that change (null when the
 * graph holds none); {@code properties} are the mapped columns' values as the graph holds them, without the three above.
 */
public record TemporalVersion(String toId, Instant validFrom, Instant validTo, Long version, Map<String, Object> properties) {
    /** The {@code validTo} of a current version: {@code datetime('9999-12-31T00:00:00Z')}. */
    public static final Instant OPEN_END = Instant.parse("9999-12-31T00:00:00Z");

    public TemporalVersion {
        // Sorted, so that every answer lists a version's properties in one order.
        properties = java.util.Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    public boolean current() {
        return validTo.equals(OPEN_END);
    }

    /** The as-of rule, the same as the documented Cypher's: {@code validFrom <= at < validTo}. */
    public boolean validAt(Instant at) {
        return !validFrom.isAfter(at) && at.isBefore(validTo);
    }

    /** Valid an instant before {@code at}, however close: it began before {@code at} and had not ended before it. */
    boolean validJustBefore(Instant at) {
        return validFrom.isBefore(at) && !validTo.isBefore(at);
    }
}
