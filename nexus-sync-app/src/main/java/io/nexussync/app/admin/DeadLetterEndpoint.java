package io.nexussync.app.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.nexussync.core.apply.SyncException;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /dlq} on the admin API, the same operations as {@code nexus-sync dlq}, in JSON:
 * {@code GET /dlq[?status=S]}, {@code GET /dlq/ID}, {@code POST /dlq/ID/retry}, {@code POST /dlq/retry-all},
 * {@code POST /dlq/ID/skip}; a POST body may say {@code {"by": "...", "reason": "..."}} (a skip needs the reason).
 */
public final class DeadLetterEndpoint implements HttpHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ONE = Pattern.compile("/dlq/(\\d+)");
    private static final Pattern ACTION = Pattern.compile("/dlq/(\\d+)/(retry|skip)");

    private final DeadLetterQueue queue;

    public DeadLetterEndpoint(DeadLetterQueue queue) {
        this.queue = queue;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
        boolean post = "POST".equals(exchange.getRequestMethod());
        try {
            Matcher one = ONE.matcher(path);
            Matcher action = ACTION.matcher(path);
            if (!post && path.equals("/dlq")) {
                send(exchange, 200, queue.list(query(exchange, "status"), 1000));
            } else if (!post && one.matches()) {
                long id = Long.parseLong(one.group(1));
                send(exchange, 200, Map.of("deadLetter", queue.show(id), "parkedBehind", queue.parkedBehind(id)));
            } else if (post && path.equals("/dlq/retry-all")) {
                Map<?, ?> body = body(exchange);
                send(exchange, 200, queue.retryAll(actor(exchange, body), text(body, "reason")));
            } else if (post && action.matches()) {
                long id = Long.parseLong(action.group(1));
                Map<?, ?> body = body(exchange);
                send(exchange, 200, action.group(2).equals("retry")
                        ? queue.retry(id, actor(exchange, body), text(body, "reason"))
                        : queue.skip(id, actor(exchange, body), text(body, "reason")));
            } else {
                send(exchange, 404, Map.of("error", "no such dead-letter operation: " + exchange.getRequestMethod() + " " + path
                        + " (GET /dlq, GET /dlq/ID, POST /dlq/ID/retry, POST /dlq/retry-all, POST /dlq/ID/skip)"));
            }
        } catch (SyncException e) {
            send(exchange, e.isRetryable() ? 503 : 400, Map.of("error", String.valueOf(e.getMessage())));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            send(exchange, 400, Map.of("error", "the body is not JSON: " + e.getOriginalMessage()));
        }
    }

    private static Map<?, ?> body(HttpExchange exchange) throws IOException {
        byte[] bytes = exchange.getRequestBody().readAllBytes();
        return bytes.length == 0 ? Map.of() : JSON.readValue(bytes, Map.class);
    }

    private static String text(Map<?, ?> body, String field) {
        return body.get(field) instanceof String s && !s.isBlank() ? s : null;
    }

    private static String actor(HttpExchange exchange, Map<?, ?> body) {
        String by = text(body, "by");
        return by != null ? by : "http " + exchange.getRemoteAddress().getAddress().getHostAddress();
    }

    private static String query(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getQuery();
        if (query == null) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params.get(name);
    }

    private static void send(HttpExchange exchange, int code, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
