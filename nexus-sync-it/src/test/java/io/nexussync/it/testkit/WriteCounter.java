package io.nexussync.it.testkit;

import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wraps the service's graph writer and records each entity version it commits, by whether it came
 * from the snapshot or from the stream. The graph's version guards would hide a version written twice
 * (the second write is a no-op there), so only a count at the writer can show one.
 *
 * <p>A row deleted and inserted again starts at version 1 again: a version is counted within one life of its entity,
 * and a delete the stream writes starts the next life. (The workload deletes and re-creates tag links; their
 * "version 1" from the snapshot and from the stream after a delete are two rows, not one change applied twice.) A
 * stream that replayed a delete and re-insert the snapshot already held would pass this check; SnapshotBoundaryIT
 * checks the boundary position itself.
 */
public final class WriteCounter {
    private final Set<String> fromSnapshot = new HashSet<>();
    private final Set<String> fromStream = new HashSet<>();
    /** Per entity, how many times the stream deleted it: its current life. */
    private final Map<String, Integer> streamDeletes = new HashMap<>();
    private long snapshotRows;

    public GraphWriter wrap(GraphWriter delegate) {
        return new ObservedGraphWriter(delegate, this::record);
    }

    private synchronized void record(GraphWritePlan plan, boolean snapshot) {
        Set<String> into = snapshot ? fromSnapshot : fromStream;
        for (GraphStep step : plan.steps()) {
            List<String> versions = new ArrayList<>();
            if (step instanceof GraphStep.UpsertNodes upsert) {
                upsert.rows().forEach(r -> versions.add(version(node(upsert.mapping().label(), r.id()), r.version())));
            } else if (step instanceof GraphStep.UpsertRelationships upsert) {
                upsert.rows().forEach(r -> versions.add(version(pair(upsert.mapping().type(), r.fromId(), r.toId()), r.version())));
            } else if (step instanceof GraphStep.TemporalRound round) {
                round.rows().stream().filter(r -> !r.closesOnly())
                        .forEach(r -> versions.add(version(pair(round.mapping().type(), r.fromId(), r.toId()), r.version())));
                if (!snapshot) {
                    round.rows().stream().filter(GraphStep.TemporalRow::closesOnly)
                            .forEach(r -> deletedByStream(pair(round.mapping().type(), r.fromId(), r.toId())));
                }
            } else if (step instanceof GraphStep.DeleteNodes delete && !snapshot) {
                delete.ids().forEach(id -> deletedByStream(node(delete.mapping().label(), id)));
            } else if (step instanceof GraphStep.DeleteRelationships delete && !snapshot) {
                delete.keys().forEach(k -> deletedByStream(pair(delete.mapping().type(), k.fromId(), k.toId())));
            }
            if (snapshot) {
                snapshotRows += versions.size();
            }
            into.addAll(versions);
        }
    }

    private static String node(String label, String id) {
        return label + ":" + id;
    }

    private static String pair(String type, String fromId, String toId) {
        return type + ":" + fromId + ">" + toId;
    }

    private void deletedByStream(String entity) {
        streamDeletes.merge(entity, 1, Integer::sum);
    }

    private String version(String entity, Object version) {
        return entity + "#" + streamDeletes.getOrDefault(entity, 0) + "@" + version;
    }

    /** Entity versions that both the snapshot and the stream wrote: each is a change applied twice. */
    public synchronized Set<String> writtenByBoth() {
        Set<String> both = new HashSet<>(fromSnapshot);
        both.retainAll(fromStream);
        return both;
    }

    public synchronized long snapshotRows() {
        return snapshotRows;
    }

    public synchronized long streamedVersions() {
        return fromStream.size();
    }
}
