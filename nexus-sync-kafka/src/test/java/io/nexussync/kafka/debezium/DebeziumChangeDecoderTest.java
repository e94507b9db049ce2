package io.nexussync.kafka.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.model.Unconvertible;
import io.nexussync.kafka.debezium.DebeziumSettings.BinaryHandlingMode;
import io.nexussync.kafka.debezium.DebeziumSettings.DecimalHandlingMode;
import io.nexussync.kafka.debezium.DebeziumSettings.TimePrecisionMode;
import io.nexussync.postgres.pgoutput.PgTypeOids;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The decoder on small events written by hand in the shapes Debezium's JsonConverter gives (the real ones, captured
 * from Debezium embedded, are in {@link DebeziumCapturedEventsTest}): the settings, the edges and every refusal.
 */
class DebeziumChangeDecoderTest {
    private static final TableId ITEMS = new TableId("public", "items");
    private static final String SOURCE = "{\"version\":\"3.6.1.Final\",\"connector\":\"postgresql\",\"name\":\"dbz\",\"ts_ms\":1765098358123,"
            + "\"snapshot\":\"false\",\"db\":\"postgres\",\"sequence\":\"[\\\"24023928\\\",\\\"24024600\\\"]\",\"ts_us\":1765098358123456,"
            + "\"ts_ns\":1765098358123456000,\"schema\":\"public\",\"table\":\"items\",\"txId\":771,\"lsn\":24024600,\"xmin\":null}";

    private static String event(String op, String before, String after) {
        return "{\"before\":" + before + ",\"after\":" + after + ",\"source\":" + SOURCE + ",\"transaction\":null,\"op\":\"" + op
                + "\",\"ts_ms\":1765098358200,\"ts_us\":1765098358200001,\"ts_ns\":1765098358200001000}";
    }

    private static ColumnTypes types(Map<String, String> byColumn) {
        return (table, column) -> table.equals(ITEMS) ? Optional.ofNullable(byColumn.get(column)) : Optional.empty();
    }

    private static RowChange change(DecodedRecord record) {
        assertThat(record).isInstanceOf(DecodedRecord.Change.class);
        return ((DecodedRecord.Change) record).change();
    }

    private static Map<String, Object> inserted(DebeziumChangeDecoder decoder, String after) {
        return ((RowChange.Insert) change(decoder.decode("{\"id\":1}", event("c", "null", after)))).newValues();
    }

    @Test
    void shouldReadTheSourcePositionAndCommitTimeOfAChange() {
        DecodedRecord.Change change = (DecodedRecord.Change) new DebeziumChangeDecoder(DebeziumSettings.defaults(),
                types(Map.of("id", "integer"))).decode("{\"id\":1}", event("c", "null", "{\"id\":1}"));

        assertThat(change.source().table()).isEqualTo(ITEMS);
        assertThat(change.source().lsn().value()).isEqualTo(24024600L);
        assertThat(change.source().lastCommitLsn().value()).isEqualTo(24023928L);
        assertThat(change.source().txId()).isEqualTo(771L);
        assertThat(change.source().commitTime()).isEqualTo(Instant.parse("2025-12-07T09:05:58.123456Z"));
        assertThat(change.source().snapshot()).isFalse();
        assertThat(change.change()).isEqualTo(new RowChange.Insert(ITEMS, Map.of("id", 1L)));
    }

    @Test
    void shouldTakeASnapshotReadAsAnInsert() {
        RowChange read = change(new DebeziumChangeDecoder(DebeziumSettings.defaults(), types(Map.of("id", "int4")))
                .decode(null, event("r", "null", "{\"id\":5}").replace("\"snapshot\":\"false\"", "\"snapshot\":\"true\"")));

        assertThat(read).isEqualTo(new RowChange.Insert(ITEMS, Map.of("id", 5L)));
    }

