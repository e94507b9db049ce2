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
