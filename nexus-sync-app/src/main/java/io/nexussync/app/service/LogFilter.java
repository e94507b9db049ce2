package io.nexussync.app.service;

import io.nexussync.postgres.bookkeeping.LogQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The filters of {@code nexus-sync log} and {@code GET /log}, read from text the same way for both: {@code entity}
 * ({@code TABLE:KEY}, or {@code TABLE} for every row of a table), {@code status}, {@code since} (a time, or how long ago) and
 * {@code limit}. A bad value is a {@link BadFilter} naming the filter and the fix.
 */
public final class LogFilter {
    /** The statuses the log's rows take, for the check and the message. */
    public static final List<String> STATUSES = List.of("applied", "retrying", "failed", "succeeded-after-retry", "refused", "dead-lettered",
            "parked", "retried", "skipped", "requested", "reverted");
    public static final int DEFAULT_LIMIT = 100;
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d)");

    private LogFilter() {}

    /** A filter's value that cannot be read: {@code filter} names it (without dashes), the message says what to use instead. */
    public static final class BadFilter extends IllegalArgumentException {
        private final String filter;

        BadFilter(String filter, String message) {
            super(message);
            this.filter = filter;
        }

        public String filter() {
            return filter;
        }
    }

    /** Each argument may be null (not given); {@code clock} is the now that {@code since=2h} counts back from. */
    public static LogQuery parse(String entity, String status, String since, String limit, Clock clock) {
        String table = null;
        String key = null;
        if (entity != null) {
            String text = entity.trim();
            int colon = text.indexOf(':');
            table = colon < 0 ? text : text.substring(0, colon).trim();
            key = colon < 0 ? null : text.substring(colon + 1).trim();
            if (table.isEmpty() || (key != null && key.isEmpty()) || table.chars().filter(ch -> ch == '.').count() > 1) {
                throw new BadFilter("entity", "'" + entity + "' is not TABLE:KEY: use e.g. content_items:6f1c0d2e-8a43-4e4b-9d6a-0c1f2b3a4d5e "
                        + "(schema public unless named, public.content_items), the key columns' values comma-separated for a composite key "
                        + "(thread_content:THREAD_ID,CONTENT_ID), or TABLE alone for every row of a table");
            }
            table = (table.contains(".") ? table : "public." + table);
        }
        String state = null;
        if (status != null) {
            state = status.trim().toLowerCase(Locale.ROOT);
            if (!STATUSES.contains(state)) {
                throw new BadFilter("status", "'" + status + "' is not a status of the log: use one of " + String.join(", ", STATUSES));
            }
        }
        return new LogQuery(table, key, state, since == null ? null : since(since, clock), limit == null ? DEFAULT_LIMIT : limit(limit));
    }

    private static int limit(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= LogQuery.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new BadFilter("limit", "'" + text + "' is not a number of rows from 1 to " + LogQuery.MAX_LIMIT + ": use e.g. 50 (default "
                + DEFAULT_LIMIT + ")");
    }

    /** A time or how long ago, read as {@code since} is, for other commands' options (the history's {@code --before}). */
    public static Instant timeOrAgo(String text, Clock clock) {
        return since(text, clock);
    }

    /** A time (ISO-8601 with an offset, 2026-12-07T01:00:00Z; a date, 2026-12-07, at 00:00 UTC), or how long ago (90m, 2h, 7d, PT2H, P1D). */
    static Instant since(String text, Clock clock) {
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException notATime) {
            // a date, or a duration, below
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException notADate) {
            // a duration, below
        }
        Duration ago = null;
        Matcher unit = AGO.matcher(t.toLowerCase(Locale.ROOT));
        if (unit.matches()) {
            long n = Long.parseLong(unit.group(1));
            ago = switch (unit.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                ago = Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                ago = null;
            }
        }
        if (ago == null || ago.isNegative()) {
            throw new BadFilter("since", "'" + text + "' is neither a time nor a duration: use a time with its offset (2026-12-07T01:00:00Z), "
                    + "a date (2026-12-07, from 00:00 UTC) or how long ago (90m, 2h, 7d, PT2H)");
        }
        return clock.instant().minus(ago);
    }
}
