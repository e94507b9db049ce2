package io.nexussync.postgres.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.pgoutput.ValueConverter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logical message a {@code dlq retry} or {@code dlq skip} writes into the WAL, in the transaction that
 * read the rows: it puts the release at its exact place in the stream. A retry carries each row's columns
 * as PostgreSQL's text output with their type OIDs, which become values exactly as pgoutput's would.
 */
public final class ReleaseMessage {
    public static final String PREFIX = "nexus-sync:dlq-release";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One row as read in the release's transaction: its columns (name → type OID and text), or only its key when gone. */
    record Row(TableId table, boolean present, List<Column> columns) {}

    record Column(String name, int typeOid, String text) {}

    private ReleaseMessage() {}

    static String encode(long headId, boolean retry, List<Row> rows) {
        ObjectNode root = JSON.createObjectNode().put("deadLetter", headId).put("retry", retry);
        ArrayNode array = root.putArray("rows");
        for (Row row : rows) {
            ObjectNode node = array.addObject().put("table", row.table().toString()).put("present", row.present());
            ArrayNode columns = node.putArray("columns");
            for (Column column : row.columns()) {
                columns.addObject().put("name", column.name()).put("type", column.typeOid()).put("text", column.text());
            }
        }
        return root.toString();
    }

    public static CaptureEvent.DeadLetterRelease decode(CaptureEvent.Message message) {
        try {
            JsonNode root = JSON.readTree(new String(message.content(), StandardCharsets.UTF_8));
            List<RowChange> rows = new ArrayList<>();
            for (JsonNode row : root.path("rows")) {
                TableId table = TableId.parse(row.get("table").asText());
                Map<String, Object> values = new LinkedHashMap<>();
                for (JsonNode column : row.path("columns")) {
                    JsonNode text = column.get("text");
                    values.put(column.get("name").asText(),
                            ValueConverter.fromText(column.get("type").asInt(), text == null || text.isNull() ? null : text.asText()));
                }
                rows.add(row.get("present").asBoolean() ? new RowChange.Insert(table, values) : new RowChange.Delete(table, values));
            }
            return new CaptureEvent.DeadLetterRelease(root.get("deadLetter").asLong(), root.get("retry").asBoolean(), rows);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the dead-letter release message at " + message.lsn() + ": " + e.getMessage(), e);
        }
    }
}
