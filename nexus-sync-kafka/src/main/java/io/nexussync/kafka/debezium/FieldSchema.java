package io.nexussync.kafka.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Kafka Connect schema as Debezium's JsonConverter writes it beside a payload ({@code schemas.enable=true}): its
 * type ({@code int64}, {@code string}, {@code struct}, ...), its logical name ({@code io.debezium.time.MicroTimestamp},
 * {@code org.apache.kafka.connect.data.Decimal}, ...), its parameters, and its fields or items.
 */
record FieldSchema(String type, String name, Map<String, String> parameters, Map<String, FieldSchema> fields, FieldSchema items) {

    static FieldSchema of(JsonNode node, String where) {
        if (node == null || !node.isObject() || !node.path("type").isTextual()) {
            throw new DebeziumFormatException(where + " has no schema type: the record's \"schema\" is not a Kafka Connect "
                    + "schema; write the topic with org.apache.kafka.connect.json.JsonConverter");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        node.path("parameters").fields().forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
        Map<String, FieldSchema> fields = new LinkedHashMap<>();
        for (JsonNode field : node.path("fields")) {
            String fieldName = field.path("field").asText(null);
            if (fieldName == null) {
                throw new DebeziumFormatException(where + " has a field without a name in its schema: write the topic with "
                        + "org.apache.kafka.connect.json.JsonConverter");
            }
            fields.put(fieldName, of(field, where + "." + fieldName));
        }
        JsonNode items = node.get("items");
        return new FieldSchema(node.get("type").asText(), node.path("name").asText(null), Collections.unmodifiableMap(parameters),
                Collections.unmodifiableMap(fields), items == null ? null : of(items, where + "[]"));
    }

    FieldSchema field(String fieldName) {
        return fields.get(fieldName);
    }

    /** The logical name when there is one, else the type: what a message says the value was. */
    String describe() {
        return name != null ? name + " (" + type + ")" : type;
    }
}
