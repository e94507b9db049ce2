package io.nexussync.core.verify;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.List;

/**
 * One text per graph value, the same whether the value is what the planner hands the writer or what the driver reads
 * back: the kind and the value, so that {@code 1} (an integer) and {@code 1.0} (a float) differ as they do in the graph.
 * A date-time compares by instant: its offset depends on the session that read the row, not on the data.
 */
public final class CanonicalValue {
    private CanonicalValue() {}

    /** @return null for null (an absent property) */
    public static String of(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return "s:" + s;
        }
        if (value instanceof Boolean b) {
            return "b:" + b;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return "i:" + ((Number) value).longValue();
        }
        if (value instanceof Double || value instanceof Float) {
            return "f:" + ((Number) value).doubleValue();
        }
        if (value instanceof OffsetDateTime t) {
            return instant(t.toInstant());
        }
        if (value instanceof ZonedDateTime t) {
            return instant(t.toInstant());
        }
        if (value instanceof Instant t) {
            return instant(t);
        }
        if (value instanceof LocalDateTime t) {
            return "ldt:" + t;
        }
        if (value instanceof LocalDate d) {
            return "d:" + d;
        }
        if (value instanceof LocalTime t) {
            return "lt:" + t;
        }
        if (value instanceof OffsetTime t) {
            return "ot:" + t;
        }
        if (value instanceof byte[] bytes) {
            return "x:" + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof List<?> list) {
            StringBuilder text = new StringBuilder("l[");
            for (Object element : list) {
                String canonical = of(element);
                text.append(canonical == null ? "null" : canonical.length() + ":" + canonical).append(',');
            }
            return text.append(']').toString();
        }
        return value.getClass().getSimpleName() + ":" + value;
    }

    private static String instant(Instant t) {
        return "t:" + t.getEpochSecond() + "." + t.getNano();
    }
}
