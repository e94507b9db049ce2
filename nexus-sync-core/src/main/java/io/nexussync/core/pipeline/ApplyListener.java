package io.nexussync.core.pipeline;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Lane;
import java.util.Map;
import java.util.Set;

/**
 * Told what the apply half does with each batch, for the sync metrics (batch sizes, changes and failures by entity
 * type); the core knows no metrics library. An entity type is a mapped table as {@code schema.table}: bounded by the
 * mapping. Called on the apply loop's thread, or on an apply worker's for a failed attempt, so implementations must be
 * quick and thread-safe.
 */
public interface ApplyListener {
    ApplyListener NONE = new ApplyListener() { };

    /**
     * A batch is in the graph.
     *
     * @param lane                the highest lane among its changes
     * @param changes             the stream changes it covers (before coalescing)
     * @param changesByEntityType the same, by table
     */
    default void batchCommitted(Lane lane, int changes, Map<String, Integer> changesByEntityType) { }

    /**
     * A write failed: an attempt that is retried, a batch the graph refused (then applied in parts), or a failure that
     * ends the stream session.
     *
     * @param entityTypes the tables of the changes the failed write carried
     */
    default void failed(String operation, Set<String> entityTypes, SyncException failure) { }

    /** A change the graph refused went to the dead-letter table (or was parked behind one there). */
    default void deadLettered(String entityType) { }
}
