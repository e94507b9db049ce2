package io.nexussync.postgres.deadletter;

import io.nexussync.postgres.ArrayLiterals;
import io.nexussync.core.model.JsonText;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

/**
 * A value of a row image (as the stream's value converter made it) back as text a column's input function reads
 * ({@code CAST(? AS type)}): what a revert writes to put a previous row back. Only the kinds the converter makes have
 * one; a value it could not convert (an infinite timestamp) or an unchanged TOAST value has none. Whether the text
 * gives back exactly the previous value is checked by reading the row after the write, not assumed.
 */
final class ValueText {
    private ValueText() {}

    /** @return whether {@link #of} has a text for {@code value} (null, SQL NULL, has one: no text at all) */
    static boolean has(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().allMatch(ValueText::has);
        }
        return value == null || value instanceof String || value instanceof Long || value instanceof Double || value instanceof Boolean
                || value instanceof JsonText || value instanceof byte[] || value instanceof LocalDate || value instanceof LocalDateTime
                || value instanceof OffsetDateTime || value instanceof LocalTime || value instanceof OffsetTime;
    }

    /** The text, or null for SQL NULL; only for a value that {@link #has} one. */
    static String of(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (value instanceof byte[] bytes) {
            return "\\x" + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof List<?> list) {
            return ArrayLiterals.of(list, ValueText::of);
        }
        if (value instanceof LocalDate date) {
            return date(date) + era(date);
        }
        if (value instanceof LocalDateTime at) {
            return date(at.toLocalDate()) + " " + time(at.toLocalTime()) + era(at.toLocalDate());
        }
        if (value instanceof OffsetDateTime at) {
            LocalDateTime utc = at.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            return date(utc.toLocalDate()) + " " + time(utc.toLocalTime()) + "+00" + era(utc.toLocalDate());
        }
        if (value instanceof LocalTime time) {
            // The converter reads PostgreSQL's end of day, 24:00:00, as the last instant of the day.
            return time.equals(LocalTime.MAX) ? "24:00:00" : time(time);
        }
        if (value instanceof OffsetTime time) {
            return time(time.toLocalTime()) + offset(time.getOffset());
        }
        if (!has(value)) {
            throw new IllegalArgumentException("no column text for a " + value.getClass().getSimpleName());
        }
        // String (text, numeric, uuid, and every type the converter keeps as text), Long, Double, JsonText.
        return value.toString();
    }

    /** PostgreSQL has no year 0: proleptic year 0 is 1 BC, written as a positive year with a suffix. */
    private static String date(LocalDate date) {
        int year = date.getYear() <= 0 ? 1 - date.getYear() : date.getYear();
        return String.format("%04d-%02d-%02d", year, date.getMonthValue(), date.getDayOfMonth());
    }

    private static String era(LocalDate date) {
        return date.getYear() <= 0 ? " BC" : "";
    }

    private static String time(LocalTime time) {
        String text = String.format("%02d:%02d:%02d", time.getHour(), time.getMinute(), time.getSecond());
        if (time.getNano() == 0) {
            return text;
        }
        String fraction = String.format("%09d", time.getNano()).replaceFirst("0+$", "");
        return text + "." + fraction;
    }

    private static String offset(ZoneOffset offset) {
        int seconds = Math.abs(offset.getTotalSeconds());
        return (offset.getTotalSeconds() < 0 ? "-" : "+") + String.format("%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
