package io.nexussync.core.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The node identity: one string per row, whatever the key. A single key column gives its text form
 * ({@code 42}, a lower-case uuid, the text itself); a composite key gives a JSON array of the columns'
 * text forms in key order ({@code ["7","A-100"]}): compact, no spaces, standard JSON string escaping,
 * so two different keys never share an identity and the identity decodes back into its parts.
 */
public final class NodeIdentity {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeIdentity() {}

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
