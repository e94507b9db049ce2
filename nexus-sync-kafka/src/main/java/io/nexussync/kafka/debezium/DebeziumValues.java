package io.nexussync.kafka.debezium;

import static io.nexussync.postgres.pgoutput.PgTypeOids.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.model.Unconvertible;
import io.nexussync.kafka.debezium.DebeziumSettings.TimePrecisionMode;
import io.nexussync.postgres.pgoutput.ValueConversionException;
import io.nexussync.postgres.pgoutput.ValueConverter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns one column value of a Debezium change event into the Java value the pgoutput path gives for the same column
 * ({@link ValueConverter}): integers as Long, float4/float8 as Double, numeric as its PostgreSQL text, uuid as lower-case
 * text, json/jsonb as canonical {@link io.nexussync.core.model.JsonText}, timestamptz as an OffsetDateTime in UTC,
 * timestamp/date/time as LocalDateTime/LocalDate/LocalTime, bytea as byte[], arrays as lists. Where the text form is
 * what both sides share (numbers, json, uuid) the value goes through the pgoutput path's own converter.
 *
 * <p>The column's PostgreSQL type (from {@link ColumnTypes}, or the schema's {@code __debezium.source.column.type}) says
 * what the value is; the field's schema, where the event has one, says how Debezium encoded it; without a schema the
 * connector's settings do. A value with no graph form (an infinite timestamp, a type the pgoutput path keeps as text
 * that Debezium writes otherwise) becomes {@link Unconvertible}, as in the pgoutput path, so that it costs its row only
 * when the mapping uses it. Stateless apart from its settings: thread-safe.
 */
final class DebeziumValues {

    private static final long NANOS_PER_DAY = 86_400_000_000_000L;

    // logical types whose string is the text PostgreSQL prints
    private static final Set<String> TEXT_LOGICAL_TYPES = Set.of("io.debezium.data.Enum", "io.debezium.data.Xml",
            "io.debezium.data.Ltree", "io.debezium.data.Uuid", "io.debezium.data.Json");

    private static final Map<String, Integer> LOGICAL_TYPES = Map.ofEntries(
            Map.entry("io.debezium.data.Uuid", UUID),
            Map.entry("io.debezium.data.Json", JSONB),
            Map.entry("io.debezium.time.ZonedTimestamp", TIMESTAMPTZ),
            Map.entry("io.debezium.time.Timestamp", TIMESTAMP),
            Map.entry("io.debezium.time.MicroTimestamp", TIMESTAMP),
            Map.entry("io.debezium.time.NanoTimestamp", TIMESTAMP),
            Map.entry("org.apache.kafka.connect.data.Timestamp", TIMESTAMP),
            Map.entry("io.debezium.time.Date", DATE),
            Map.entry("org.apache.kafka.connect.data.Date", DATE),
            Map.entry("io.debezium.time.Time", TIME),
            Map.entry("io.debezium.time.MicroTime", TIME),
            Map.entry("io.debezium.time.NanoTime", TIME),
            Map.entry("org.apache.kafka.connect.data.Time", TIME),
            Map.entry("io.debezium.time.ZonedTime", TIMETZ),
            Map.entry("org.apache.kafka.connect.data.Decimal", NUMERIC),
            Map.entry("io.debezium.data.VariableScaleDecimal", NUMERIC));

    private final DebeziumSettings settings;
    private final String placeholder;
    private final String placeholderUuid;
    private final Set<String> placeholderBinaryForms;
    private final List<Long> placeholderNumbers;

