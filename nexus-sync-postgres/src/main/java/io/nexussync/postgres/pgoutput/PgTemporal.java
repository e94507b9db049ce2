package io.nexussync.postgres.pgoutput;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the date/time output of PostgreSQL's ISO DateStyle (which pgjdbc sets for every
 * connection). Hand-rolled rather than DateTimeFormatter because PostgreSQL writes years of more
 * than four digits, a trailing {@code BC}, and offsets with optional minutes and seconds.
 */
final class PgTemporal {

    private static final String DATE = "(\\d{4,})-(\\d{2})-(\\d{2})";
    private static final String TIME = "(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?";
    private static final String OFFSET = "([+-])(\\d{2})(?::(\\d{2}))?(?::(\\d{2}))?";
    private static final String BC = "( BC)?";

    private static final Pattern DATE_ONLY = Pattern.compile(DATE + BC);
    private static final Pattern TIMESTAMP = Pattern.compile(DATE + "[ T]" + TIME + BC);
    private static final Pattern TIMESTAMPTZ = Pattern.compile(DATE + "[ T]" + TIME + OFFSET + BC);
    private static final Pattern TIME_ONLY = Pattern.compile(TIME);
    private static final Pattern TIMETZ = Pattern.compile(TIME + OFFSET);

    private PgTemporal() {}

    static LocalDate date(String text) {
        Matcher m = match(DATE_ONLY, text, "date");
        return date(m, 1, m.group(4) != null);
    }

    static LocalDateTime timestamp(String text) {
        Matcher m = match(TIMESTAMP, text, "timestamp");
        return LocalDateTime.of(date(m, 1, m.group(8) != null), time(m, 4, false));
    }

    static OffsetDateTime timestamptz(String text) {
        OffsetDateTime common = commonTimestamptz(text);
        return common != null ? common : timestamptzByPattern(text);
    }

    /**
     * The form nearly every value takes ({@code 2026-12-06 19:26:36.123456+00}, a four-digit year AD, an offset in
     * hours or hours and minutes), read by position; null for any other form, which the pattern reads. Two timestamps a
     * row made the pattern's matcher, groups and substrings a third of the capture thread's garbage.
     */
    static OffsetDateTime commonTimestamptz(String text) {
        int length = text.length();
        if (length < 22 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int scale = 100_000_000;
            at++;
            int start = at;
            while (at < length && at - start < 9 && isDigit(text.charAt(at))) {
                nanos += (text.charAt(at) - '0') * scale;
                scale /= 10;
                at++;
            }
            if (at == start) {
                return null;
            }
        }
        if (at + 3 > length || (text.charAt(at) != '+' && text.charAt(at) != '-')) {
            return null;
        }
        int sign = text.charAt(at) == '-' ? -1 : 1;
        int offsetHours = digits(text, at + 1, 2);
        int offsetMinutes = 0;
        at += 3;
        if (at + 3 == length && text.charAt(at) == ':') {
            offsetMinutes = digits(text, at + 1, 2);
            at += 3;
        }
        if (at != length || offsetHours < 0 || offsetMinutes < 0) {
            return null;
        }
        LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, nanos);
        if (offsetHours == 0 && offsetMinutes == 0) {
            return OffsetDateTime.of(local, ZoneOffset.UTC);
        }
        return OffsetDateTime.of(local, ZoneOffset.ofHoursMinutes(sign * offsetHours, sign * offsetMinutes)).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** The number the {@code count} ASCII digits at {@code from} spell, or -1 when one is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static OffsetDateTime timestamptzByPattern(String text) {
        Matcher m = match(TIMESTAMPTZ, text, "timestamptz");
        LocalDateTime local = LocalDateTime.of(date(m, 1, m.group(12) != null), time(m, 4, false));
        // the session time zone picks the printed offset; it carries no meaning for the value, so normalise it away
        return OffsetDateTime.of(local, offset(m, 8)).withOffsetSameInstant(ZoneOffset.UTC);
    }

    static LocalTime time(String text) {
        return time(match(TIME_ONLY, text, "time"), 1, true);
    }

    static OffsetTime timetz(String text) {
        Matcher m = match(TIMETZ, text, "timetz");
        return OffsetTime.of(time(m, 1, true), offset(m, 5));
    }

    private static Matcher match(Pattern pattern, String text, String type) {
        if (text.equals("infinity") || text.equals("-infinity")) {
            throw new ValueConversionException(type + " value '" + text + "' cannot be stored: Neo4j has no infinite dates or times");
        }
        Matcher m = pattern.matcher(text);
        if (!m.matches()) {
            throw new ValueConversionException("not a PostgreSQL ISO " + type + ": '" + text + "'");
        }
        return m;
    }

    private static LocalDate date(Matcher m, int group, boolean bc) {
        int year = Integer.parseInt(m.group(group));
        // there is no year 0 in PostgreSQL: 1 BC is proleptic year 0, 2 BC is -1
        return LocalDate.of(bc ? 1 - year : year, Integer.parseInt(m.group(group + 1)), Integer.parseInt(m.group(group + 2)));
    }

    private static LocalTime time(Matcher m, int group, boolean allow24) {
        int hour = Integer.parseInt(m.group(group));
        int minute = Integer.parseInt(m.group(group + 1));
        int second = Integer.parseInt(m.group(group + 2));
        String fraction = m.group(group + 3);
        int nanos = fraction == null ? 0 : Integer.parseInt((fraction + "00000000").substring(0, 9));
        if (allow24 && hour == 24 && minute == 0 && second == 0 && nanos == 0) {
            // time and timetz accept 24:00:00 (end of day); the closest Java/Neo4j value keeps it sorting last
            return LocalTime.MAX;
        }
        return LocalTime.of(hour, minute, second, nanos);
    }

    private static ZoneOffset offset(Matcher m, int group) {
        int sign = m.group(group).equals("-") ? -1 : 1;
        int hours = Integer.parseInt(m.group(group + 1));
        int minutes = m.group(group + 2) == null ? 0 : Integer.parseInt(m.group(group + 2));
        int seconds = m.group(group + 3) == null ? 0 : Integer.parseInt(m.group(group + 3));
        return ZoneOffset.ofHoursMinutesSeconds(sign * hours, sign * minutes, sign * seconds);
    }
}