    @Test
    void shouldSkipAnEventOfATableOutsideTheMappingBeforeReadingItsValues() {
        // no schema and no column types: the values of this event could not be read, so reading them would throw
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(), ColumnTypes.NONE,
                table -> !table.equals(ITEMS));

        assertThat(decoder.decode("{\"id\":1}", event("r", "null", "{\"id\":1}"))).isInstanceOfSatisfying(DecodedRecord.Skipped.class,
                s -> assertThat(s.reason()).contains("public.items").contains("mapping"));
    }

    @Test
    void shouldSkipATombstoneWithItsReason() {
        DebeziumChangeDecoder decoder = DebeziumChangeDecoder.withSchemas();

        assertThat(decoder.decode("{\"id\":1}", (String) null)).isInstanceOfSatisfying(DecodedRecord.Skipped.class,
                s -> assertThat(s.reason()).startsWith("tombstone"));
        assertThat(decoder.decode("{\"id\":1}".getBytes(StandardCharsets.UTF_8), (byte[]) null)).isInstanceOf(DecodedRecord.Skipped.class);
        assertThat(decoder.decode(null, "{\"schema\":null,\"payload\":null}")).isInstanceOf(DecodedRecord.Skipped.class);
    }

    @Test
    void shouldSkipALogicalMessageAHeartbeatAndTransactionMetadata() {
        DebeziumChangeDecoder decoder = DebeziumChangeDecoder.withSchemas();
        String message = "{\"op\":\"m\",\"ts_ms\":1,\"source\":" + SOURCE.replace("\"table\":\"items\"", "\"table\":\"\"")
                + ",\"message\":{\"prefix\":\"audit\",\"content\":\"ZW5k\"}}";

        assertThat(decoder.decode(null, message)).isInstanceOfSatisfying(DecodedRecord.Skipped.class,
                s -> assertThat(s.reason()).contains("logical decoding message").contains("audit"));
        assertThat(decoder.decode("{\"serverName\":\"dbz\"}", "{\"ts_ms\":1765098358123}")).isInstanceOfSatisfying(
                DecodedRecord.Skipped.class, s -> assertThat(s.reason()).startsWith("heartbeat"));
        assertThat(decoder.decode("{\"id\":\"771:24024600\"}", "{\"status\":\"END\",\"id\":\"771:24024600\",\"event_count\":2,"
                + "\"data_collections\":[],\"ts_ms\":1}")).isInstanceOfSatisfying(DecodedRecord.Skipped.class,
                s -> assertThat(s.reason()).startsWith("transaction metadata"));
    }

    @Test
    void shouldTakeADeletesKeyFromTheRecordKeyWhenItHasNoBeforeImage() {
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(), types(Map.of("id", "uuid")));

        RowChange delete = change(decoder.decode("{\"id\":\"7C5E4B8A-0000-4000-8000-0000000000C1\"}", event("d", "null", "null")));

        assertThat(delete).isEqualTo(new RowChange.Delete(ITEMS, Map.of("id", "7c5e4b8a-0000-4000-8000-0000000000c1")));
    }

    @Test
    void shouldTakeADeletesKeyColumnsOnlyNeverTheStandInsDebeziumPutsInTheRestOfBefore() {
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(),
                types(Map.of("id", "integer", "position", "integer")));

        assertThat(change(decoder.decode("{\"id\":1}", event("d", "{\"id\":1,\"position\":0}", "null"))))
                .isEqualTo(new RowChange.Delete(ITEMS, Map.of("id", 1L)));
        // no key (no primary key, REPLICA IDENTITY FULL): the old row is all there is
        assertThat(change(decoder.decode(null, event("d", "{\"id\":1,\"position\":4}", "null"))))
                .isEqualTo(new RowChange.Delete(ITEMS, Map.of("id", 1L, "position", 4L)));
    }

    @Test
    void shouldGiveAnUpdateItsOldImageOnlyWhenDebeziumHasOne() {
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(),
                types(Map.of("id", "integer", "title", "text")));

        assertThat(change(decoder.decode("{\"id\":1}", event("u", "null", "{\"id\":1,\"title\":\"new\"}"))))
                .isEqualTo(new RowChange.Update(ITEMS, null, Map.of("id", 1L, "title", "new")));
        assertThat(change(decoder.decode("{\"id\":1}", event("u", "{\"id\":1,\"title\":\"old\"}", "{\"id\":1,\"title\":\"new\"}"))))
                .isEqualTo(new RowChange.Update(ITEMS, Map.of("id", 1L, "title", "old"), Map.of("id", 1L, "title", "new")));
    }

    @Test
    void shouldTakeATruncateAsATruncateOfItsOneTable() {
        assertThat(change(DebeziumChangeDecoder.withSchemas().decode(null, event("t", "null", "null"))))
                .isEqualTo(new RowChange.Truncate(List.of(ITEMS), false, false));
    }

    @Test
    void shouldTakeTheDefaultPlaceholderAsUnchangedToastInEveryShapeDebeziumGivesIt() {
        byte[] placeholder = DebeziumSettings.DEFAULT_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);
        StringBuilder bytesAsNumbers = new StringBuilder();
        for (byte b : placeholder) {
            bytesAsNumbers.append(bytesAsNumbers.isEmpty() ? "" : ",").append(b);
        }
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(), types(Map.of("id", "integer",
                "body", "text", "doc", "jsonb", "raw", "bytea", "tags", "text[]", "counts", "integer[]", "ids", "uuid[]")));

        Map<String, Object> row = inserted(decoder, "{\"id\":1,\"body\":\"__debezium_unavailable_value\",\"doc\":\"__debezium_unavailable_value\","
                + "\"raw\":\"" + Base64.getEncoder().encodeToString(placeholder) + "\",\"tags\":[\"__debezium_unavailable_value\"],"
                + "\"counts\":[" + bytesAsNumbers + "],\"ids\":[\"" + java.util.UUID.nameUUIDFromBytes(placeholder) + "\"]}");

        assertThat(row).containsEntry("id", 1L);
        assertThat(row).containsEntry("body", Unchanged.TOAST).containsEntry("doc", Unchanged.TOAST).containsEntry("raw", Unchanged.TOAST)
                .containsEntry("tags", Unchanged.TOAST).containsEntry("counts", Unchanged.TOAST).containsEntry("ids", Unchanged.TOAST);
    }

    @Test
    void shouldTakeTheConfiguredPlaceholderAndNotTheDefaultOne() {
        DebeziumSettings settings = DebeziumSettings.fromConnectorConfig(Map.of("unavailable.value.placeholder", "hex:00ff"));
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(settings, types(Map.of("id", "integer", "body", "text", "raw", "bytea")));

        Map<String, Object> row = inserted(decoder, "{\"id\":1,\"body\":\"__debezium_unavailable_value\",\"raw\":\"AP8=\"}");

        assertThat(row.get("body")).isEqualTo("__debezium_unavailable_value");
        assertThat(row.get("raw")).isSameAs(Unchanged.TOAST);
        DebeziumChangeDecoder custom = new DebeziumChangeDecoder(DebeziumSettings.defaults().withPlaceholder("<toasted>"),
                types(Map.of("id", "integer", "body", "text")));
        assertThat(inserted(custom, "{\"id\":1,\"body\":\"<toasted>\"}").get("body")).isSameAs(Unchanged.TOAST);
    }

    @Test
    void shouldConvertValuesWithSchemasAsThePgoutputPathDoes() {
        String schema = "{\"type\":\"struct\",\"optional\":false,\"name\":\"dbz.public.items.Envelope\",\"fields\":["
                + "{\"type\":\"struct\",\"optional\":true,\"field\":\"before\",\"fields\":[]},"
                + "{\"type\":\"struct\",\"optional\":true,\"field\":\"after\",\"fields\":["
                + "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
                + "{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
                + "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"12\"},\"field\":\"price\"},"
                + "{\"type\":\"struct\",\"optional\":true,\"name\":\"io.debezium.data.VariableScaleDecimal\",\"field\":\"amount\","
                + "\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"scale\"},{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}]},"
                + "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTimestamp\",\"version\":1,\"field\":\"at\"},"
                + "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.Timestamp\",\"version\":1,\"field\":\"at_ms\"},"
                + "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\",\"version\":1,\"field\":\"at_tz\"},"
                + "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\",\"version\":1,\"field\":\"born\"},"
                + "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\",\"version\":1,\"field\":\"clock\"},"
                + "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Json\",\"version\":1,\"field\":\"doc\"},"
                + "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Uuid\",\"version\":1,\"field\":\"uid\"},"
                + "{\"type\":\"bytes\",\"optional\":true,\"field\":\"raw\"},"
                + "{\"type\":\"array\",\"optional\":true,\"items\":{\"type\":\"int32\",\"optional\":true},\"field\":\"counts\"},"
                + "{\"type\":\"float\",\"optional\":true,\"field\":\"ratio\"},"
                + "{\"type\":\"boolean\",\"optional\":true,\"field\":\"flag\"},"
                + "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroDuration\",\"version\":1,\"field\":\"span\"}]},"
                + "{\"type\":\"struct\",\"optional\":false,\"name\":\"io.debezium.connector.postgresql.Source\",\"field\":\"source\",\"fields\":[]},"
                + "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}]}";
        String after = "{\"id\":1,\"price\":\"BOI=\",\"amount\":{\"scale\":3,\"value\":\"MDk=\"},\"at\":1765098358123456,"
                + "\"at_ms\":-1000,\"at_tz\":\"2026-12-07T03:35:58.654321Z\",\"born\":-1,\"clock\":86400000000,"
                + "\"doc\":\"{\\\"k\\\": 1.0, \\\"a\\\": []}\",\"uid\":\"7C5E4B8A-0000-4000-8000-00000000000A\",\"raw\":\"AP8Q\","
                + "\"counts\":[1,null,-3],\"ratio\":1.1,\"flag\":true,\"span\":3600000000}";
        String value = "{\"schema\":" + schema + ",\"payload\":" + event("c", "null", after) + "}";

        Map<String, Object> row = ((RowChange.Insert) change(DebeziumChangeDecoder.withSchemas().decode(null, value))).newValues();

        assertThat(row.get("id")).isEqualTo(1L);
        assertThat(row.get("price")).isEqualTo("12.50"); // 0x04E2 = 1250, scale 2; numeric stays PostgreSQL's text
        assertThat(row.get("amount")).isEqualTo("12.345"); // 0x3039 = 12345, scale 3
        assertThat(row.get("at")).isEqualTo(LocalDateTime.of(2025, 12, 7, 9, 5, 58, 123_456_000));
        assertThat(row.get("at_ms")).isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59));
        assertThat(row.get("at_tz")).isEqualTo(OffsetDateTime.of(2026, 12, 7, 3, 35, 58, 654_321_000, ZoneOffset.UTC));
        assertThat(row.get("born")).isEqualTo(LocalDate.of(1969, 12, 31));
        assertThat(row.get("clock")).isEqualTo(LocalTime.MAX);
        assertThat(row.get("doc")).isEqualTo(new JsonText("{\"a\":[],\"k\":1}"));
        assertThat(row.get("uid")).isEqualTo("7c5e4b8a-0000-4000-8000-00000000000a");
        assertThat((byte[]) row.get("raw")).containsExactly(0x00, 0xff, 0x10);
        assertThat(row.get("counts")).isEqualTo(java.util.Arrays.asList(1L, null, -3L));
        assertThat(row.get("ratio")).isEqualTo(1.1d);
        assertThat(row.get("flag")).isEqualTo(true);
        assertThat(row.get("span")).isInstanceOfSatisfying(Unconvertible.class,
                u -> assertThat(u.problem()).contains("public.items.span").contains("io.debezium.time.MicroDuration"));
    }

    @Test
    void shouldConvertValuesWithoutSchemasByTheColumnsTypeAndTheConnectorsSettings() {
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(), types(Map.of("id", "integer",
                "at", "timestamp without time zone", "at_ms", "timestamp(3) without time zone", "clock_ms", "time(3) without time zone",
                "price", "numeric(12,2)", "at_tz", "timestamp with time zone", "raw", "bytea", "doc", "json")));

        Map<String, Object> row = inserted(decoder, "{\"id\":1,\"at\":1765098358123456,\"at_ms\":1765098358123,\"clock_ms\":1000,"
                + "\"price\":\"BOI=\",\"at_tz\":\"infinity\",\"raw\":\"AP8Q\",\"doc\":\"[1.50]\"}");

        assertThat(row.get("at")).isEqualTo(LocalDateTime.of(2025, 12, 7, 9, 5, 58, 123_456_000));
        assertThat(row.get("at_ms")).isEqualTo(LocalDateTime.of(2025, 12, 7, 9, 5, 58, 123_000_000));
        assertThat(row.get("clock_ms")).isEqualTo(LocalTime.of(0, 0, 1));
        assertThat(row.get("price")).isEqualTo("12.50");
        assertThat(row.get("at_tz")).isInstanceOf(Unconvertible.class); // as the pgoutput path: Neo4j has no infinite times
        assertThat((byte[]) row.get("raw")).containsExactly(0x00, 0xff, 0x10);
        assertThat(row.get("doc")).isEqualTo(new JsonText("[1.5]"));

        DebeziumChangeDecoder connect = new DebeziumChangeDecoder(DebeziumSettings.defaults().withTimePrecisionMode(TimePrecisionMode.CONNECT)
                .withDecimalHandlingMode(DecimalHandlingMode.STRING).withBinaryHandlingMode(BinaryHandlingMode.HEX), types(Map.of(
                "id", "integer", "at", "timestamp", "price", "numeric(12,2)", "raw", "bytea")));
        Map<String, Object> connectRow = inserted(connect, "{\"id\":1,\"at\":1765098358123,\"price\":\"12.50\",\"raw\":\"00ff10\"}");
        assertThat(connectRow.get("at")).isEqualTo(LocalDateTime.of(2025, 12, 7, 9, 5, 58, 123_000_000));
        assertThat(connectRow.get("price")).isEqualTo("12.50");
        assertThat((byte[]) connectRow.get("raw")).containsExactly(0x00, 0xff, 0x10);
    }

    @Test
    void shouldRefuseAValueWithoutSchemaWhoseColumnTypeIsNotKnownNamingTheColumnAndTheFix() {
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(), types(Map.of("id", "integer")));

        assertThatThrownBy(() -> decoder.decode(null, event("c", "null", "{\"id\":1,\"created_at\":1765098358123456}")))
                .isInstanceOf(DebeziumFormatException.class)
                .hasMessageContaining("public.items.created_at").hasMessageContaining("integer value")
                .hasMessageContaining("schemas.enable=true").hasMessageContaining("column types");
    }

    @Test
    void shouldRefuseANumericWhoseScaleNeitherTheSchemaNorTheTypeGives() {
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(), types(Map.of("id", "integer", "price", "numeric")));

        assertThatThrownBy(() -> decoder.decode(null, event("c", "null", "{\"id\":1,\"price\":\"BOI=\"}")))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("public.items.price").hasMessageContaining("numeric(12,2)");
        assertThatThrownBy(() -> decoder.decode(null, event("c", "null", "{\"id\":1,\"price\":12.5}")))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("decimal.handling.mode");
        assertThatThrownBy(() -> DebeziumSettings.fromConnectorConfig(Map.of("decimal.handling.mode", "double")))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("precise");
    }

    @Test
    void shouldRefuseBadRecordsNamingWhatIsWrongAndTheFixWithoutJacksonInternals() {
        DebeziumChangeDecoder decoder = DebeziumChangeDecoder.withSchemas();

        assertThatThrownBy(() -> decoder.decode(null, "\u0000\u0001avro-bytes"))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("not JSON").hasMessageContaining("JsonConverter")
                .message().doesNotContain("com.fasterxml");
        assertThatThrownBy(() -> decoder.decode(null, event("x", "null", "{\"id\":1}")))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("unknown op 'x'").hasMessageContaining("public.items");
        assertThatThrownBy(() -> decoder.decode(null, event("c", "null", "{\"id\":1}").replace("\"table\":\"items\"", "\"table\":null")))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("source.table");
        assertThatThrownBy(() -> decoder.decode(null, "{\"id\":1,\"title\":\"unwrapped\"}"))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("no op").hasMessageContaining("ExtractNewRecordState");
        assertThatThrownBy(() -> decoder.decode(null, "[1,2]"))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("array");
        assertThatThrownBy(() -> decoder.decode(null, event("c", "null", "null")))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("no after image");
        assertThatThrownBy(() -> decoder.decode(null, event("d", "null", "null")))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("neither a before image nor a record key");
    }

    @Test
    void shouldReadTheConnectorsOwnSettingKeysAndRefuseAnUnknownValue() {
        DebeziumSettings settings = DebeziumSettings.fromConnectorConfig(Map.of("time.precision.mode", "connect",
                "binary.handling.mode", "base64-url-safe", "unavailable.value.placeholder", "n/a", "database.hostname", "ignored"));

        assertThat(settings.timePrecisionMode()).isEqualTo(TimePrecisionMode.CONNECT);
        assertThat(settings.binaryHandlingMode()).isEqualTo(BinaryHandlingMode.BASE64_URL_SAFE);
        assertThat(settings.unavailableValuePlaceholder()).isEqualTo("n/a".getBytes(StandardCharsets.UTF_8));
        assertThat(DebeziumSettings.fromConnectorConfig(Map.of())).isEqualTo(DebeziumSettings.defaults());
        assertThatThrownBy(() -> DebeziumSettings.fromConnectorConfig(Map.of("time.precision.mode", "isostring")))
                .isInstanceOf(DebeziumFormatException.class).hasMessageContaining("time.precision.mode=isostring")
                .hasMessageContaining("adaptive");
    }

    @Test
    void shouldReadTypeNamesInBothCatalogSpellings() {
        assertThat(PgColumnType.parse("timestamp(3) without time zone")).isEqualTo(new PgColumnType(PgTypeOids.TIMESTAMP, false, 3, -1,
                "timestamp(3) without time zone"));
        assertThat(PgColumnType.parse("numeric(12,2)").scale()).isEqualTo(2);
        assertThat(PgColumnType.parse("numeric(12)").scale()).isZero();
        assertThat(PgColumnType.parse("numeric").scale()).isEqualTo(-1);
        assertThat(PgColumnType.parse("_int4")).extracting(PgColumnType::oid, PgColumnType::array).containsExactly(PgTypeOids.INT4, true);
        assertThat(PgColumnType.parse("character varying(20)[]")).extracting(PgColumnType::oid, PgColumnType::array)
                .containsExactly(PgTypeOids.VARCHAR, true);
        assertThat(PgColumnType.parse("timestamptz").oid()).isEqualTo(PgTypeOids.TIMESTAMPTZ);
        assertThat(PgColumnType.parse("mood").oid()).isZero();
        assertThat(new BigDecimal("12.50").toPlainString()).isEqualTo("12.50");
    }
}
