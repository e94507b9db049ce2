package io.nexussync.kafka.records;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.model.Unconvertible;
import java.io.IOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A column value in a change record, as {@link ChangeRecordCodec}'s class comment describes: plain JSON for null,
 * Boolean, Long, String and List, a tagged object {@code {"t": tag, "v": text}} for every other type. Only the types
 * the pgoutput value converter gives (and the two placeholders) are written: any other type is refused rather than
 * widened or stringified, because it would come back as something else.
 */
final class ColumnValues {
    static final String TAG = "t";
    static final String TEXT = "v";
    static final String PROBLEM = "problem";
    static final String DETAIL = "detail";

    private ColumnValues() {}

    /** Writes a row image as a JSON object, in the map's column order. */
    static void writeRow(JsonGenerator out, Map<String, Object> row, String where) throws IOException {
        out.writeStartObject();
        for (Map.Entry<String, Object> column : row.entrySet()) {
            out.writeFieldName(column.getKey());
            write(out, column.getValue(), where + "." + column.getKey());
        }
        out.writeEndObject();
    }

    static void write(JsonGenerator out, Object value, String where) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof String s) {
            out.writeString(s);
        } else if (value instanceof Long l) {
            out.writeNumber(l);
        } else if (value instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (int i = 0; i < list.size(); i++) {
                write(out, list.get(i), where + "[" + i + "]");
            }
            out.writeEndArray();
        } else if (value instanceof Double d) {
            // Double.toString is the shortest text that parses back to the same double, NaN and the infinities included
            tagged(out, "double", d.toString());
        } else if (value instanceof OffsetDateTime t) {
            tagged(out, "offsetDateTime", t.toString());
        } else if (value instanceof LocalDateTime t) {
            tagged(out, "localDateTime", t.toString());
        } else if (value instanceof LocalDate t) {
            tagged(out, "localDate", t.toString());
        } else if (value instanceof LocalTime t) {
            tagged(out, "localTime", t.toString());
        } else if (value instanceof OffsetTime t) {
            tagged(out, "offsetTime", t.toString());
        } else if (value instanceof JsonText json) {
            tagged(out, "json", json.canonical());
        } else if (value instanceof byte[] bytes) {
            tagged(out, "bytes", Base64.getEncoder().encodeToString(bytes));
        } else if (value == Unchanged.TOAST) {
            out.writeStartObject();
            out.writeStringField(TAG, "toast");
            out.writeEndObject();
        } else if (value instanceof Unconvertible u) {
            out.writeStartObject();
            out.writeStringField(TAG, "unconvertible");
            out.writeStringField(PROBLEM, u.problem());
            out.writeStringField(DETAIL, u.detail());
            out.writeEndObject();
        } else {
            throw new IllegalArgumentException(where + ": a " + value.getClass().getName() + " is not a value the pgoutput converter"
                    + " gives, and the change record format has no form for it (it would come back as another type)");
        }
    }

    private static void tagged(JsonGenerator out, String tag, String text) throws IOException {
        out.writeStartObject();
        out.writeStringField(TAG, tag);
        out.writeStringField(TEXT, text);
        out.writeEndObject();
    }

    /** A row image back: read-only, in the record's column order, as the pgoutput decoder's rows are. */
    static Map<String, Object> readRow(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ChangeRecordException("a change record's " + where + " is not a JSON object of columns");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> column : node.properties()) {
            row.put(column.getKey(), read(column.getValue(), where + "." + column.getKey()));
        }
        return Collections.unmodifiableMap(row);
    }

    static Object read(JsonNode node, String where) {
        switch (node.getNodeType()) {
            case NULL:
                return null;
            case STRING:
                return node.textValue();
            case BOOLEAN:
                return node.booleanValue();
            case NUMBER:
                if (node.isIntegralNumber() && node.canConvertToLong()) {
                    return node.longValue();
                }
                throw new ChangeRecordException("a change record's " + where
                        + ": a plain number must be an integer within a long's range (a double is tagged)");
            case ARRAY:
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(read(node.get(i), where + "[" + i + "]"));
                }
                return Collections.unmodifiableList(list);
            case OBJECT:
                return readTagged(node, where);
            default:
                throw new ChangeRecordException("a change record's " + where + ": a " + node.getNodeType() + " is not a column value");
        }
    }

    private static Object readTagged(JsonNode node, String where) {
        JsonNode tagNode = node.get(TAG);
        if (tagNode == null || !tagNode.isTextual()) {
            throw new ChangeRecordException("a change record's " + where + ": an object value needs its type tag '" + TAG + "' (a string)");
        }
        String tag = tagNode.textValue();
        return switch (tag) {
            case "double" -> parse(node, where, tag, Double::valueOf);
            case "offsetDateTime" -> parse(node, where, tag, OffsetDateTime::parse);
            case "localDateTime" -> parse(node, where, tag, LocalDateTime::parse);
            case "localDate" -> parse(node, where, tag, LocalDate::parse);
            case "localTime" -> parse(node, where, tag, LocalTime::parse);
            case "offsetTime" -> parse(node, where, tag, OffsetTime::parse);
            case "json" -> new JsonText(text(node, TEXT, where, tag));
            case "bytes" -> parse(node, where, tag, Base64.getDecoder()::decode);
            case "toast" -> Unchanged.TOAST;
            case "unconvertible" -> new Unconvertible(nullableText(node, PROBLEM, where, tag), nullableText(node, DETAIL, where, tag));
            default -> throw new ChangeRecordException("a change record's " + where + ": unknown value tag (this build reads double, offsetDateTime,"
                    + " localDateTime, localDate, localTime, offsetTime, json, bytes, toast, unconvertible): a newer capture wrote it,"
                    + " or something else did", "tag '" + shortened(tag) + "'");
        };
    }

    private static Object parse(JsonNode node, String where, String tag, Function<String, Object> parser) {
        String text = text(node, TEXT, where, tag);
        try {
            return parser.apply(text);
        } catch (RuntimeException e) {
            throw new ChangeRecordException("a change record's " + where + ": the text of a '" + tag + "' value does not parse as one", e);
        }
    }

    private static String text(JsonNode node, String field, String where, String tag) {
        JsonNode text = node.get(field);
        if (text == null || !text.isTextual()) {
            throw new ChangeRecordException("a change record's " + where + ": a '" + tag + "' value lacks its text '" + field + "' (a string)");
        }
        return text.textValue();
    }

    private static String nullableText(JsonNode node, String field, String where, String tag) {
        JsonNode text = node.get(field);
        if (text == null || !(text.isTextual() || text.isNull())) {
            throw new ChangeRecordException("a change record's " + where + ": a '" + tag + "' value lacks '" + field + "' (a string or null)");
        }
        return text.isNull() ? null : text.textValue();
    }

    // a damaged record could hold anything, and any length, where a tag belongs
    static String shortened(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
