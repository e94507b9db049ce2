package io.nexussync.core.history;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a start node's rows in PostgreSQL must become to be as the graph says they were at an instant: per end node, a row
 * to delete (there now, not then), to insert (then, not now) or to update (both, with different values of a restored
 * property). {@code restored} are the property names of the columns a restore writes (the mapped columns, without the row
 * version, which PostgreSQL keeps itself); values compare as the graph holds them (numbers by value, times by instant).
 */
public record RestorePlan(Instant at, List<ItemRestore> items, int unchanged) {

    public enum Action { DELETE, INSERT, UPDATE }

    /**
     * One end node's row: {@code now} its restored properties in PostgreSQL now (null when absent), {@code then} at the
     * instant (null when absent), {@code changed} the properties an update writes (every one of {@code then} on insert).
     */
    public record ItemRestore(String toId, Action action, Map<String, Object> now, Map<String, Object> then, Set<String> changed) {}

    /** One row of the start node in PostgreSQL now: its end node and its restored properties (absent: null). */
    public record CurrentRow(String toId, Map<String, Object> properties) {}

    public RestorePlan {
        items = List.copyOf(items);
    }

    /** @param restored the property names a restore compares and writes */
    public static RestorePlan between(Instant at, List<TemporalVersion> asOf, List<CurrentRow> current, Set<String> restored) {
        Map<String, Map<String, Object>> then = new TreeMap<>();
        for (TemporalVersion version : asOf) {
            if (then.put(version.toId(), only(version.properties(), restored)) != null) {
                throw new IllegalStateException("two versions of " + version.toId() + " valid at " + at + ": the history is not well formed");
            }
        }
        Map<String, Map<String, Object>> now = new TreeMap<>();
        for (CurrentRow row : current) {
            now.put(row.toId(), only(row.properties(), restored));
        }
        List<ItemRestore> items = new ArrayList<>();
        int unchanged = 0;
        for (Map.Entry<String, Map<String, Object>> row : now.entrySet()) {
            if (!then.containsKey(row.getKey())) {
                items.add(new ItemRestore(row.getKey(), Action.DELETE, row.getValue(), null, Set.of()));
            }
        }
        for (Map.Entry<String, Map<String, Object>> was : then.entrySet()) {
            Map<String, Object> is = now.get(was.getKey());
            if (is == null) {
                items.add(new ItemRestore(was.getKey(), Action.INSERT, null, was.getValue(), was.getValue().keySet()));
                continue;
            }
            Set<String> changed = new java.util.TreeSet<>();
            for (String property : restored) {
                if (!sameValue(is.get(property), was.getValue().get(property))) {
                    changed.add(property);
                }
            }
            if (changed.isEmpty()) {
                unchanged++;
            } else {
                items.add(new ItemRestore(was.getKey(), Action.UPDATE, is, was.getValue(), Collections.unmodifiableSet(changed)));
            }
        }
        return new RestorePlan(at, items, unchanged);
    }

    public boolean empty() {
        return items.isEmpty();
    }

    public List<ItemRestore> of(Action action) {
        return items.stream().filter(i -> i.action() == action).toList();
    }

    private static Map<String, Object> only(Map<String, Object> properties, Set<String> restored) {
        Map<String, Object> kept = new LinkedHashMap<>();
        new TreeMap<>(properties).forEach((name, value) -> {
            if (restored.contains(name) && value != null) {
                kept.put(name, value);
            }
        });
        return Collections.unmodifiableMap(kept);
    }

    /**
     * The graph's value and PostgreSQL's are the same: numbers by value (an integer column reads as Integer, the graph
     * gives Long), text that is an instant by the instant (the graph's {@code addedAt} against the column's), else equal.
     */
    static boolean sameValue(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return number(x).compareTo(number(y)) == 0;
        }
        if (a instanceof String x && b instanceof String y && !x.equals(y)) {
            Instant i = instant(x);
            return i != null && i.equals(instant(y));
        }
        return Objects.equals(a, b);
    }

    private static BigDecimal number(Number n) {
        try {
            return n instanceof BigDecimal d ? d : new BigDecimal(n.toString());
        } catch (NumberFormatException nanOrInfinity) {
            return BigDecimal.valueOf(Double.compare(n.doubleValue(), 0.0)).scaleByPowerOfTen(400);
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
