package io.nexussync.core.reverse;

import io.nexussync.core.verify.CanonicalValue;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Whether a value from the outbox (temporal values as ISO text) is the value the planner makes of a row's column: the
 * three-way merge compares the edit's old and new values with the row's through it.
 */
final class ReverseValues {
    private ReverseValues() {}

    static boolean same(Object graphValue, Object propertyValue) {
        if (graphValue == null || propertyValue == null) {
            return graphValue == null && propertyValue == null;
        }
        if (graphValue instanceof String text && !(propertyValue instanceof String)) {
            Object parsed = temporal(text, propertyValue);
            if (parsed != null) {
                return CanonicalValue.of(parsed).equals(CanonicalValue.of(propertyValue));
            }
        }
        if (graphValue instanceof Number a && propertyValue instanceof Number b) {
            if (integral(a) && integral(b)) {
                return a.longValue() == b.longValue();
            }
            if (a instanceof Float || b instanceof Float) {
                return a.floatValue() == b.floatValue();
            }
            return a.doubleValue() == b.doubleValue();
        }
        if (graphValue instanceof List<?> a && propertyValue instanceof List<?> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return CanonicalValue.of(graphValue).equals(CanonicalValue.of(propertyValue));
    }

    /** The value as the conflict log shows it. */
    static String text(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    private static boolean integral(Number n) {
        return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
    }

    private static Object temporal(String text, Object like) {
        try {
            if (like instanceof OffsetDateTime || like instanceof ZonedDateTime || like instanceof Instant) {
                return OffsetDateTime.parse(text);
            }
            if (like instanceof LocalDateTime) {
                return LocalDateTime.parse(text);
            }
            if (like instanceof LocalDate) {
                return LocalDate.parse(text);
            }
        } catch (DateTimeParseException e) {
            return null;
        }
        return null;
    }
}