    DebeziumValues(DebeziumSettings settings) {
        this.settings = settings;
        this.placeholder = settings.placeholderText();
        this.placeholderUuid = settings.placeholderUuid();
        byte[] bytes = settings.placeholderBytes();
        // a set of distinct forms: base64 and its URL-safe form agree for many placeholders
        this.placeholderBinaryForms = Set.copyOf(List.of(Base64.getEncoder().encodeToString(bytes),
                Base64.getUrlEncoder().encodeToString(bytes), HexFormat.of().formatHex(bytes)));
        List<Long> numbers = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            numbers.add((long) b);
        }
        this.placeholderNumbers = List.copyOf(numbers);
    }

    /**
     * @param schema the field's schema, or null for an event without schemas
     * @param pgType the column's PostgreSQL type, or null when not known
     * @throws DebeziumFormatException when neither the schema nor the type says what the value is, or the value's
     *                                 encoding shows a connector setting nexus-sync cannot follow
     */
    Object convert(TableId table, String column, JsonNode value, FieldSchema schema, PgColumnType pgType) {
        if (value == null || value.isNull()) {
            return null;
        }
        PgColumnType type = pgType != null ? pgType : propagatedType(schema);
        Target target = target(schema, type);
        if (target == null) {
            if (value.isBoolean()) {
                return value.booleanValue();
            }
            throw new DebeziumFormatException(table + "." + column + ": its " + jsonType(value) + " value comes without a "
                    + "schema and the column's PostgreSQL type is not known, so it could be any of several types: enable "
                    + "schemas on the topic's converter (value.converter.schemas.enable=true) or give the column types "
                    + "(ColumnTypes, from the catalog)");
        }
        if (isPlaceholder(value, target)) {
            return Unchanged.TOAST;
        }
        try {
            if (target.array()) {
                if (!value.isArray()) {
                    throw new ValueConversionException("expected a JSON array, got " + jsonType(value));
                }
                FieldSchema items = schema == null ? null : schema.items();
                List<Object> out = new ArrayList<>(value.size());
                for (JsonNode element : value) {
                    out.add(element.isNull() ? null : scalar(target.oid(), element, items, type, table, column));
                }
                return Collections.unmodifiableList(out);
            }
            return scalar(target.oid(), value, schema, type, table, column);
        } catch (DebeziumFormatException e) {
            throw e;
        } catch (ValueConversionException | DateTimeException | ArithmeticException | IllegalArgumentException e) {
            String typeName = type != null ? type.name() : schema.describe();
            return new Unconvertible(table + "." + column + ": its " + typeName + " value has no graph form", e.getMessage());
        }
    }

    /** What the value is: the PostgreSQL type's OID, else the one the schema's logical name or type implies. */
    private record Target(int oid, boolean array) {}

    private static Target target(FieldSchema schema, PgColumnType type) {
        if (type != null) {
            return new Target(type.oid(), type.array());
        }
        if (schema == null) {
            return null;
        }
        if (schema.type().equals("array")) {
            Target element = schema.items() == null ? new Target(0, false) : target(schema.items(), null);
            return new Target(element.oid(), true);
        }
        if (schema.name() != null) {
            return new Target(LOGICAL_TYPES.getOrDefault(schema.name(), 0), false);
        }
        return new Target(switch (schema.type()) {
            case "boolean" -> BOOL;
            case "int8", "int16", "int32", "int64" -> INT8;
            case "float", "double", "float32", "float64" -> FLOAT8;
            case "string" -> TEXT;
            case "bytes" -> BYTEA;
            default -> 0;
        }, false);
    }

    // column.propagate.source.type puts the column's type name in the schema's parameters
    private static PgColumnType propagatedType(FieldSchema schema) {
        if (schema == null) {
            return null;
        }
        String name = schema.parameters().get("__debezium.source.column.type");
        if (name == null) {
            return null;
        }
        String scale = schema.parameters().get("__debezium.source.column.scale");
        String length = schema.parameters().get("__debezium.source.column.length");
        PgColumnType parsed = PgColumnType.parse(name);
        if (parsed.oid() == NUMERIC && scale != null && length != null) {
            return PgColumnType.parse(name + "(" + length + "," + scale + ")");
        }
        return parsed;
    }

    /**
     * Debezium's stand-in for an unchanged TOAST value, by column type as its UnchangedToastedPlaceholder makes it: the
     * placeholder text; its bytes (base64, base64url or hex) in a bytea; a one-element list of the text, the bytes or
     * the bytes' name-based UUID in a text, bytea or uuid array; the bytes as numbers in an int4, int8 or date array;
     * a one-entry map in an hstore.
     */
    private boolean isPlaceholder(JsonNode value, Target target) {
        if (value.isTextual()) {
            String text = value.textValue();
            return text.equals(placeholder) || (target.oid() == BYTEA && placeholderBinaryForms.contains(text));
        }
        if (value.isArray() && value.size() == 1 && value.get(0).isTextual()) {
            String text = value.get(0).textValue();
            return text.equals(placeholder) || text.equals(placeholderUuid) || placeholderBinaryForms.contains(text);
        }
        if (value.isArray() && value.size() == placeholderNumbers.size()
                && (target.oid() == INT4 || target.oid() == INT8 || target.oid() == DATE || target.oid() == 0)) {
            for (int i = 0; i < value.size(); i++) {
                if (!value.get(i).isIntegralNumber() || value.get(i).longValue() != placeholderNumbers.get(i)) {
                    return false;
                }
            }
            return true;
        }
        return value.isObject() && value.size() == 1 && placeholder.equals(value.path(placeholder).textValue());
    }

    private Object scalar(int oid, JsonNode value, FieldSchema schema, PgColumnType type, TableId table, String column) {
        return switch (oid) {
            case BOOL -> {
                if (!value.isBoolean()) {
                    throw mismatch("boolean", value);
                }
                yield value.booleanValue();
            }
            case INT2, INT4, INT8, OID -> ValueConverter.fromText(INT8, integral(value));
            case FLOAT4, FLOAT8 -> {
                if (!value.isNumber() && !value.isTextual()) {
                    throw mismatch("number", value);
                }
                yield ValueConverter.fromText(FLOAT8, value.asText());
            }
            case NUMERIC -> numeric(value, schema, type, table, column);
            case TEXT, VARCHAR, BPCHAR, NAME, CHAR -> text(value);
            case UUID -> text(value).toLowerCase(Locale.ROOT);
            case JSON, JSONB -> ValueConverter.fromText(JSONB, text(value));
            case BYTEA -> bytes(value, schema);
            case DATE -> value.isIntegralNumber() ? LocalDate.ofEpochDay(value.longValue()) : LocalDate.parse(finite(text(value)));
            case TIME -> value.isIntegralNumber() ? timeOfDay(value.longValue(), timeUnitNanos(schema, type, true)) : LocalTime.parse(text(value));
            case TIMETZ -> OffsetTime.parse(text(value));
            case TIMESTAMP -> value.isIntegralNumber() ? timestamp(value.longValue(), timeUnitNanos(schema, type, false))
                    : LocalDateTime.parse(finite(text(value)));
            case TIMESTAMPTZ -> OffsetDateTime.parse(finite(text(value))).withOffsetSameInstant(ZoneOffset.UTC);
            default -> {
                // a type the pgoutput path keeps as PostgreSQL's text: only a string Debezium writes as that text will do
                if (value.isTextual() && (schema == null || schema.name() == null || TEXT_LOGICAL_TYPES.contains(schema.name()))) {
                    yield value.textValue();
                }
                throw new ValueConversionException("Debezium wrote it as " + (schema != null ? schema.describe() : jsonType(value))
                        + ", not as the text PostgreSQL prints, which is what the pgoutput path keeps for this type");
            }
        };
    }

    private Object numeric(JsonNode value, FieldSchema schema, PgColumnType type, TableId table, String column) {
        if (value.isObject()) {
            // io.debezium.data.VariableScaleDecimal: a numeric declared without a scale
            return plain(new BigDecimal(new BigInteger(Base64.getDecoder().decode(text(value.path("value")))), value.path("scale").intValue()));
        }
        if (value.isNumber()) {
            throw new DebeziumFormatException(table + "." + column + ": a numeric arrives as a JSON number, as "
                    + "decimal.handling.mode=double writes it, which drops its scale (1.50 becomes 1.5): set the connector's "
                    + "decimal.handling.mode to precise or string");
        }
        String text = text(value);
        boolean base64 = schema != null ? "bytes".equals(schema.type())
                : settings.decimalHandlingMode() == DebeziumSettings.DecimalHandlingMode.PRECISE;
        if (!base64) {
            // decimal.handling.mode=string; NaN and the infinities stay as PostgreSQL spells them
            return text.equals("NaN") || text.endsWith("Infinity") ? text : plain(new BigDecimal(text));
        }
        int scale;
        if (schema != null && schema.parameters().containsKey("scale")) {
            scale = Integer.parseInt(schema.parameters().get("scale"));
        } else if (type != null && type.scale() >= 0) {
            scale = type.scale();
        } else {
            throw new DebeziumFormatException(table + "." + column + ": a numeric arrives as Debezium's precise bytes, "
                    + "whose scale is only in the schema: enable schemas on the topic's converter "
                    + "(value.converter.schemas.enable=true), or give the column's type with its scale (numeric(12,2), as "
                    + "format_type prints it), or set decimal.handling.mode=string");
        }
        return plain(new BigDecimal(new BigInteger(Base64.getDecoder().decode(text)), scale));
    }

    // numeric's output: never an exponent, the declared scale kept; the same String the pgoutput path keeps
    private static String plain(BigDecimal number) {
        return (String) ValueConverter.fromText(NUMERIC, number.toPlainString());
    }

    private byte[] bytes(JsonNode value, FieldSchema schema) {
        String text = text(value);
        if (schema != null && "bytes".equals(schema.type())) {
            return Base64.getDecoder().decode(text); // JsonConverter writes Connect bytes as base64
        }
        return switch (settings.binaryHandlingMode()) {
            case BYTES, BASE64 -> Base64.getDecoder().decode(text);
            case BASE64_URL_SAFE -> Base64.getUrlDecoder().decode(text);
            case HEX -> HexFormat.of().parseHex(text);
        };
    }

    /**
     * The unit of an integral time or timestamp: the schema's logical name, or without one the connector's
     * time.precision.mode with the column's precision (adaptive: up to 3 digits milliseconds, else microseconds).
     */
    private long timeUnitNanos(FieldSchema schema, PgColumnType type, boolean timeOfDay) {
        if (schema != null && schema.name() != null) {
            return switch (schema.name()) {
                case "io.debezium.time.NanoTime", "io.debezium.time.NanoTimestamp" -> 1L;
                case "io.debezium.time.MicroTime", "io.debezium.time.MicroTimestamp" -> 1_000L;
                default -> 1_000_000L;
            };
        }
        TimePrecisionMode mode = settings.timePrecisionMode();
        if (mode == TimePrecisionMode.CONNECT) {
            return 1_000_000L;
        }
        if (mode == TimePrecisionMode.ADAPTIVE_TIME_MICROSECONDS && timeOfDay) {
            return 1_000L;
        }
        int precision = type == null ? -1 : type.precision();
        return precision >= 0 && precision <= 3 ? 1_000_000L : 1_000L;
    }

    private static LocalTime timeOfDay(long count, long unitNanos) {
        long nanos = Math.multiplyExact(count, unitNanos);
        // time accepts 24:00:00; the pgoutput path gives it as the last instant of the day
        return nanos == NANOS_PER_DAY ? LocalTime.MAX : LocalTime.ofNanoOfDay(nanos);
    }

    private static LocalDateTime timestamp(long count, long unitNanos) {
        long perSecond = 1_000_000_000L / unitNanos;
        return LocalDateTime.ofEpochSecond(Math.floorDiv(count, perSecond), (int) (Math.floorMod(count, perSecond) * unitNanos), ZoneOffset.UTC);
    }

    private static String finite(String text) {
        if (text.equals("infinity") || text.equals("-infinity")) {
            throw new ValueConversionException("'" + text + "' cannot be stored: Neo4j has no infinite dates or times");
        }
        return text;
    }

    private static String integral(JsonNode value) {
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        throw mismatch("integer", value);
    }

    private static String text(JsonNode value) {
        if (!value.isTextual()) {
            throw mismatch("string", value);
        }
        return value.textValue();
    }

    private static ValueConversionException mismatch(String expected, JsonNode value) {
        return new ValueConversionException("expected a JSON " + expected + ", got " + jsonType(value));
    }

    static String jsonType(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            case NULL -> "null";
            default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
