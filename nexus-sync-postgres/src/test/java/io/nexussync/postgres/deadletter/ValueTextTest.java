package io.nexussync.postgres.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Unchanged;
import io.nexussync.core.model.Unconvertible;
import io.nexussync.postgres.pgoutput.ValueConverter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A value of a row image back to column text: what the converter reads from that text is the value again. */
class ValueTextTest {
    private static final int BOOL = 16;
    private static final int BYTEA = 17;
    private static final int INT8 = 20;
    private static final int TEXT = 25;
    private static final int JSONB = 3802;
    private static final int FLOAT8 = 701;
    private static final int NUMERIC = 1700;
    private static final int DATE = 1082;
    private static final int TIME = 1083;
    private static final int TIMESTAMP = 1114;
    private static final int TIMESTAMPTZ = 1184;
    private static final int TIMETZ = 1266;
    private static final int TEXT_ARRAY = 1009;
    private static final int INT4_ARRAY = 1007;

    @Test
    void shouldGiveTextThatTheConverterReadsAsTheSameValue() {
        assertRoundTrip(BOOL, "t");
        assertRoundTrip(BOOL, "f");
        assertRoundTrip(BYTEA, "\\x00ff10");
        assertRoundTrip(INT8, "-9223372036854775808");
        assertRoundTrip(TEXT, "a \"quoted\" \\ text, {with} braces");
        assertRoundTrip(JSONB, "{\"b\": [1, 2.50, null], \"a\": \"x\"}");
        assertRoundTrip(FLOAT8, "1.1");
        assertRoundTrip(FLOAT8, "1e-05");
        assertRoundTrip(FLOAT8, "NaN");
        assertRoundTrip(FLOAT8, "-Infinity");
        assertRoundTrip(NUMERIC, "12345678901234567890.000100");
        assertRoundTrip(DATE, "2024-02-29");
        assertRoundTrip(DATE, "0044-03-15 BC");
        assertRoundTrip(TIME, "23:59:59.999999");
        assertRoundTrip(TIME, "24:00:00");
        assertRoundTrip(TIMESTAMP, "2024-01-02 03:04:05.06");
        assertRoundTrip(TIMESTAMP, "0001-01-01 00:00:00 BC");
        assertRoundTrip(TIMESTAMPTZ, "2024-01-02 03:04:05.123456+05:30");
        assertRoundTrip(TIMESTAMPTZ, "12345-01-01 00:00:00+00");
        assertRoundTrip(TIMETZ, "10:00:00-03:30:15");
        assertRoundTrip(TEXT_ARRAY, "{plain,\"with,comma\",\"with \\\"quote\\\"\",NULL,\"back\\\\slash\"}");
        assertRoundTrip(INT4_ARRAY, "{{1,2},{3,NULL}}");
        assertThat(ValueText.of(null)).isNull();
    }

    @Test
    void shouldHaveNoTextForAValueTheStreamCouldNotConvertNorForAnUnchangedToastValue() {
        assertThat(ValueText.has(new Unconvertible("public.t.c: its timestamptz value has no graph form", "'infinity'"))).isFalse();
        assertThat(ValueText.has(Unchanged.TOAST)).isFalse();
        assertThat(ValueText.has(List.of("a", Unchanged.TOAST))).isFalse();
        assertThat(ValueText.has(null)).isTrue();
    }

    private static void assertRoundTrip(int typeOid, String pgText) {
        Object value = ValueConverter.fromText(typeOid, pgText);
        assertThat(ValueText.has(value)).as(pgText).isTrue();
        String text = ValueText.of(value);
        assertThat(RowImage.same(ValueConverter.fromText(typeOid, text), value)).as("%s -> %s", pgText, text).isTrue();
    }
}
