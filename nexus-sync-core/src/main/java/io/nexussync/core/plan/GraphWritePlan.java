package io.nexussync.core.plan;

import java.util.List;

/**
 * The graph writes for one batch, in the order they must run in its single Neo4j transaction:
 * relationship deletes, node deletes, node upserts, parent links, relationship upserts, temporal rounds.
 *
 * @param refresh the rows are re-read from their tables (snapshot, backfill) rather than streamed: they
 *                are written even where the graph holds the same version, which repairs a graph that
 *                drifted; a streamed row at a version the graph has is a repeat and is skipped
 */
public record GraphWritePlan(List<GraphStep> steps, int sourceChanges, boolean refresh) {
    public static final GraphWritePlan EMPTY = new GraphWritePlan(List.of(), 0);

    public GraphWritePlan(List<GraphStep> steps, int sourceChanges) {
        this(steps, sourceChanges, false);
    }

    public GraphWritePlan asRefresh() {
        return new GraphWritePlan(steps, sourceChanges, true);
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }
}
