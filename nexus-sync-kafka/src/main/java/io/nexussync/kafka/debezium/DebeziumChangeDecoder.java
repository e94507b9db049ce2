package io.nexussync.kafka.debezium;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Reads the change events of Debezium's PostgreSQL connector, as Kafka holds them when the connector's records are
 * written with Kafka Connect's JsonConverter (with schemas, {@code {"schema":..,"payload":..}}, or without, the payload
 * alone), and gives each as the nexus-sync {@link RowChange} the pgoutput path gives for the same change, with its
 * {@link DebeziumSource}.
 *
 * <ul>
 *   <li>{@code c} and {@code r} (a snapshot read) are INSERTs, which the planner applies as upserts;</li>
 *   <li>{@code u}: an UPDATE; its old image only under REPLICA IDENTITY FULL, when Debezium has a {@code before}
 *       (a changed key comes from Debezium as a delete and a create, not as an update);</li>
 *   <li>{@code d}: a DELETE with the row's key columns (those of the record's key); the whole {@code before} only for
 *       a table without a key. Under REPLICA IDENTITY FULL pgoutput sends the whole old row, which Debezium's
 *       {@code before} cannot be told apart from (see {@link #deletedKey});</li>
 *   <li>{@code t}: a TRUNCATE of the one table (Debezium writes one event per table, without CASCADE or RESTART
 *       IDENTITY, which the graph does not need);</li>
 *   <li>{@code m} (a logical decoding message), a tombstone, a heartbeat and a transaction metadata record are
 *       {@link DecodedRecord.Skipped} with the reason.</li>
 * </ul>
 *
 * <p>Debezium's unavailable-value placeholder (an unchanged TOAST value the update did not carry) becomes
 * {@link io.nexussync.core.model.Unchanged#TOAST}, never a value. A record nexus-sync cannot read throws
 * {@link DebeziumFormatException} naming what is wrong and the fix. Thread-safe when its {@link ColumnTypes} is.
 */
public final class DebeziumChangeDecoder {

    // TOASTed values run to a gigabyte; Jackson's default limits (20M-char strings, 1,000 levels) are far lower
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(Integer.MAX_VALUE)
                            .maxNumberLength(Integer.MAX_VALUE)
                            .maxNestingDepth(100_000)
                            .build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final DebeziumValues values;
    private final ColumnTypes columnTypes;
    private final Predicate<TableId> tables;
    private final Map<String, PgColumnType> parsedTypes = new ConcurrentHashMap<>();

    public DebeziumChangeDecoder(DebeziumSettings settings, ColumnTypes columnTypes) {
        this(settings, columnTypes, table -> true);
    }

    /**
     * @param tables the tables whose events are read; another table's event is {@link DecodedRecord.Skipped} before its
     *               values are read (a connector captures, and snapshots, every table its {@code table.include.list}
     *               allows, and without schemas an unknown table's values cannot be read at all)
     */
    public DebeziumChangeDecoder(DebeziumSettings settings, ColumnTypes columnTypes, Predicate<TableId> tables) {
        this.values = new DebeziumValues(Objects.requireNonNull(settings, "settings"));
        this.columnTypes = Objects.requireNonNull(columnTypes, "columnTypes");
        this.tables = Objects.requireNonNull(tables, "tables");
    }

    /** The connector's defaults, every event with its schema. */
    public static DebeziumChangeDecoder withSchemas() {
        return new DebeziumChangeDecoder(DebeziumSettings.defaults(), ColumnTypes.NONE);
    }

    /**
     * @param key   the record's key as Kafka holds it (UTF-8 JSON), or null
     * @param value the record's value, or null (a tombstone)
     */
    public DecodedRecord decode(byte[] key, byte[] value) {
        return decode(key == null ? null : new String(key, StandardCharsets.UTF_8), value == null ? null : new String(value, StandardCharsets.UTF_8));
    }

    public DecodedRecord decode(String key, String value) {
        if (value == null || value.isBlank()) {
            return new DecodedRecord.Skipped("tombstone: a record without a value follows a delete for Kafka's log "
                    + "compaction; the delete before it carried the change");
        }
        Envelope envelope = Envelope.of(parse(value, "value"), "the record value");
        if (envelope.payload() == null) {
            return new DecodedRecord.Skipped("tombstone: a record whose payload is null follows a delete for Kafka's log "
                    + "compaction; the delete before it carried the change");
        }
        JsonNode payload = envelope.payload();
        if (!payload.isObject()) {
            throw new DebeziumFormatException("the record value's payload is a JSON " + DebeziumValues.jsonType(payload)
                    + ", not a Debezium change event: read a topic of Debezium's PostgreSQL connector");
        }
        if (!payload.has("op")) {
            return notAChange(payload);
        }
        String op = payload.get("op").asText();
        JsonNode source = payload.get("source");
        if (source == null || !source.isObject()) {
            throw new DebeziumFormatException("the change event (op " + op + ") has no source block: it is not an event of "
                    + "Debezium's PostgreSQL connector, or a transform (such as ExtractNewRecordState) removed the envelope; "
                    + "read the connector's own topic, without transforms that unwrap it");
        }
        if (op.equals("m")) {
            JsonNode message = payload.path("message");
            return new DecodedRecord.Skipped("logical decoding message (op m, prefix '" + message.path("prefix").asText("") + "'): not a row change");
        }
        DebeziumSource position = source(source, op);
        TableId table = position.table();
        if (!tables.test(table)) {
            return new DecodedRecord.Skipped("an event of " + table + ", which the mapping does not sync");
        }
        RowChange change = switch (op) {
            case "c", "r" -> new RowChange.Insert(table, requireRow(row(table, payload, envelope, "after"), table, op, "after"));
            case "u" -> new RowChange.Update(table, row(table, payload, envelope, "before"),
                    requireRow(row(table, payload, envelope, "after"), table, op, "after"));
            case "d" -> new RowChange.Delete(table, deletedKey(table, payload, envelope, key));
            case "t" -> new RowChange.Truncate(List.of(table), false, false);
            default -> throw new DebeziumFormatException("unknown op '" + op + "' in a change event for " + table
                    + ": Debezium's PostgreSQL connector writes c, r, u, d, t and m; is this topic written by another connector?");
        };
        return new DecodedRecord.Change(change, position);
    }

    /** A record of a Debezium topic that has no op: a heartbeat or a transaction metadata record, else refused. */
    private static DecodedRecord notAChange(JsonNode payload) {
        String status = payload.path("status").asText("");
        if (status.equals("BEGIN") || status.equals("END")) {
            return new DecodedRecord.Skipped("transaction metadata record (" + payload.path("status").asText() + "): not a row change");
        }
        if (payload.size() == 1 && payload.has("ts_ms")) {
            return new DecodedRecord.Skipped("heartbeat: not a row change");
        }
        throw new DebeziumFormatException("the record value has no op field, so it is not a Debezium change event: read a "
                + "topic of Debezium's PostgreSQL connector, without transforms that unwrap the envelope (such as ExtractNewRecordState)");
    }

    private static DebeziumSource source(JsonNode source, String op) {
        String schema = source.path("schema").asText(null);
        String name = source.path("table").asText(null);
        if (schema == null || schema.isEmpty() || name == null || name.isEmpty()) {
            throw new DebeziumFormatException("the change event (op " + op + ") has no source.schema and source.table, so "
                    + "its table is not known: read a topic of Debezium's PostgreSQL connector, which writes both");
        }
        Lsn lsn = source.path("lsn").isIntegralNumber() ? Lsn.of(source.get("lsn").longValue()) : null;
        Long txId = source.path("txId").isIntegralNumber() ? source.get("txId").longValue() : null;
        String snapshot = source.path("snapshot").asText("false");
        return new DebeziumSource(new TableId(schema, name), lsn, lastCommitLsn(source.path("sequence")), txId,
                commitTime(source), !snapshot.equals("false"));
    }

    // source.sequence is a JSON array in a string: ["last commit LSN", "this event's LSN"], either may be null
    private static Lsn lastCommitLsn(JsonNode sequence) {
        if (!sequence.isTextual()) {
            return null;
        }
        try {
            JsonNode parsed = JSON.readTree(sequence.textValue());
            JsonNode first = parsed == null ? null : parsed.get(0);
            return first == null || first.isNull() ? null : Lsn.of(Long.parseLong(first.asText()));
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new DebeziumFormatException("source.sequence is not Debezium's [\"last commit LSN\", \"LSN\"] pair: read a "
                    + "topic of Debezium's PostgreSQL connector");
        }
    }

    private static Instant commitTime(JsonNode source) {
        if (source.path("ts_us").isIntegralNumber()) {
            long micros = source.get("ts_us").longValue();
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        }
        if (source.path("ts_ns").isIntegralNumber()) {
            long nanos = source.get("ts_ns").longValue();
            return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        }
        if (source.path("ts_ms").isIntegralNumber()) {
            return Instant.ofEpochMilli(source.get("ts_ms").longValue());
        }
        throw new DebeziumFormatException("the change event has no source.ts_ms, so its commit time is not known: read a "
                + "topic of Debezium's PostgreSQL connector, which writes it");
    }

    private static Map<String, Object> requireRow(Map<String, Object> row, TableId table, String op, String field) {
        if (row == null) {
            throw new DebeziumFormatException("the change event (op " + op + ") for " + table + " has no " + field
                    + " image: Debezium writes one for every " + (op.equals("d") ? "delete" : "insert, read and update")
                    + "; is a transform removing it?");
        }
        return row;
    }

    /** The row image in {@code payload.field}, in column order, its values converted; null when the field is null. */
    private Map<String, Object> row(TableId table, JsonNode payload, Envelope envelope, String field) {
        JsonNode image = payload.get(field);
        if (image == null || image.isNull()) {
            return null;
        }
        if (!image.isObject()) {
            throw new DebeziumFormatException("the " + field + " image of a change event for " + table + " is a JSON "
                    + DebeziumValues.jsonType(image) + ", not a row: read a topic of Debezium's PostgreSQL connector");
        }
        FieldSchema schema = envelope.schema() == null ? null : envelope.schema().field(field);
        return columns(table, image, schema);
    }

    private Map<String, Object> columns(TableId table, JsonNode image, FieldSchema schema) {
        Map<String, Object> row = new LinkedHashMap<>();
        image.fields().forEachRemaining(column -> row.put(column.getKey(), values.convert(table, column.getKey(), column.getValue(),
                schema == null ? null : schema.field(column.getKey()), columnType(table, column.getKey()))));
        return Collections.unmodifiableMap(row);
    }

    /**
     * A delete's key: the record key's columns, their values from {@code before} where it has them. Debezium fills the
     * other columns of a delete's {@code before} under the default replica identity with stand-ins (NOT NULL columns with
     * 0, the epoch or the column's default), indistinguishable from an old row under REPLICA IDENTITY FULL, so only the
     * key is taken, never what may be a stand-in. Without a record key (a table without a primary key, under REPLICA
     * IDENTITY FULL), the whole {@code before}.
     */
    private Map<String, Object> deletedKey(TableId table, JsonNode payload, Envelope envelope, String keyText) {
        Map<String, Object> before = row(table, payload, envelope, "before");
        Map<String, Object> key = null;
        if (keyText != null && !keyText.isBlank()) {
            Envelope keyEnvelope = Envelope.of(parse(keyText, "key"), "the record key");
            if (keyEnvelope.payload() != null && keyEnvelope.payload().isObject() && keyEnvelope.payload().size() > 0) {
                key = columns(table, keyEnvelope.payload(), keyEnvelope.schema());
            }
        }
        if (key == null) {
            if (before == null) {
                throw new DebeziumFormatException("the delete event for " + table + " has neither a before image nor a record "
                        + "key, so the deleted row is not known: give the table a primary key or REPLICA IDENTITY FULL");
            }
            return before;
        }
        if (before == null) {
            return key;
        }
        Map<String, Object> oldKey = new LinkedHashMap<>();
        key.forEach((column, value) -> oldKey.put(column, before.get(column) != null ? before.get(column) : value));
        return Collections.unmodifiableMap(oldKey);
    }

    private PgColumnType columnType(TableId table, String column) {
        Optional<String> name = columnTypes.typeOf(table, column);
        return name.map(n -> parsedTypes.computeIfAbsent(n, PgColumnType::parse)).orElse(null);
    }

    private static JsonNode parse(String text, String part) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new DebeziumFormatException("the record " + part + " is not JSON (" + e.getOriginalMessage() + where + "): read the topic with the "
                    + "converter the connector wrote it with; nexus-sync reads Kafka Connect's JsonConverter "
                    + "(key.converter and value.converter = org.apache.kafka.connect.json.JsonConverter)", e);
        }
    }

    /** A JsonConverter record: the payload, and its schema when written with schemas.enable=true. */
    private record Envelope(JsonNode payload, FieldSchema schema) {
        static Envelope of(JsonNode node, String part) {
            if (node == null || node.isNull() || node.isMissingNode()) {
                return new Envelope(null, null);
            }
            if (node.isObject() && node.size() == 2 && node.has("schema") && node.has("payload")) {
                JsonNode payload = node.get("payload").isNull() ? null : node.get("payload");
                JsonNode schema = node.get("schema");
                return new Envelope(payload, schema.isNull() || payload == null ? null : FieldSchema.of(schema, part));
            }
            return new Envelope(node, null);
        }
    }
}
