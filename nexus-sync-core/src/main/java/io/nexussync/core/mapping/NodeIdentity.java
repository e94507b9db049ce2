package io.nexussync.core.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.nexussync.core.model.Unchanged;

/**
 * The node identity: one string per row, whatever the key. A single key column gives its text form
 * ({@code 42}, a lower-case uuid, the text itself); a composite key gives a JSON array of the columns'
 * text forms in key order ({@code ["7","A-100"]}): compact, no spaces, standard JSON string escaping,
 * so two different keys never share an identity and the identity decodes back into its parts.
 */
public final class NodeIdentity {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeIdentity() {}

    /** The identity the columns' values make, or null when one of them is null or not known (TOAST). */
    public static String of(Map<String, Object> row, List<String> columns) {
        List<String> parts = new ArrayList<>(columns.size());
        for (String column : columns) {
            Object key = row.get(column);
            // A key column's text form (UUIDs already arrive lower-case).
            if (key == null || key == Unchanged.TOAST) {
                return null;
            }
            parts.add(key.toString());
        }
        return encode(parts);
    }

    /** @param parts the key columns' text forms, in key order; null when any is null */
    public static String encode(List<String> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        ArrayNode array = JSON.createArrayNode();
        for (String part : parts) {
            if (part == null) {
                return null;
            }
            array.add(part);
        }
        try {
            return JSON.writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON array of strings always serialises", e);
        }
    }

    /** The text forms an identity of {@code size} key columns was made of. */
    public static List<String> decode(String identity, int size) {
        if (size == 1) {
            return List.of(identity);
        }
        try {
            JsonNode array = JSON.readTree(identity);
            if (!array.isArray() || array.size() != size) {
                throw new IllegalArgumentException("not an identity of " + size + " key columns: " + identity);
            }
            List<String> parts = new ArrayList<>(size);
            array.forEach(part -> parts.add(part.asText()));
            return parts;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an identity of " + size + " key columns: " + identity, e);
        }
    }
}
