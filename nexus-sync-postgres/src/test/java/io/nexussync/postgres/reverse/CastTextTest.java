package io.nexussync.postgres.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text a graph value is cast from: each kind of graph value in the form the column type's input function reads. */
class CastTextTest {

    @Test
    void shouldGiveScalarsTheirTextAndNullNoText() {
        assertThat(CastText.of(null, "text")).isNull();
        assertThat(CastText.of("a title", "text")).isEqualTo("a title");
        assertThat(CastText.of(42L, "bigint")).isEqualTo("42");
        assertThat(CastText.of(0.75, "double precision")).isEqualTo("0.75");
        assertThat(CastText.of(true, "boolean")).isEqualTo("true");
        assertThat(CastText.of("2026-12-06T10:00:00.123Z", "timestamp with time zone")).isEqualTo("2026-12-06T10:00:00.123Z");
        assertThat(CastText.of(new byte[] {1, (byte) 0xab}, "bytea")).isEqualTo("\\x01ab");
    }

    @Test
    void shouldQuoteEveryArrayElementSoThatNoElementEndsTheLiteralOrAddsOne() {
        assertThat(CastText.of(List.of(1L, 2L), "integer[]")).isEqualTo("{\"1\",\"2\"}");
        assertThat(CastText.of(Arrays.asList("a,b", "say \"hi\"", "back\\slash", null, "NULL"), "text[]"))
                .isEqualTo("{\"a,b\",\"say \\\"hi\\\"\",\"back\\\\slash\",NULL,\"NULL\"}");
        assertThat(CastText.of(List.of(List.of("a", "b"), List.of("c", "}")), "text[]")).isEqualTo("{{\"a\",\"b\"},{\"c\",\"}\"}}");
        assertThat(CastText.of(List.of(), "text[]")).isEqualTo("{}");
    }

    @Test
    void shouldGiveAJsonColumnJsonTextAndLeaveAStringAsTheJsonItHolds() {
        assertThat(CastText.of("{\"a\": 1}", "jsonb")).isEqualTo("{\"a\": 1}");
        assertThat(CastText.of(List.of("a", 1L), "jsonb")).isEqualTo("[\"a\",1]");
        assertThat(CastText.of(5L, "json")).isEqualTo("5");
    }
}
