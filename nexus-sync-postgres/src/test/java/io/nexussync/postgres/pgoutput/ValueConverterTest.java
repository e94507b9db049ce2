package io.nexussync.postgres.pgoutput;

import static io.nexussync.postgres.pgoutput.ValueConverter.fromText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.model.JsonText;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueConverterTest {

    @Test
    void null_text_is_null_for_any_type() {
        assertThat(fromText(23, null)).isNull();
        assertThat(fromText(1184, null)).isNull();
        assertThat(fromText(1009, null)).isNull();
    }

    @Test
    void bool() {
        assertThat(fromText(16, "t")).isEqualTo(true);
        assertThat(fromText(16, "f")).isEqualTo(false);
        assertThatThrownBy(() -> fromText(16, "yes")).isInstanceOf(ValueConversionException.class).hasMessageContaining("bool");
    }

    @Test
    void integers_and_oid_are_longs() {
        assertThat(fromText(21, "-32768")).isEqualTo(-32768L);
        assertThat(fromText(23, "2147483647")).isEqualTo(2147483647L);
        assertThat(fromText(20, "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(fromText(26, "4294967295")).isEqualTo(4294967295L);
        assertThatThrownBy(() -> fromText(23, "1.5")).isInstanceOf(ValueConversionException.class)
                .hasMessageContaining("int4").hasMessageContaining("1.5");
    }

    @Test
    void floats_are_doubles_including_the_special_values() {
        assertThat(fromText(701, "1.5e-300")).isEqualTo(1.5e-300);
        assertThat(fromText(700, "3.14")).isEqualTo(3.14d); // from the text, not widened from a float
        assertThat(fromText(701, "-0")).isEqualTo(-0.0d);
        assertThat(fromText(701, "NaN")).isEqualTo(Double.NaN);
        assertThat(fromText(700, "Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(fromText(701, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void numeric_stays_exact_text() {
        assertThat(fromText(1700, "12345678901234567890.000000000000000001")).isEqualTo("12345678901234567890.000000000000000001");
        assertThat(fromText(1700, "1.50")).isEqualTo("1.50");
        assertThat(fromText(1700, "NaN")).isEqualTo("NaN");
    }

    @Test
    void character_types_are_strings_as_sent() {
        assertThat(fromText(25, "")).isEqualTo("");
        assertThat(fromText(1043, "héllo ✓")).isEqualTo("héllo ✓");
        assertThat(fromText(1042, "ab  ")).isEqualTo("ab  ");
        assertThat(fromText(19, "pg_class")).isEqualTo("pg_class");
        assertThat(fromText(18, "r")).isEqualTo("r");
    }

    @Test
    void uuid_is_lower_case() {
        assertThat(fromText(2950, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2024-01-02 03:04:05.123456+00 | 2024-01-02T03:04:05.123456Z",
            "2024-01-02 03:04:05+00        | 2024-01-02T03:04:05Z",
            "2024-01-02 03:04:05.1+00      | 2024-01-02T03:04:05.100Z",
            "2024-01-02 03:04:05.12345+02  | 2024-01-02T01:04:05.12345Z",
            "2024-01-02 03:04:05+05:30     | 2024-01-01T21:34:05Z",
            "2024-01-02 03:04:05-08        | 2024-01-02T11:04:05Z",
            "1883-11-18 12:00:00-04:56:02  | 1883-11-18T16:56:02Z",
            "2024-12-31 23:30:00-01        | 2025-01-01T00:30:00Z",
            "12345-06-07 00:00:00+00       | +12345-06-07T00:00:00Z",
    })
    void timestamptz_is_normalised_to_utc(String text, String expected) {
        OffsetDateTime value = (OffsetDateTime) fromText(1184, text);

        assertThat(value.getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(value).isEqualTo(OffsetDateTime.parse(expected));
    }

    @Test
    void bc_years_are_proleptic() {
        OffsetDateTime ides = (OffsetDateTime) fromText(1184, "0044-03-15 12:00:00+00 BC");
        assertThat(ides.getYear()).isEqualTo(-43);
        assertThat(ides.getHour()).isEqualTo(12);

        assertThat(fromText(1082, "0001-01-01 BC")).isEqualTo(LocalDate.of(0, 1, 1));
        assertThat(fromText(1114, "4713-11-24 00:00:00 BC")).isEqualTo(LocalDateTime.of(-4712, 11, 24, 0, 0));
    }

    @Test
    void timestamp_date_and_time_are_local() {
        assertThat(fromText(1114, "2024-02-29 23:59:59.999999")).isEqualTo(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_999_000));
        assertThat(fromText(1114, "2024-02-29 00:00:00")).isEqualTo(LocalDateTime.of(2024, 2, 29, 0, 0));
        assertThat(fromText(1082, "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(fromText(1082, "294276-12-31")).isEqualTo(LocalDate.of(294276, 12, 31));
        assertThat(fromText(1083, "13:14:15.000001")).isEqualTo(LocalTime.of(13, 14, 15, 1_000));
        assertThat(fromText(1083, "00:00:00")).isEqualTo(LocalTime.MIDNIGHT);
    }

    @Test
    void end_of_day_time_becomes_the_last_representable_instant_of_the_day() {
        assertThat(fromText(1083, "24:00:00")).isEqualTo(LocalTime.MAX);
        assertThat(fromText(1266, "24:00:00+00")).isEqualTo(OffsetTime.of(LocalTime.MAX, ZoneOffset.UTC));
        assertThatThrownBy(() -> fromText(1083, "24:00:01")).isInstanceOf(ValueConversionException.class);
        assertThatThrownBy(() -> fromText(1114, "2024-01-01 24:00:00")).isInstanceOf(ValueConversionException.class);
    }

    @Test
    void timetz_keeps_its_offset() {
        assertThat(fromText(1266, "13:14:15.5+05:30")).isEqualTo(OffsetTime.of(13, 14, 15, 500_000_000, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(fromText(1266, "01:02:03-07")).isEqualTo(OffsetTime.of(1, 2, 3, 0, ZoneOffset.ofHours(-7)));
        assertThat(fromText(1266, "01:02:03+01:02:03")).isEqualTo(OffsetTime.of(1, 2, 3, 0, ZoneOffset.ofHoursMinutesSeconds(1, 2, 3)));
    }

    @ParameterizedTest
    @CsvSource({"1184, infinity", "1184, -infinity", "1114, infinity", "1114, -infinity", "1082, infinity", "1082, -infinity"})
    void infinite_dates_cannot_be_stored(int oid, String text) {
        assertThatThrownBy(() -> fromText(oid, text)).isInstanceOf(ValueConversionException.class)
                .hasMessageContaining(text).hasMessageContaining("Neo4j").hasMessageContaining(PgTypeOids.name(oid));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-13-01", "2024-02-30", "yesterday", "2024-1-1", ""})
    void malformed_dates_fail(String text) {
        assertThatThrownBy(() -> fromText(1082, text)).isInstanceOf(ValueConversionException.class).hasMessageContaining("date");
    }

    @Test
    void json_is_canonical() {
        assertThat(fromText(3802, "{\"b\": {\"z\": 1, \"a\": [true, null, \"x\"]}, \"a\": 2}"))
                .isEqualTo(new JsonText("{\"a\":2,\"b\":{\"a\":[true,null,\"x\"],\"z\":1}}"));
        assertThat(fromText(114, " [ 1 , 2 ] ")).isEqualTo(new JsonText("[1,2]"));
        assertThat(fromText(114, "\"just a string\"")).isEqualTo(new JsonText("\"just a string\""));
        assertThat(fromText(114, "null")).isEqualTo(new JsonText("null"));
    }

    @Test
    void json_numbers_are_exact_and_plain() {
        assertThat(fromText(3802, "[0.1, 1.50, 1e3, 12345678901234567890123, 0.000000000000000000001, -0.0, 2.5E-3]"))
                .isEqualTo(new JsonText("[0.1,1.5,1000,12345678901234567890123,0.000000000000000000001,0,0.0025]"));
        assertThat(fromText(3802, "{\"n\": 3.141592653589793238462643383279}"))
                .isEqualTo(new JsonText("{\"n\":3.141592653589793238462643383279}"));
    }

    @Test
    void json_strings_keep_escapes_and_unicode() {
        assertThat(fromText(114, "{\"k\\\"ey\": \"tab\\there \\u00e9 ✓ \\\\\"}"))
                .isEqualTo(new JsonText("{\"k\\\"ey\":\"tab\\there é ✓ \\\\\"}"));
    }

    @Test
    void json_duplicate_keys_keep_the_last_like_jsonb() {
        assertThat(fromText(114, "{\"a\": 1, \"a\": 2}")).isEqualTo(new JsonText("{\"a\":2}"));
    }

    @Test
    void json_deep_nesting_is_accepted_without_deep_recursion() throws InterruptedException {
        // Jackson's default refuses 1,000 levels; a small stack proves neither side recurses per level
        String deep = "[{\"k\":".repeat(20_000) + "[]" + "}]".repeat(20_000);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try {
                result.set(fromText(3802, deep));
            } catch (Throwable t) {
                result.set(t);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();

        assertThat(result.get()).isEqualTo(new JsonText(deep));
    }

    @Test
    void json_strings_longer_than_jacksons_default_limit_are_accepted() {
        String longString = "\"" + "x".repeat(21_000_000) + "\"";

        assertThat(((JsonText) fromText(3802, longString)).canonical()).hasSize(21_000_002);
    }

    @Test
    void invalid_json_fails() {
        assertThatThrownBy(() -> fromText(3802, "{\"a\":")).isInstanceOf(ValueConversionException.class).hasMessageContaining("JSON");
        assertThatThrownBy(() -> fromText(114, "1 2")).isInstanceOf(ValueConversionException.class);
        assertThatThrownBy(() -> fromText(114, "")).isInstanceOf(ValueConversionException.class);
        assertThatThrownBy(() -> fromText(114, "[".repeat(100_001) + "]".repeat(100_001))).isInstanceOf(ValueConversionException.class)
                .hasMessageContaining("depth");
    }

    @Test
    void bytea_hex_and_escape_formats() {
        assertThat((byte[]) fromText(17, "\\x0a0bFF")).containsExactly(0x0a, 0x0b, 0xff);
        assertThat((byte[]) fromText(17, "\\x")).isEmpty();
        assertThat((byte[]) fromText(17, "ab\\000\\\\c\\377")).containsExactly('a', 'b', 0, '\\', 'c', 0xff);
        assertThat((byte[]) fromText(17, "")).isEmpty();
        assertThatThrownBy(() -> fromText(17, "\\x0")).isInstanceOf(ValueConversionException.class).hasMessageContaining("bytea");
        assertThatThrownBy(() -> fromText(17, "\\xzz")).isInstanceOf(ValueConversionException.class);
        assertThatThrownBy(() -> fromText(17, "bad\\9")).isInstanceOf(ValueConversionException.class);
    }

    @Test
    void unknown_types_stay_text() {
        assertThat(fromText(1186, "1 day 02:03:04")).isEqualTo("1 day 02:03:04"); // interval
        assertThat(fromText(600, "(1,2)")).isEqualTo("(1,2)"); // point
        assertThat(fromText(90210, "happy")).isEqualTo("happy"); // an enum
        assertThat(fromText(1187, "{\"1 day\"}")).isEqualTo("{\"1 day\"}"); // interval[]
    }

    @Test
    void scalar_arrays() {
        assertThat(fromText(1000, "{t,f,NULL}")).isEqualTo(Arrays.asList(true, false, null));
        assertThat(fromText(1005, "{1,-2}")).isEqualTo(List.of(1L, -2L));
        assertThat(fromText(1007, "{2147483647}")).isEqualTo(List.of(2147483647L));
        assertThat(fromText(1016, "{-9223372036854775808}")).isEqualTo(List.of(Long.MIN_VALUE));
        assertThat(fromText(1021, "{1.5,NaN,-Infinity}")).isEqualTo(List.of(1.5, Double.NaN, Double.NEGATIVE_INFINITY));
        assertThat(fromText(1022, "{0.1}")).isEqualTo(List.of(0.1));
        assertThat(fromText(1231, "{1.10,NULL,NaN}")).isEqualTo(Arrays.asList("1.10", null, "NaN"));
        assertThat(fromText(2951, "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}")).isEqualTo(List.of("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    }

    @Test
    void text_arrays_with_quoting() {
        assertThat(fromText(1009, "{plain,\"with space\",\"quote\\\"d\",\"back\\\\slash\",\"a,b\",\"{}\",\"NULL\",NULL,null,\"\"}"))
                .isEqualTo(Arrays.asList("plain", "with space", "quote\"d", "back\\slash", "a,b", "{}", "NULL", null, null, ""));
        assertThat(fromText(1015, "{\"ü ✓\"}")).isEqualTo(List.of("ü ✓"));
        assertThat(fromText(1014, "{\"ab  \",c}")).isEqualTo(List.of("ab  ", "c"));
    }

    @Test
    void array_input_syntax_is_accepted_too() {
        // whitespace around elements and braces, escapes in unquoted elements (what array_in allows)
        assertThat(fromText(1009, " { a b ,  \"c\" , d\\,e , \\NULL } ")).isEqualTo(List.of("a b", "c", "d,e", "NULL"));
    }

    @Test
    void empty_multidimensional_and_lower_bound_arrays() {
        assertThat(fromText(1007, "{}")).isEqualTo(List.of());
        assertThat(fromText(1007, "{{1,2},{3,4}}")).isEqualTo(List.of(List.of(1L, 2L), List.of(3L, 4L)));
        assertThat(fromText(1009, "{{{a},{b}},{{c},{NULL}}}"))
                .isEqualTo(List.of(List.of(List.of("a"), List.of("b")), List.of(List.of("c"), Arrays.asList((Object) null))));
        assertThat(fromText(1007, "[0:1]={7,8}")).isEqualTo(List.of(7L, 8L));
        assertThat(fromText(1007, "[0:1][-1:0]={{1,2},{3,4}}")).isEqualTo(List.of(List.of(1L, 2L), List.of(3L, 4L)));
    }

    @Test
    void temporal_arrays() {
        assertThat(fromText(1185, "{\"2024-01-02 03:04:05+01\",NULL}"))
                .isEqualTo(Arrays.asList(OffsetDateTime.parse("2024-01-02T02:04:05Z"), null));
        assertThat(fromText(1115, "{\"2024-01-02 03:04:05.5\"}")).isEqualTo(List.of(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 500_000_000)));
        assertThat(fromText(1182, "{2024-01-02,\"0001-01-01 BC\"}")).isEqualTo(List.of(LocalDate.of(2024, 1, 2), LocalDate.of(0, 1, 1)));
        assertThat(fromText(1183, "{03:04:05,23:59:59.999999}")).isEqualTo(List.of(LocalTime.of(3, 4, 5), LocalTime.of(23, 59, 59, 999_999_000)));
        assertThatThrownBy(() -> fromText(1182, "{2024-01-02,infinity}")).isInstanceOf(ValueConversionException.class)
                .hasMessageContaining("infinity");
    }

    @Test
    void json_and_bytea_arrays() {
        assertThat(fromText(3807, "{\"{\\\"b\\\": 1, \\\"a\\\": 2}\",\"[1, 2]\",NULL}"))
                .isEqualTo(Arrays.asList(new JsonText("{\"a\":2,\"b\":1}"), new JsonText("[1,2]"), null));
        assertThat(fromText(199, "{\"\\\"NULL\\\"\"}")).isEqualTo(List.of(new JsonText("\"NULL\"")));

        @SuppressWarnings("unchecked")
        List<Object> blobs = (List<Object>) fromText(1001, "{\"\\\\x0102\",\"\\\\x\"}");
        assertThat((byte[]) blobs.get(0)).containsExactly(1, 2);
        assertThat((byte[]) blobs.get(1)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1,2", "{1,2", "{1,2}}", "{\"a}", "{,}", "{a,}", "[0:1]{1}", "{a\"b\"}", "{1}x"})
    void malformed_arrays_fail(String text) {
        assertThatThrownBy(() -> fromText(1009, text)).isInstanceOf(ValueConversionException.class)
                .hasMessageContaining("text[]");
    }

    @Test
    void long_values_are_abbreviated_in_errors() {
        String huge = "{\"a\":" + "1".repeat(10_000);

        assertThatThrownBy(() -> fromText(3802, huge)).isInstanceOf(ValueConversionException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_000));
    }
}
