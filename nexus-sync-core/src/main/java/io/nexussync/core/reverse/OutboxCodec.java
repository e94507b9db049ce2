package io.nexussync.core.reverse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.error.SyncException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code edits} JSON the plugin writes into an outbox entry (the format is in the plugin's listener and the
 * reverse section of ARCHITECTURE.md). Integers stay longs and numbers with a fraction or exponent doubles, as the graph
 * held them; an entry it cannot read stops reverse sync with the entry's seq rather than being skipped.
 */
public final class OutboxCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutboxCodec() {}

    public static GraphEdit read(long seq, Instant committedAt, String editsJson) {
        try {
            JsonNode root = JSON.readTree(editsJson);
            if (root == null || !root.isArray()) {
                throw unreadable(seq, "not a JSON array", null);
            }
            List<EntityEdit> edits = new ArrayList<>();
            for (JsonNode edit : root) {
                edits.add(edit(seq, edit));
            }
            return new GraphEdit(seq, committedAt, edits);
        } catch (JsonProcessingException e) {
            throw unreadable(seq, e.getOriginalMessage(), e);
        }
    }

    private static EntityEdit edit(long seq, JsonNode e) {
        String kind = e.path("kind").asText("");
        switch (kind) {
            case "node-updated":
                return new EntityEdit.NodeUpdated(text(e, "label"), text(e, "id"), text(e, "elementId"), longOrNull(e, "basePgVersion"),
                        e.path("baseGraphVersion").asLong(0), e.path("graphVersion").asLong(0), changes(e.path("changes")));
            case "node-created":
                return new EntityEdit.NodeCreated(text(e, "label"), text(e, "elementId"), text(e, "id"), e.path("graphVersion").asLong(0),
                        values(e.path("properties")));
            case "node-deleted":
                return new EntityEdit.NodeDeleted(text(e, "label"), text(e, "id"), text(e, "elementId"), longOrNull(e, "basePgVersion"),
                        e.path("baseGraphVersion").asLong(0));
            case "relationship-created":
                return new EntityEdit.RelationshipCreated(text(e, "type"), text(e, "from"), text(e, "to"), values(e.path("properties")));
            case "relationship-deleted":
                return new EntityEdit.RelationshipDeleted(text(e, "type"), text(e, "from"), text(e, "to"), longOrNull(e, "basePgVersion"));
            case "relationship-updated":
                return new EntityEdit.RelationshipUpdated(text(e, "type"), text(e, "from"), text(e, "to"), longOrNull(e, "basePgVersion"),
                        changes(e.path("changes")));
            default:
                throw unreadable(seq, "unknown edit kind '" + kind + "' (a plugin newer than this service?)", null);
        }
    }

    private static Map<String, PropertyChange> changes(JsonNode changes) {
        Map<String, PropertyChange> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = changes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> change = it.next();
            result.put(change.getKey(), new PropertyChange(value(change.getValue().get("old")), value(change.getValue().get("new"))));
        }
        return result;
    }

    private static Map<String, Object> values(JsonNode properties) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            result.put(property.getKey(), value(property.getValue()));
        }
        return result;
    }

    static Object value(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(element -> list.add(value(element)));
            return list;
        }
        return node.toString();
    }

    private static String text(JsonNode e, String field) {
        JsonNode value = e.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Long longOrNull(JsonNode e, String field) {
        JsonNode value = e.get(field);
        return value == null || value.isNull() ? null : value.asLong();
    }

    private static SyncException unreadable(long seq, String why, Throwable cause) {
        return SyncException.persistent("outbox entry " + seq + " cannot be read (" + why + "): is the nexus-sync plugin in the graph's "
                + "server the version of this service? Its entries wait in the graph as (:_SyncOutbox {seq: " + seq + "})", cause);
    }
}
