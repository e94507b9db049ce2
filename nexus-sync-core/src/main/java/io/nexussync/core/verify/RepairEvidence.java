package io.nexussync.core.verify;

import io.nexussync.core.verify.VerifyGraph.GraphNode;
import io.nexussync.core.verify.VerifyGraph.GraphPair;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's first two steps of a reconciliation, written down before the repair: when each side last changed (the
 * row's commit time, where PostgreSQL records it; the graph's last write by the service: a node's {@code lastSyncedAt},
 * a temporal relationship's current {@code validFrom}) and which side is the complete one. The rule that follows does
 * not depend on them (PostgreSQL owns what a repair writes); they say how the drift came about, for the audit.
 */
final class RepairEvidence {
    private RepairEvidence() {}

    static Map<String, String> of(Subject subject, Collection<String> keys, java.util.Set<String> rowsThere, VerifySource source, VerifyGraph graph) {
        Map<String, Instant> committed = source.lastCommitted(subject, keys);
        Map<String, Instant> written = new HashMap<>();
        Map<String, Boolean> inGraph = new HashMap<>();
        subject.match(nodes -> {
            for (GraphNode node : graph.nodes(nodes.mapping(), List.copyOf(keys))) {
                inGraph.put(node.id(), true);
                Instant at = GraphImages.instant(node.properties().get(GraphImages.LAST_SYNCED_AT));
                if (at != null) {
                    written.put(node.id(), at);
                }
            }
            return null;
        }, relationships -> {
            for (GraphPair pair : graph.pairs(relationships.mapping(), List.copyOf(keys))) {
                inGraph.put(pair.key(), true);
                for (Map<String, Object> version : pair.relationships()) {
                    Instant to = GraphImages.instant(version.get(GraphImages.VALID_TO));
                    Instant from = GraphImages.instant(version.get(GraphImages.VALID_FROM));
                    if (GraphImages.OPEN_END.equals(to) && from != null) {
                        written.merge(pair.key(), from, (a, b) -> a.isAfter(b) ? a : b);
                    }
                }
            }
            return null;
        });
        Map<String, String> evidence = new HashMap<>();
        boolean commitTimesKept = !committed.isEmpty();
        for (String key : keys) {
            evidence.put(key, describe(rowsThere.contains(key), committed.get(key), commitTimesKept, written.get(key), inGraph.containsKey(key)));
        }
        return evidence;
    }

    private static String describe(boolean rowThere, Instant committed, boolean commitTimesKept, Instant written, boolean inGraph) {
        String row = !rowThere ? "no row in PostgreSQL" : "row last committed " + (committed != null ? committed.truncatedTo(ChronoUnit.MILLIS)
                : commitTimesKept ? "at a time PostgreSQL no longer holds" : "at a time PostgreSQL does not record (track_commit_timestamp is off)");
        String node = "graph last written by the service " + (written != null ? written.truncatedTo(ChronoUnit.MILLIS)
                : inGraph ? "at a time the graph does not hold" : "- (not in the graph)");
        String verdict;
        if (!rowThere) {
            verdict = "the graph holds an entity PostgreSQL does not have";
        } else if (!inGraph) {
            verdict = "PostgreSQL is the complete side: the graph lacks the entity";
        } else if (committed != null && written != null) {
            verdict = committed.isAfter(written) ? "the row changed after the graph's last write: the graph missed that change"
                    : "the row has not changed since the graph's last write: the graph was changed behind the service";
        } else {
            verdict = "which side changed last is not known";
        }
        return row + "; " + node + "; " + verdict;
    }
}
