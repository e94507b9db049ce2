package io.nexussync.kafka.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.capture.StreamItem;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.model.Unconvertible;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every value type and every kind of row change through encode and decode, on the built-in mapping's tables. */
class ChangeRecordCodecTest {
    static final TableId CONTENT_ITEMS = new TableId("public", "content_items");
    static final TableId THREADS = new TableId("public", "threads");
    static final TableId MESSAGES = new TableId("public", "messages");
    static final TableId THREAD_CONTENT = new TableId("public", "thread_content");
    static final TableId AUDIT_LOG = new TableId("public", "audit_log");
    static final Instant COMMIT = Instant.parse("2026-12-07T11:20:10.123456789Z");
    static final Lsn TX = Lsn.valueOf("16/B374D848");

    private final Mapping mapping = MappingLoader.builtIn();
    private final ChangeRecordCodec codec = new ChangeRecordCodec(mapping);

    static StreamItem.Change streamed(RowChange change) {
        return new StreamItem.Change(new SourceChange(change, TX, COMMIT), new Position(TX, 3));
    }

    static Map<String, Object> row(Object... columnsAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            row.put((String) columnsAndValues[i], columnsAndValues[i + 1]);
        }
        return row;
    }

    private ConsumedChange roundTrip(RowChange change) {
        StreamItem.Change item = streamed(change);
        ChangeRecord record = codec.encode(item);
        assertThat(record).as("a change to a mapped table is published").isNotNull();
        ConsumedChange back = codec.decode(record.value());
        assertThat(Exactly.of(back)).isEqualTo(Exactly.of(new ConsumedChange(item.change(), item.position())));
        return back;
    }

    /** One column of each value type the pgoutput converter gives, and the two placeholders. */
    static Map<String, Object> everyValueType() {
        return row(
                "id", "3f0c2a8e-5b7d-4c1e-9a6f-0d2b4e6f8a1c",
                "sql_null", null,
                "flag", true,
                "off", false,
                "long_max", Long.MAX_VALUE,
                "long_min", Long.MIN_VALUE,
                "zero", 0L,
                "numeric_as_text", "12",
                "looks_tagged", "{\"t\":\"double\",\"v\":\"1.5\"}",
                "empty_text", "",
                "unicode", "naïve \u0000 \"quoted\" \\ \uD83D\uDE00 \n",
                "double", 0.1,
                "nan", Double.NaN,
                "plus_infinity", Double.POSITIVE_INFINITY,
                "minus_infinity", Double.NEGATIVE_INFINITY,
                "minus_zero", -0.0,
                "whole_double", 12.0,
                "tiny_double", Double.MIN_VALUE,
                "timestamptz", OffsetDateTime.of(2026, 12, 7, 11, 20, 10, 123_456_789, ZoneOffset.UTC),
                "timestamptz_offset", OffsetDateTime.of(1999, 1, 2, 3, 4, 0, 0, ZoneOffset.ofHoursMinutesSeconds(5, 30, 15)),
                "timestamptz_far", OffsetDateTime.of(LocalDateTime.of(12345, 6, 7, 8, 9, 10, 1), ZoneOffset.ofHours(-11)),
                "timestamp", LocalDateTime.of(2026, 2, 28, 23, 59, 59, 999_999_999),
                "timestamp_bc", LocalDateTime.of(-44, 3, 15, 12, 0),
                "date", LocalDate.of(2026, 12, 7),
                "date_bc", LocalDate.of(0, 1, 1),
                "time", LocalTime.of(8, 0),
                "time_end_of_day", LocalTime.MAX,
                "timetz", OffsetTime.of(23, 59, 0, 500, ZoneOffset.ofHours(14)),
                "json", new JsonText("{\"a\":[1,2.5,null],\"b\":\"x\"}"),
                "bytes", new byte[] {0, 1, (byte) 0xff, 0x7f, '"'},
                "empty_bytes", new byte[0],
                "array", List.of(1L, 2L, 3L),
                "nested_array", Arrays.asList(Arrays.asList("a", null), List.of(), List.of(List.of(1.5, Double.NaN))),
                "array_of_times", List.of(OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 1, ZoneOffset.UTC), new byte[] {9}),
                "toasted", Unchanged.TOAST,
                "unconvertible", new Unconvertible("public.content_items.due: its timestamptz value has no graph form", "infinity"),
                "unconvertible_without_detail", new Unconvertible("public.content_items.due: its date value has no graph form"));
    }

    @Test
    void shouldRoundTripEveryValueTypeExactly() {
        ConsumedChange back = roundTrip(new RowChange.Insert(CONTENT_ITEMS, everyValueType()));

        Map<String, Object> values = ((RowChange.Insert) back.change().change()).newValues();
        assertThat(values.get("numeric_as_text")).isEqualTo("12");
        assertThat(values.get("looks_tagged")).isInstanceOf(String.class);
        assertThat(values.get("long_max")).isEqualTo(Long.MAX_VALUE);
        assertThat((Double) values.get("minus_zero")).isEqualTo(-0.0).matches(d -> Double.doubleToRawLongBits(d) == Long.MIN_VALUE);
        assertThat(values.get("whole_double")).isEqualTo(12.0);
        assertThat(values.get("toasted")).isSameAs(Unchanged.TOAST);
        assertThat(((OffsetDateTime) values.get("timestamptz_offset")).getOffset()).isEqualTo(ZoneOffset.ofHoursMinutesSeconds(5, 30, 15));
        assertThat((byte[]) values.get("bytes")).containsExactly(0, 1, 0xff, 0x7f, '"');
    }

    @Test
    void shouldKeepTheColumnOrderOfARow() {
        Map<String, Object> row = row("z", 1L, "a", 2L, "m", 3L, "id", "x");

        ConsumedChange back = roundTrip(new RowChange.Insert(CONTENT_ITEMS, row));

        assertThat(((RowChange.Insert) back.change().change()).newValues().keySet()).containsExactly("z", "a", "m", "id");
    }

    @Test
    void shouldRoundTripAnInsert() {
        roundTrip(new RowChange.Insert(THREADS, row("id", "t-1", "title", "Plans", "status", "open", "pg_version", 1L)));
    }

    @Test
    void shouldRoundTripAnUpdateWithoutItsOldKey() {
        ConsumedChange back = roundTrip(new RowChange.Update(THREADS, null, row("id", "t-1", "title", "Plans 2", "pg_version", 2L)));

        assertThat(((RowChange.Update) back.change().change()).oldKey()).isNull();
    }

    @Test
    void shouldRoundTripAnUpdateThatChangedTheKey() {
        roundTrip(new RowChange.Update(THREADS, row("id", "t-1"), row("id", "t-2", "title", "Plans", "pg_version", 2L)));
    }

    @Test
    void shouldRoundTripAnUpdateWithAnUnchangedToastValue() {
        ConsumedChange back = roundTrip(new RowChange.Update(MESSAGES, null,
                row("id", "m-1", "thread_id", "t-1", "body", Unchanged.TOAST, "token_count", 7L)));

        assertThat(((RowChange.Update) back.change().change()).newValues().get("body")).isSameAs(Unchanged.TOAST);
    }

    @Test
    void shouldRoundTripADelete() {
        roundTrip(new RowChange.Delete(MESSAGES, row("id", "m-1")));
    }

    @Test
    void shouldRoundTripARelationshipRow() {
        roundTrip(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "t-1", "content_id", "c-1", "relevance_score", 0.75,
                "position", 2L, "added_at", OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), "pg_version", 1L)));
    }

    @Test
    void shouldRoundTripATruncateWithItsOptions() {
        roundTrip(new RowChange.Truncate(List.of(THREADS, MESSAGES), true, false));
        roundTrip(new RowChange.Truncate(List.of(CONTENT_ITEMS, AUDIT_LOG), false, true));
        roundTrip(new RowChange.Truncate(List.of(THREAD_CONTENT), false, false));
    }

    @Test
    void shouldRoundTripThePositionAndTheCommitTimeToTheNanosecond() {
        RowChange insert = new RowChange.Insert(THREADS, row("id", "t-1"));
        Lsn high = Lsn.of(0xFFFF_FFFF_FFFF_FFFFL);
        StreamItem.Change item = new StreamItem.Change(new SourceChange(insert, high, Instant.parse("2026-12-07T11:20:10.000000001Z")),
                new Position(high, Long.MAX_VALUE));

        ConsumedChange back = codec.decode(codec.encode(item).value());

        assertThat(back.position()).isEqualTo(new Position(high, Long.MAX_VALUE));
        assertThat(back.change().txFinalLsn()).isEqualTo(high);
        assertThat(back.change().commitTime()).isEqualTo(Instant.parse("2026-12-07T11:20:10.000000001Z"));
    }

    @Test
    void shouldRoundTripAChangeWithoutATransactionLsnOrCommitTime() {
        StreamItem.Change item = new StreamItem.Change(new SourceChange(new RowChange.Insert(THREADS, row("id", "t-1")), null, null),
                new Position(Lsn.INVALID, 0));

        ConsumedChange back = codec.decode(codec.encode(item).value());

        assertThat(back.change().txFinalLsn()).isNull();
        assertThat(back.change().commitTime()).isNull();
        assertThat(back.position()).isEqualTo(new Position(Lsn.INVALID, 0));
    }

    @Test
    void shouldReadBackAChangeToATableItsMappingDoesNotMap() {
        // capture with a mapping that maps audit_log, apply with one that does not: the planner ignores the table
        Mapping withAuditLog = MappingLoader.parse(new java.io.ByteArrayInputStream("""
                name: audit
                nodes:
                  - table: public.audit_log
                    label: AuditEntry
                    key: id
                """.getBytes(StandardCharsets.UTF_8)), "test");
        RowChange insert = new RowChange.Insert(AUDIT_LOG, row("id", 5L, "what", "login"));
        ChangeRecord record = new ChangeRecordCodec(withAuditLog).encode(streamed(insert));

        ConsumedChange back = codec.decode(record.value());

        assertThat(Exactly.of(back.change().change())).isEqualTo(Exactly.of(insert));
    }

    @Test
    void shouldPublishNothingForAnUnmappedTable() {
        assertThat(codec.encode(streamed(new RowChange.Insert(AUDIT_LOG, row("id", 5L))))).isNull();
        assertThat(codec.encode(streamed(new RowChange.Update(AUDIT_LOG, row("id", 4L), row("id", 5L))))).isNull();
        assertThat(codec.encode(streamed(new RowChange.Delete(AUDIT_LOG, row("id", 5L))))).isNull();
        assertThat(codec.encode(streamed(new RowChange.Truncate(List.of(AUDIT_LOG), false, false)))).isNull();
    }

    @Test
    void shouldWriteVersionedUtf8JsonWithPlainStringsAndNumbersAndTaggedDoubles() throws Exception {
        ChangeRecord record = codec.encode(streamed(new RowChange.Insert(THREADS, row("id", "t-1", "text", "12", "count", 12L, "score", 12.0))));

        JsonNode value = new ObjectMapper().readTree(new String(record.value(), StandardCharsets.UTF_8));
        assertThat(value.get("format").asInt()).isEqualTo(ChangeRecordCodec.FORMAT);
        JsonNode newValues = value.get("change").get("newValues");
        assertThat(newValues.get("text").isTextual()).isTrue();
        assertThat(newValues.get("count").isIntegralNumber()).isTrue();
        assertThat(newValues.get("score").get("t").asText()).isEqualTo("double");
    }

    @Test
    void shouldRefuseToEncodeATypeItCannotBringBack() {
        List<Object> values = new ArrayList<>(List.of(Integer.valueOf(12), new java.math.BigDecimal("1.5"), 1.5f,
                java.util.UUID.randomUUID(), Instant.EPOCH));
        for (Object value : values) {
            assertThatThrownBy(() -> codec.encode(streamed(new RowChange.Insert(THREADS, row("id", "t-1", "odd", value)))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("public.threads newValues.odd")
                    .hasMessageContaining(value.getClass().getName());
        }
    }
}
