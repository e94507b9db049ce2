package io.nexussync.it.testkit;

import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Wraps the service's graph writer and records each entity version it commits, by whether it came
 * from the snapshot or from the stream. The graph's version guards would hide a version written twice
 * (the second write is a no-op there), so only a count at the writer can show one.
 */
public final class WriteCounter {
    private final Set<String> fromSnapshot = new HashSet<>();
    private final Set<String> fromStream = new HashSet<>();
    private long snapshotRows;

    public GraphWriter wrap(GraphWriter delegate) {
        return new ObservedGraphWriter(delegate, this::record);
    }

    private synchronized void record(GraphWritePlan plan, boolean snapshot) {
        Set<String> into = snapshot ? fromSnapshot : fromStream;
        for (GraphStep step : plan.steps()) {
            List<String> versions = new ArrayList<>();
            if (step instanceof GraphStep.UpsertNodes upsert) {
                upsert.rows().forEach(r -> versions.add(upsert.mapping().label() + ":" + r.id() + "@" + r.version()));
            } else if (step instanceof GraphStep.UpsertRelationships upsert) {
                upsert.rows().forEach(r -> versions.add(upsert.mapping().type() + ":" + r.fromId() + ">" + r.toId() + "@" + r.version()));
            } else if (step instanceof GraphStep.TemporalRound round) {
                round.rows().stream().filter(r -> !r.closesOnly())
                        .forEach(r -> versions.add(round.mapping().type() + ":" + r.fromId() + ">" + r.toId() + "@" + r.version()));
            }
            if (snapshot) {
                snapshotRows += versions.size();
            }
            into.addAll(versions);
        }
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
