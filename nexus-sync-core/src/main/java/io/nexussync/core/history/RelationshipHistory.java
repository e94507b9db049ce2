package io.nexussync.core.history;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * As-of queries over the temporal relationships a mapping declares: what a start node's relationships were at an instant,
 * and what changed between two. The CLI's {@code history} and the admin API's {@code /history} both ask here.
 */
public final class RelationshipHistory {
    /** The contract's temporal join table, which {@code history thread} reads. */
    public static final TableId THREAD_CONTENT = new TableId("public", "thread_content");
    /** The relationship property a thread's contents are ordered by. */
    public static final String THREAD_ORDER = "position";

    private final TemporalGraph graph;

    public RelationshipHistory(TemporalGraph graph) {
        this.graph = graph;
    }

    /** A start node's relationships as they were at {@code at}, in the order {@link #at} was asked for. */
    public record Contents(RelationshipMapping relationship, String fromId, Instant at, List<TemporalVersion> versions) {}

    /** What changed in {@code [from, to]}, in time order. */
    public record Changes(RelationshipMapping relationship, String fromId, Instant from, Instant to, List<HistoryChange> changes) {}

    /** The temporal relationship of {@code table}; {@link NotTemporal} naming the mapping's temporal tables otherwise. */
    public static RelationshipMapping temporal(Mapping mapping, TableId table) {
        RelationshipMapping found = mapping.relationship(table).orElse(null);
        if (found != null && found.temporal()) {
            return found;
        }
        boolean known = found != null || mapping.node(table).isPresent();
        String what = found != null ? table + " is mapped as " + found.type() + " without history (temporal: false)"
                : known ? table + " is mapped as nodes, not as a relationship" : table + " is not a mapped table";
        throw new NotTemporal(what + ": " + temporalTables(mapping), known);
    }

    /** The contract's thread contents ({@link #THREAD_CONTENT}); {@link NotTemporal} when this mapping has no such history. */
    public static RelationshipMapping threadContent(Mapping mapping) {
        try {
            return temporal(mapping, THREAD_CONTENT);
        } catch (NotTemporal e) {
            throw new NotTemporal("a thread's history is that of " + THREAD_CONTENT + ", and " + e.getMessage()
                    + "; ask for another with history relationship TABLE FROM_ID", e.known());
        }
    }

    /** @param orderBy the property to order by (a thread's contents: {@link #THREAD_ORDER}); null: by end node */
    public Contents at(RelationshipMapping relationship, String fromId, Instant at, String orderBy) {
        List<TemporalVersion> versions = new ArrayList<>(graph.validAt(relationship, fromId, at));
        versions.sort(order(orderBy));
        return new Contents(relationship, fromId, at, List.copyOf(versions));
    }

    /** @throws IllegalArgumentException when {@code from} is after {@code to} */
    public Changes changes(RelationshipMapping relationship, String fromId, Instant from, Instant to) {
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from (" + from + ") is after to (" + to + ")");
        }
        List<TemporalVersion> versions = graph.overlapping(relationship, fromId, from, to);
        return new Changes(relationship, fromId, from, to, ChangeDerivation.between(versions, from, to));
    }

    /**
     * Writes PostgreSQL's rows of a start node back to their state at {@code at} as the graph's versions tell it, in one
     * transaction of {@code systemOfRecord} (or, when {@code !write}, only plans it). The graph is only read: the stream
     * mirrors the write into it as new versions, and the versions before stay as they were.
     */
    public RestorePlan restore(SystemOfRecord systemOfRecord, RelationshipMapping relationship, String fromId, Instant at, boolean write) {
        List<TemporalVersion> asOf = graph.validAt(relationship, fromId, at);
        return systemOfRecord.restore(relationship, fromId, (restored, current) -> RestorePlan.between(at, asOf, current, restored), write);
    }

    private static String temporalTables(Mapping mapping) {
        List<String> tables = mapping.relationships().stream().filter(RelationshipMapping::temporal)
                .map(r -> r.table() + " (" + r.from().label() + ")-[:" + r.type() + "]->(" + r.to().label() + ")").collect(Collectors.toList());
        return tables.isEmpty() ? "this mapping declares no temporal relationship (temporal: true on a relationship)"
                : "the temporal tables are " + String.join(", ", tables);
    }

    /** By the property's value (numbers as numbers, versions without it last), then by end node. */
    static Comparator<TemporalVersion> order(String property) {
        Comparator<TemporalVersion> byEnd = Comparator.comparing(TemporalVersion::toId);
        if (property == null) {
            return byEnd;
        }
        return Comparator.<TemporalVersion, Object>comparing(v -> v.properties().get(property), RelationshipHistory::compareValues).thenComparing(byEnd);
    }

    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }
}
