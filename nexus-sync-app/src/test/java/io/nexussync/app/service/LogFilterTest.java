package io.nexussync.app.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.postgres.bookkeeping.LogQuery;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The filters {@code nexus-sync log} and {@code GET /log} share. */
class LogFilterTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void shouldReadAnEntityAsTableAndKeyWithTheSchemaPublicUnlessNamed() {
        assertThat(parse("content_items:6f1c", null, null, null)).isEqualTo(new LogQuery("public.content_items", "6f1c", null, null, 100));
        assertThat(parse("shop.orders:7", null, null, null)).isEqualTo(new LogQuery("shop.orders", "7", null, null, 100));
        assertThat(parse(" thread_content:a,b ", null, null, null).key()).as("a composite key's values, comma-separated").isEqualTo("a,b");
        assertThat(parse("content_items", null, null, null)).as("a table alone").isEqualTo(new LogQuery("public.content_items", null, null, null, 100));
        assertThat(parse("content_items:a:b", null, null, null).key()).as("the first colon splits").isEqualTo("a:b");
    }

    @Test
    void shouldReadSinceAsATimeADateOrHowLongAgo() {
        assertThat(parse(null, null, "2026-12-07T01:00:00Z", null).since()).isEqualTo(Instant.parse("2026-12-07T01:00:00Z"));
        assertThat(parse(null, null, "2026-12-07T02:00:00+01:00", null).since()).isEqualTo(Instant.parse("2026-12-07T01:00:00Z"));
        assertThat(parse(null, null, "2026-12-06", null).since()).isEqualTo(Instant.parse("2026-12-06T00:00:00Z"));
        assertThat(parse(null, null, "90m", null).since()).isEqualTo(NOW.minusSeconds(90 * 60));
        assertThat(parse(null, null, "2h", null).since()).isEqualTo(NOW.minusSeconds(7200));
        assertThat(parse(null, null, "7d", null).since()).isEqualTo(NOW.minusSeconds(7 * 86400));
        assertThat(parse(null, null, "PT2H", null).since()).isEqualTo(NOW.minusSeconds(7200));
    }

    @Test
    void shouldTakeAKnownStatusInAnyCaseAndALimitFromOneToAThousand() {
        assertThat(parse(null, "Dead-Lettered", null, "1000")).isEqualTo(new LogQuery(null, null, "dead-lettered", null, 1000));
        assertThat(parse(null, "succeeded-after-retry", null, "1").status()).isEqualTo("succeeded-after-retry");
    }

    @Test
    void shouldRefuseBadValuesNamingTheFilterAndTheFix() {
        refused("entity", () -> parse(":6f1c", null, null, null), "is not TABLE:KEY: use e.g. content_items:");
        refused("entity", () -> parse("content_items:", null, null, null), "is not TABLE:KEY");
        refused("entity", () -> parse("a.b.c:1", null, null, null), "is not TABLE:KEY");
        refused("status", () -> parse(null, "broken", null, null), "'broken' is not a status of the log: use one of applied, retrying");
        refused("since", () -> parse(null, null, "yesterday", null), "'yesterday' is neither a time nor a duration: use a time with its offset");
        refused("since", () -> parse(null, null, "2026-12-07T01:00:00", null), "neither a time nor a duration");
        refused("limit", () -> parse(null, null, null, "0"), "'0' is not a number of rows from 1 to 1000");
        refused("limit", () -> parse(null, null, null, "1001"), "from 1 to 1000");
        refused("limit", () -> parse(null, null, null, "ten"), "'ten' is not a number of rows");
    }

    private static void refused(String filter, org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(LogFilter.BadFilter.class, bad -> assertThat(bad.filter()).isEqualTo(filter))
                .hasMessageContaining(message);
    }

    private static LogQuery parse(String entity, String status, String since, String limit) {
        return LogFilter.parse(entity, status, since, limit, CLOCK);
    }
}
