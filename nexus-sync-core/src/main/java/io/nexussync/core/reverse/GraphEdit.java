package io.nexussync.core.reverse;

import java.time.Instant;
import java.util.List;

/**
 * One outbox entry: what one graph transaction changed in mapped data, written by the plugin in that transaction.
 * Entries are numbered in commit order ({@code seq}); PostgreSQL records the last one applied in the transaction that
 * applies it, so each is applied once.
 *
 * @param committedAt the graph's clock when the transaction committed: the graph side's time for last-writer-wins
 */
public record GraphEdit(long seq, Instant committedAt, List<EntityEdit> edits) {
    public GraphEdit {
        edits = List.copyOf(edits);
    }
}
