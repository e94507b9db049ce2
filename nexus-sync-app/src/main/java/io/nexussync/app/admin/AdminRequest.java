package io.nexussync.app.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;

/** What a route's action sees of a request: the path's groups, the query and the body (already read, within the size limit). */
record AdminRequest(Matcher path, String query, byte[] body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The body as a JSON object; an empty body is an empty object. */
    Map<?, ?> json() throws IOException {
        if (body.length == 0) {
            return Map.of();
        }
        Object value = JSON.readValue(body, Object.class);
        if (!(value instanceof Map<?, ?> map)) {
            throw new HttpProblem(400, "the body must be a JSON object");
        }
        return map;
    }

    /** A text field of the JSON body: null when absent, null or blank; 400 when it is not text. */
    static String text(Map<?, ?> body, String field) {
        Object value = body.get(field);
        if (value != null && !(value instanceof String)) {
            throw new HttpProblem(400, "\"" + field + "\" must be a string");
        }
        return value == null || ((String) value).isBlank() ? null : (String) value;
    }

    String queryParameter(String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A {@code {name}} of the path, as it was sent. */
    String name(int group) {
        return path.group(group);
    }

    long id(int group) {
        try {
            return Long.parseLong(path.group(group));
        } catch (NumberFormatException e) {
            throw new HttpProblem(404, "no such id: " + path.group(group));
        }
    }
}
