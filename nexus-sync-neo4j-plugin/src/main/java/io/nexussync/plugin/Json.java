package io.nexussync.plugin;

import java.lang.reflect.Array;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;

/**
 * The outbox's JSON, written here because the plugin may bring no library into a user's server. Integers are JSON
 * integers; a floating-point number always has a dot or an exponent, so the reader can tell 1.0 from 1; a date-time is
 * ISO-8601 with its offset and never a {@code [Zone]} suffix (the instant is what PostgreSQL stores); local dates and
 * times in their ISO form; arrays and lists as JSON arrays; anything else (durations, points) as its text.
 */
final class Json {
    private Json() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            out.append(((Number) value).longValue());
        } else if (value instanceof Double d) {
            floating(out, d, Double.toString(d));
        } else if (value instanceof Float f) {
            floating(out, f, Float.toString(f));
        } else if (value instanceof Character c) {
            string(out, c.toString());
        } else if (value instanceof Map<?, ?> map) {
            object(out, map);
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            boolean first = true;
            for (Object element : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                append(out, element);
            }
            out.append(']');
        } else if (value.getClass().isArray()) {
            out.append('[');
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                if (i > 0) {
                    out.append(',');
                }
                append(out, Array.get(value, i));
            }
            out.append(']');
        } else {
            string(out, temporal(value));
        }
    }

    /** NaN and the infinities have no JSON number: they go as their text. */
    private static void floating(StringBuilder out, double value, String text) {
        if (Double.isFinite(value)) {
            out.append(text);
        } else {
            string(out, text);
        }
    }

    private static String temporal(Object value) {
        if (value instanceof ZonedDateTime z) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(z.toOffsetDateTime());
        }
        if (value instanceof OffsetDateTime o) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(o);
        }
        if (value instanceof LocalDateTime l) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(l);
        }
        if (value instanceof LocalDate d) {
            return DateTimeFormatter.ISO_LOCAL_DATE.format(d);
        }
        if (value instanceof LocalTime t) {
            return DateTimeFormatter.ISO_LOCAL_TIME.format(t);
        }
        if (value instanceof OffsetTime t) {
            return DateTimeFormatter.ISO_OFFSET_TIME.format(t);
        }
        if (value instanceof Instant i) {
            return DateTimeFormatter.ISO_INSTANT.format(i);
        }
        return value.toString();
    }

    private static void object(StringBuilder out, Map<?, ?> map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, String.valueOf(entry.getKey()));
            out.append(':');
            append(out, entry.getValue());
        }
        out.append('}');
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
