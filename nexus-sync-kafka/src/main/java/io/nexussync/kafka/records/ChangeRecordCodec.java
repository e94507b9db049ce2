package io.nexussync.kafka.records;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.nexussync.core.capture.StreamItem;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The record format between {@code capture --to kafka} and {@code apply --from kafka}: one record per streamed row
 * change, bytes in and out (the roles own the producer and the consumer). Immutable and thread-safe.
 *
 * <h2>Key: the entity</h2>
 * A JSON array of strings naming the graph entity the change writes, so that every change to it lands in one partition
 * in stream order: {@code ["node", label, identity]} for a node table's row ({@link
 * io.nexussync.core.mapping.NodeMapping#identity}), {@code ["rel", type, fromLabel, fromIdentity, toLabel, toIdentity]}
 * for a join table's row (every version of one temporal pair shares it). The identity is the one the planner writes: an
 * INSERT's and an UPDATE's new image, a DELETE's old key; a key-changing UPDATE goes with its new identity (the old
 * identity's deletion rides along). A row that names no entity (a key column null, an end of the pair null or missing
 * from a DELETE's old key) gets {@code ["table", schema, name]}: the planner writes nothing for it or refuses it, and its
 * table's key keeps such rows in order. JSON string escaping keeps keys apart whatever an identity holds (quotes, commas,
 * brackets, NUL). A TRUNCATE names no entity: its key is the bare word {@code truncate} (not a JSON array, so it meets
 * no entity's key); ordering it against the entities of its tables is the capture role's business. A change to tables
 * the mapping does not map is not published at all ({@link #encode} gives null).
 *
 * <h2>Value: UTF-8 JSON</h2>
 * <pre>{@code
 * {"format":1,
 *  "position":{"tx":"0/16B3748","index":3},          // Position: the transaction's commit LSN, the change's ordinal
 *  "txFinalLsn":"0/16B3748",                          // SourceChange.txFinalLsn (Lsn text), or null
 *  "commitTime":"2026-12-07T11:20:10.123456789Z",     // SourceChange.commitTime (Instant, to the nanosecond), or null
 *  "change":{"kind":"update",                         // insert | update | delete | truncate
 *            "table":{"schema":"public","name":"threads"},
 *            "oldKey":null,                           // update: a row image or null; delete: a row image
 *            "newValues":{"id":"42","title":"Hi"}}}   // insert and update
 * // truncate: {"kind":"truncate","tables":[{"schema":..,"name":..},..],"cascade":false,"restartIdentity":false}
 * }</pre>
 * A row image is a JSON object in the row's column order. Its values: JSON null, {@code true}/{@code false}, integers
 * (Long; a plain number is always a Long, never a double) and strings (String: numeric columns are Strings already and
 * stay Strings) are plain JSON, a List is a JSON array of values; every other type is a tagged object
 * {@code {"t":tag,"v":text}}: {@code double} ({@link Double#toString}, so NaN, the infinities and -0.0 survive),
 * {@code offsetDateTime}, {@code localDateTime}, {@code localDate}, {@code localTime}, {@code offsetTime} (ISO text from
 * {@code toString}: nanoseconds, the offset, years past 9999 and before year 1 kept), {@code json} (the JsonText's
 * canonical text), {@code bytes} (base64); and without {@code v}: {@code {"t":"toast"}} for {@link
 * io.nexussync.core.model.Unchanged#TOAST}, {@code {"t":"unconvertible","problem":..,"detail":..}} for {@link
 * io.nexussync.core.model.Unconvertible}. No other type is written: encode refuses it rather than change it.
 *
 * <p>{@code format} is 1. A change to the layout that an older apply would misread takes the next number; such an
 * apply refuses the record ({@link ChangeRecordException}) instead of guessing, so upgrade apply before capture.
 */
public final class ChangeRecordCodec {
    /** The format version this build writes and the only one it reads. */
    public static final int FORMAT = 1;

    private final EntityKeys keys;
    private final JsonMapper json;

    public ChangeRecordCodec(Mapping mapping) {
        // A value is as long as the broker lets a record be (max.message.bytes): no limit of Jackson's own on one string
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.json = JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
        this.keys = new EntityKeys(mapping, json);
    }

    /** The record of one streamed change; null when the change touches no table the mapping maps (nothing to publish). */
    public ChangeRecord encode(StreamItem.Change change) {
        String key = keys.keyOf(change.change().change());
        return key == null ? null : new ChangeRecord(key, value(change));
    }

    private byte[] value(StreamItem.Change item) {
        SourceChange source = item.change();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator out = json.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeNumberField("format", FORMAT);
            out.writeObjectFieldStart("position");
            out.writeStringField("tx", item.position().tx().toString());
            out.writeNumberField("index", item.position().index());
            out.writeEndObject();
            out.writeStringField("txFinalLsn", source.txFinalLsn() == null ? null : source.txFinalLsn().toString());
            out.writeStringField("commitTime", source.commitTime() == null ? null : source.commitTime().toString());
            out.writeFieldName("change");
            writeChange(out, source.change());
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return bytes.toByteArray();
    }

    private static void writeChange(JsonGenerator out, RowChange change) throws IOException {
        out.writeStartObject();
        if (change instanceof RowChange.Insert insert) {
            out.writeStringField("kind", "insert");
            writeTable(out, "table", insert.table());
            out.writeFieldName("newValues");
            ColumnValues.writeRow(out, insert.newValues(), insert.table() + " newValues");
        } else if (change instanceof RowChange.Update update) {
            out.writeStringField("kind", "update");
            writeTable(out, "table", update.table());
            out.writeFieldName("oldKey");
            if (update.oldKey() == null) {
                out.writeNull();
            } else {
                ColumnValues.writeRow(out, update.oldKey(), update.table() + " oldKey");
            }
            out.writeFieldName("newValues");
            ColumnValues.writeRow(out, update.newValues(), update.table() + " newValues");
        } else if (change instanceof RowChange.Delete delete) {
            out.writeStringField("kind", "delete");
            writeTable(out, "table", delete.table());
            out.writeFieldName("oldKey");
            ColumnValues.writeRow(out, delete.oldKey(), delete.table() + " oldKey");
        } else if (change instanceof RowChange.Truncate truncate) {
            out.writeStringField("kind", "truncate");
            out.writeArrayFieldStart("tables");
            for (TableId table : truncate.tables()) {
                writeTable(out, null, table);
            }
            out.writeEndArray();
            out.writeBooleanField("cascade", truncate.cascade());
            out.writeBooleanField("restartIdentity", truncate.restartIdentity());
        } else {
            throw RowChange.unhandled(change);
        }
        out.writeEndObject();
    }

    private static void writeTable(JsonGenerator out, String field, TableId table) throws IOException {
        if (field != null) {
            out.writeFieldName(field);
        }
        out.writeStartObject();
        out.writeStringField("schema", table.schema());
        out.writeStringField("name", table.name());
        out.writeEndObject();
    }

    /**
     * Reads a value encode wrote. A change to a table the mapping does not map comes back like any other (the planner
     * ignores it).
     *
     * @throws ChangeRecordException naming what is wrong, for a value it cannot read: not JSON, an unknown format
     *                               version, a missing or misshapen field, an unknown value tag
     */
    public ConsumedChange decode(byte[] value) {
        if (value == null) {
            throw new ChangeRecordException("a change record has no value (a null value, as a tombstone has): nexus-sync capture never writes one");
        }
        JsonNode root;
        try {
            root = json.readTree(value);
        } catch (IOException e) {
            throw new ChangeRecordException("a change record's value is not JSON: is something other than nexus-sync capture writing to the topic?", e);
        }
        if (root == null || !root.isObject()) {
            throw new ChangeRecordException("a change record's value is not a JSON object: is something other than nexus-sync capture writing to the topic?");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isIntegralNumber()) {
            throw new ChangeRecordException("a change record's value lacks its format version 'format' (an integer):"
                    + " is something other than nexus-sync capture writing to the topic?");
        }
        if (!format.canConvertToInt() || format.intValue() != FORMAT) {
            throw new ChangeRecordException("a change record is in format version " + format.asText() + "; this apply reads version "
                    + FORMAT + " only: run apply from the same release as capture, or a later one");
        }
        JsonNode position = object(root, "position", "position");
        Position at = new Position(lsn(required(position, "tx", "position.tx"), "position.tx"),
                integer(required(position, "index", "position.index"), "position.index"));
        JsonNode finalLsn = required(root, "txFinalLsn", "txFinalLsn");
        JsonNode commitTime = required(root, "commitTime", "commitTime");
        RowChange change = readChange(object(root, "change", "change"));
        return new ConsumedChange(new SourceChange(change, finalLsn.isNull() ? null : lsn(finalLsn, "txFinalLsn"),
                commitTime.isNull() ? null : instant(commitTime, "commitTime")), at);
    }

    private static RowChange readChange(JsonNode change) {
        String kind = text(required(change, "kind", "change.kind"), "change.kind");
        return switch (kind) {
            case "insert" -> new RowChange.Insert(table(object(change, "table", "change.table"), "change.table"),
                    ColumnValues.readRow(required(change, "newValues", "change.newValues"), "change.newValues"));
            case "update" -> {
                JsonNode oldKey = required(change, "oldKey", "change.oldKey");
                yield new RowChange.Update(table(object(change, "table", "change.table"), "change.table"),
                        oldKey.isNull() ? null : ColumnValues.readRow(oldKey, "change.oldKey"),
                        ColumnValues.readRow(required(change, "newValues", "change.newValues"), "change.newValues"));
            }
            case "delete" -> new RowChange.Delete(table(object(change, "table", "change.table"), "change.table"),
                    ColumnValues.readRow(required(change, "oldKey", "change.oldKey"), "change.oldKey"));
            case "truncate" -> {
                JsonNode tables = required(change, "tables", "change.tables");
                if (!tables.isArray()) {
                    throw new ChangeRecordException("a change record's change.tables is not a JSON array of tables");
                }
                List<TableId> truncated = new ArrayList<>(tables.size());
                for (int i = 0; i < tables.size(); i++) {
                    truncated.add(table(tables.get(i), "change.tables[" + i + "]"));
                }
                yield new RowChange.Truncate(List.copyOf(truncated), bool(required(change, "cascade", "change.cascade"), "change.cascade"),
                        bool(required(change, "restartIdentity", "change.restartIdentity"), "change.restartIdentity"));
            }
            default -> throw new ChangeRecordException("a change record's change.kind is none of insert, update, delete, truncate",
                    "kind '" + ColumnValues.shortened(kind) + "'");
        };
    }

    private static JsonNode required(JsonNode parent, String field, String where) {
        JsonNode node = parent.get(field);
        if (node == null) {
            throw new ChangeRecordException("a change record's value lacks '" + where + "'");
        }
        return node;
    }

    private static JsonNode object(JsonNode parent, String field, String where) {
        JsonNode node = required(parent, field, where);
        if (!node.isObject()) {
            throw new ChangeRecordException("a change record's " + where + " is not a JSON object");
        }
        return node;
    }

    private static String text(JsonNode node, String where) {
        if (!node.isTextual()) {
            throw new ChangeRecordException("a change record's " + where + " is not a string");
        }
        return node.textValue();
    }

    private static long integer(JsonNode node, String where) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new ChangeRecordException("a change record's " + where + " is not an integer");
        }
        return node.longValue();
    }

    private static boolean bool(JsonNode node, String where) {
        if (!node.isBoolean()) {
            throw new ChangeRecordException("a change record's " + where + " is not true or false");
        }
        return node.booleanValue();
    }

    private static Lsn lsn(JsonNode node, String where) {
        try {
            return Lsn.valueOf(text(node, where));
        } catch (IllegalArgumentException e) {
            throw new ChangeRecordException("a change record's " + where + " is not a WAL position (XXX/XXX)", e);
        }
    }

    private static Instant instant(JsonNode node, String where) {
        try {
            return Instant.parse(text(node, where));
        } catch (DateTimeParseException e) {
            throw new ChangeRecordException("a change record's " + where + " is not an ISO instant", e);
        }
    }

    private static TableId table(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ChangeRecordException("a change record's " + where + " is not a table {schema, name}");
        }
        try {
            return new TableId(text(required(node, "schema", where + ".schema"), where + ".schema"),
                    text(required(node, "name", where + ".name"), where + ".name"));
        } catch (IllegalArgumentException e) {
            throw new ChangeRecordException("a change record's " + where + " is not a table {schema, name}", e);
        }
    }
}
