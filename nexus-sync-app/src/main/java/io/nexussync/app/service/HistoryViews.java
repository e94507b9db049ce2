package io.nexussync.app.service;

import io.nexussync.core.history.HistoryChange;
import io.nexussync.core.history.PropertyChange;
import io.nexussync.core.history.RelationshipHistory;
import io.nexussync.core.history.TemporalVersion;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The answers of {@code history} as JSON (the same document from the CLI's {@code --json} and the admin API) and as text. */
public final class HistoryViews {
    private HistoryViews() {}

    public static Map<String, Object> contents(RelationshipHistory.Contents contents) {
        Map<String, Object> view = head(contents.relationship(), contents.fromId());
        view.put("at", contents.at().toString());
        view.put("count", contents.versions().size());
        view.put("items", contents.versions().stream().map(HistoryViews::version).toList());
        return view;
    }

    public static Map<String, Object> changes(RelationshipHistory.Changes changes) {
        Map<String, Object> view = head(changes.relationship(), changes.fromId());
        view.put("from", changes.from().toString());
        view.put("to", changes.to().toString());
        view.put("count", changes.changes().size());
        view.put("changes", changes.changes().stream().map(HistoryViews::change).toList());
        return view;
    }

    public static String contentsText(RelationshipHistory.Contents contents) {
        StringBuilder text = new StringBuilder(describe(contents.relationship(), contents.fromId()) + " at " + contents.at() + ": "
                + count(contents.versions().size(), contents.relationship()) + "\n");
        for (TemporalVersion v : contents.versions()) {
            text.append("  ").append(contents.relationship().to().label()).append(' ').append(v.toId()).append("  ").append(values(v.properties()))
                    .append("  (version ").append(v.version()).append(" since ").append(v.validFrom())
                    .append(v.current() ? "" : ", until " + v.validTo()).append(")\n");
        }
        return text.toString();
    }

    public static String changesText(RelationshipHistory.Changes changes) {
        StringBuilder text = new StringBuilder(describe(changes.relationship(), changes.fromId()) + " from " + changes.from() + " to " + changes.to()
                + ": " + changes.changes().size() + (changes.changes().size() == 1 ? " change" : " changes") + "\n");
        String label = changes.relationship().to().label();
        for (HistoryChange change : changes.changes()) {
            text.append("  ").append(change.time()).append("  ").append(change.<String>match(
                    added -> "added    " + label + " " + added.toId() + "  version " + added.version() + "  " + values(added.properties()),
                    changed -> "changed  " + label + " " + changed.toId() + "  version " + changed.previousVersion() + " -> " + changed.version() + "  "
                            + (changed.changed().isEmpty() ? "(no mapped property changed)" : changed.changed().entrySet().stream()
                                    .map(e -> e.getKey() + " " + e.getValue().before() + " -> " + e.getValue().after()).collect(Collectors.joining(", "))),
                    removed -> "removed  " + label + " " + removed.toId() + "  version " + removed.version() + "  " + values(removed.properties())))
                    .append('\n');
        }
        return text.toString();
    }

    private static Map<String, Object> head(RelationshipMapping m, String fromId) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("table", m.table().toString());
        view.put("type", m.type());
        view.put("startLabel", m.from().label());
        view.put("startId", fromId);
        view.put("endLabel", m.to().label());
        return view;
    }

    private static Map<String, Object> version(TemporalVersion v) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("endId", v.toId());
        view.put("version", v.version());
        view.put("validFrom", v.validFrom().toString());
        view.put("validTo", v.current() ? null : v.validTo().toString());
        view.put("properties", v.properties());
        return view;
    }

    private static Map<String, Object> change(HistoryChange change) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("time", change.time().toString());
        view.put("kind", change.match(added -> "added", changed -> "changed", removed -> "removed"));
        view.put("endId", change.toId());
        view.put("version", change.version());
        change.match(
                added -> view.put("properties", added.properties()),
                changed -> {
                    view.put("previousVersion", changed.previousVersion());
                    Map<String, Object> properties = new LinkedHashMap<>();
                    changed.changed().forEach((name, c) -> properties.put(name, beforeAfter(c)));
                    return view.put("changed", properties);
                },
                removed -> view.put("properties", removed.properties()));
        return view;
    }

    private static Map<String, Object> beforeAfter(PropertyChange change) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("before", change.before());
        view.put("after", change.after());
        return view;
    }

    private static String describe(RelationshipMapping m, String fromId) {
        return m.table() + ": (:" + m.from().label() + " {" + m.from().idProperty() + ": " + fromId + "})-[:" + m.type() + "]->(:" + m.to().label() + ")";
    }

    private static String count(int n, RelationshipMapping m) {
        return n + " " + m.to().label() + (n == 1 ? "" : "s");
    }

    private static String values(Map<String, Object> properties) {
        return properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
