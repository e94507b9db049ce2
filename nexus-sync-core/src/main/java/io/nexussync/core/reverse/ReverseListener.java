package io.nexussync.core.reverse;

import java.time.Instant;
import java.util.List;

/** What the reverse applier tells metrics and status. */
public interface ReverseListener {
    ReverseListener NONE = (entries, batch, at) -> { };

    /**
     * @param entries the outbox entries this round applied (their commit times give the graph-edit-to-PostgreSQL latency)
     * @param batch   what PostgreSQL's transaction did
     * @param at      when PostgreSQL committed it
     */
    void applied(List<GraphEdit> entries, ReverseBatch batch, Instant at);
}
