package io.nexussync.it.testkit;

import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Wraps the service's graph writer and checks, per node, that the versions it commits never go
 * backwards: an older version written after a newer one is a stale write. (The graph's version
 * guard would turn that write into a no-op, so only the writer can show it.)
 */
public final class VersionOrder {
    private final Map<String, Long> newest = new HashMap<>();
    private final List<String> backwards = new ArrayList<>();

    public GraphWriter wrap(GraphWriter delegate) {
        return new ObservedGraphWriter(delegate, (plan, fromSnapshot) -> record(plan));
    }

    private synchronized void record(GraphWritePlan plan) {
        for (GraphStep step : plan.steps()) {
            if (step instanceof GraphStep.DeleteNodes delete) {
                delete.ids().forEach(id -> newest.remove(delete.mapping().label() + ":" + id));
            } else if (step instanceof GraphStep.UpsertNodes upsert) {
                for (GraphStep.NodeRow row : upsert.rows()) {
                    if (row.version() == null) {
                        continue;
                    }
                    String node = upsert.mapping().label() + ":" + row.id();
                    Long before = newest.get(node);
                    if (before != null && row.version() < before) {
                        backwards.add(node + " v" + row.version() + " after v" + before);
                    }
                    newest.merge(node, row.version(), Math::max);
                }
            }
        }
    }

    public synchronized List<String> backwards() {
        return List.copyOf(backwards);
    }
}
