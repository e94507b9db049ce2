package io.nexussync.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void shouldWriteNumbersSoThatAFloatingPointValueNeverLooksLikeAnInteger() {
        assertThat(Json.write(List.of(1L, 1, (short) 1, 1.0, 2.5f, 1e21, 1e-7, -0.0))).isEqualTo("[1,1,1,1.0,2.5,1.0E21,1.0E-7,-0.0]");
        assertThat(Json.write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY))).isEqualTo("[\"NaN\",\"Infinity\"]");
    }

    @Test
    void shouldWriteDateTimesWithTheirOffsetAndNeverAZoneSuffix() {
        ZonedDateTime berlin = ZonedDateTime.of(2026, 12, 6, 10, 0, 0, 0, ZoneId.of("Europe/Berlin"));
        assertThat(Json.write(List.of(berlin, OffsetDateTime.of(2026, 12, 6, 10, 0, 0, 123_000_000, ZoneOffset.UTC),
                Instant.parse("2026-12-06T10:00:00Z"), LocalDate.of(2026, 12, 6))))
                .isEqualTo("[\"2026-12-06T10:00:00+01:00\",\"2026-12-06T10:00:00.123Z\",\"2026-12-06T10:00:00Z\",\"2026-12-06\"]");
    }

    @Test
    void shouldEscapeStringsAndKeepTheOrderOfObjects() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("z", "quote \" backslash \\ newline \n tab \t bell \u0007 é");
        object.put("a", null);
        object.put("nested", Map.of("list", new long[] {1, 2}));
        assertThat(Json.write(object))
                .isEqualTo("{\"z\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 é\",\"a\":null,\"nested\":{\"list\":[1,2]}}");
        assertThat(PluginTestGraph.parse(Json.write(object)).get("z").asText()).isEqualTo(object.get("z"));
    }
}
