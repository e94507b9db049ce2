package io.nexussync.core.pipeline;

import io.nexussync.core.mapping.Lane;
import java.time.Instant;

/**
 * Told, for every streamed change, when the graph transaction that carries it committed: the
 * commit-to-visible latency is {@code visibleInGraph - committedInPostgres} (both from this machine's
 * clock and PostgreSQL's commit timestamp). For metrics and the latency benchmarks; called on the
 * apply thread right after the commit, so implementations must be quick.
 */
@FunctionalInterface
public interface VisibilityListener {
    VisibilityListener NONE = (lane, committedInPostgres, visibleInGraph) -> { };

    void visible(Lane lane, Instant committedInPostgres, Instant visibleInGraph);
}
