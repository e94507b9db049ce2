package io.nexussync.app.service;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The instants of {@code nexus-sync history} and {@code GET /history/...}, read from text the same way for both:
 * {@code at} (default now), {@code from} (default the beginning) and {@code to} (default now), each an ISO-8601 instant with
 * its offset. A bad value is a {@link BadParameter} naming the parameter and the fix.
 */
public final class HistoryParameters {
    /** Where a window without {@code from} begins: before any commit time PostgreSQL can give (its own epoch is 2000). */
    public static final Instant BEGINNING = Instant.EPOCH;
    static final String EXAMPLE = "2026-12-07T05:30:00Z or 2026-12-07T06:30:00+01:00";

    private HistoryParameters() {}

    /** A parameter's value that cannot be used: {@code parameter} names it (without dashes), the message says what to use instead. */
    public static final class BadParameter extends IllegalArgumentException {
        private final String parameter;

        BadParameter(String parameter, String message) {
            super(message);
            this.parameter = parameter;
        }

        public String parameter() {
            return parameter;
        }
    }

    /** Two instants, {@code from} not after {@code to}. */
    public record Window(Instant from, Instant to) {}

    /** {@code at}, or now when not given (null). */
    public static Instant at(String at, Clock clock) {
        return at == null ? clock.instant() : instant("at", at);
    }

    public static Window window(String from, String to, Clock clock) {
        Instant start = from == null ? BEGINNING : instant("from", from);
        Instant end = to == null ? clock.instant() : instant("to", to);
        if (start.isAfter(end)) {
            throw new BadParameter(to == null ? "from" : "to", "the window ends before it begins (from " + start + ", to " + end
                    + (to == null ? ", now" : "") + "): give a from before the to");
        }
        return new Window(start, end);
    }

    /** An ISO-8601 instant with its offset ({@code Z} or {@code +01:00}); a local time without one is refused, as it names no instant. */
    public static Instant instant(String parameter, String text) {
        try {
            return OffsetDateTime.parse(text.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadParameter(parameter, "'" + text + "' is not an ISO-8601 instant with its offset: use e.g. " + EXAMPLE);
        }
    }
}
