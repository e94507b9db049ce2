package io.nexussync.plugin;

import java.time.Instant;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/** Which version of a temporal relationship a {@code validTo} value says it is. */
enum TemporalVersion {
    /** Open: {@code validTo = 9999-12-31T00:00:00Z}, what the forward writer gives the current version. */
    CURRENT,
    /** History: it may not change. */
    CLOSED,
    /** No {@code validTo} date-time at all: not a version the service wrote. */
    NONE;

    static final Instant OPEN_END = Instant.parse("9999-12-31T00:00:00Z");

    static TemporalVersion of(Object validTo) {
        if (validTo instanceof TemporalAccessor time && time.isSupported(ChronoField.INSTANT_SECONDS)) {
            return OPEN_END.equals(Instant.from(time)) ? CURRENT : CLOSED;
        }
        return NONE;
    }
}
