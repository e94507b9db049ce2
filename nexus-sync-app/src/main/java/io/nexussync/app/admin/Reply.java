package io.nexussync.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** One answer of the admin API: status, content type, body, extra headers. Every error is JSON: {@code {"error": "..."}}. */
record Reply(int status, String contentType, String body, Map<String, String> headers) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Reply json(int status, Object body) {
        try {
            return new Reply(status, "application/json", JSON.writeValueAsString(body), Map.of());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Reply error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    static Reply text(int status, String contentType, String body) {
        return new Reply(status, contentType, body, Map.of());
    }

    Reply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Reply(status, contentType, body, Map.copyOf(more));
    }
}
