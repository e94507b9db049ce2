package io.nexussync.app.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.postgres.bookkeeping.LogEntry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rows of the transaction log as {@code nexus-sync log} and {@code GET /log} show them. The HTTP view leaves out the error
 * text (a server's own words, which may quote row values: never sent to an HTTP caller); the CLI, run by someone with the
 * database's credentials, shows it.
 */
public final class LogViews {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LogViews() {}

    public static Map<String, Object> view(LogEntry e, boolean withError) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", e.id());
        view.put("loggedAt", String.valueOf(e.loggedAt()));
        view.put("kind", e.kind());
        view.put("status", e.status());
        view.put("operation", e.operation());
        if ("batch".equals(e.kind())) {
            view.put("fromLsn", e.fromLsn());
            view.put("toLsn", e.toLsn());
            view.put("changes", e.changes());
            view.put("durationMs", e.durationMs());
            view.put("summary", json(e.summary()));
            return view;
        }
        if (e.entityTable() != null) {
            Map<String, Object> postgres = new LinkedHashMap<>();
            postgres.put("table", e.entityTable());
            postgres.put("key", e.entityKey());
            view.put("postgres", postgres);
            Map<String, Object> graph = new LinkedHashMap<>();
            graph.put("label", e.graphLabel());
            graph.put("id", e.graphId());
            graph.put("elementId", e.elementId());
            view.put("graph", graph);
        } else {
            view.put("entity", e.entityPg());
        }
        view.put("change", json(e.change()));
        view.put("retryCount", e.retryCount());
        view.put("nextAttemptAt", e.nextAttemptAt() == null ? null : e.nextAttemptAt().toString());
        view.put("deadLetterId", e.deadLetterId());
        view.put("actor", e.actor());
        view.put("reason", e.reason());
        if (withError) {
            view.put("error", e.error());
        }
        return view;
    }

    /** One line: when, status, what, which entity in both systems, retries. */
    public static String line(LogEntry e) {
        StringBuilder line = new StringBuilder().append('#').append(e.id()).append("  ").append(e.loggedAt()).append("  ").append(e.status())
                .append("  ").append(e.operation());
        if ("batch".equals(e.kind())) {
            line.append("  ").append(e.changes()).append(" changes from ").append(e.fromLsn()).append(" in ").append(e.durationMs()).append(" ms");
            if (e.summary() != null) {
                line.append("  ").append(e.summary());
            }
            return line.toString();
        }
        if (e.entityTable() != null) {
            line.append("  ").append(e.entityTable()).append(':').append(e.entityKey());
            if (e.graphLabel() != null) {
                line.append(" = (:").append(e.graphLabel()).append(" ").append(e.graphId()).append(e.elementId() == null ? "" : " " + e.elementId()).append(')');
            }
        } else if (e.entityPg() != null) {
            line.append("  ").append(e.entityPg());
        }
        if (e.retryCount() != null) {
            line.append("  retries ").append(e.retryCount());
        }
        if (e.nextAttemptAt() != null) {
            line.append(", next at ").append(e.nextAttemptAt());
        }
        if (e.deadLetterId() != null) {
            line.append("  dead letter #").append(e.deadLetterId());
        }
        if (e.actor() != null) {
            line.append("  by ").append(e.actor()).append(e.reason() == null ? "" : ": " + e.reason());
        }
        if (e.error() != null) {
            line.append("  error: ").append(e.error());
        }
        return line.toString();
    }

    /** The column's JSON as JSON (not a string holding it); its text when it is not JSON (rows from before V7). */
    private static Object json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }
}
