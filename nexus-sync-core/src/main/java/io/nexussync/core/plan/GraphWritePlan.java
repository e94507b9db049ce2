package io.nexussync.core.plan;

import java.util.List;

/**
 * The graph writes for one batch, in the order they must run in its single Neo4j transaction:
 * relationship deletes, node deletes, node upserts, parent links, relationship upserts, temporal rounds.
 */
public record GraphWritePlan(List<GraphStep> steps, int sourceChanges) {
    public static final GraphWritePlan EMPTY = new GraphWritePlan(List.of(), 0);

    public boolean isEmpty() {
        return steps.isEmpty();
    }
}
