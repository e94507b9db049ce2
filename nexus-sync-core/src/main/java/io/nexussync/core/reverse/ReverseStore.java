package io.nexussync.core.reverse;

import io.nexussync.core.model.TableId;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** PostgreSQL's side of reverse sync: where graph edits are decided and written, once each. */
public interface ReverseStore {

    /** The seq of the last outbox entry applied (0: none yet). */
    long appliedThrough();

    /**
     * Applies {@code entries} in one transaction, in seq order, skipping any at or below the recorded position: for each
     * edit, reads the rows {@link EditDecider#rowsOf} names {@code FOR UPDATE}, asks {@link EditDecider#decide}, and
     * executes its writes under a savepoint; a write refused for its data (a {@code SyncException} that
     * {@code rejectsData()}) rolls back to the savepoint and {@link EditDecider#refused} decides instead. Logs every
     * conflict, records the last seq as the position ({@code positioned}; polled edits have none: their guard is the
     * graph version), commits.
     */
    ReverseBatch apply(List<GraphEdit> entries, EditDecider decider, boolean positioned);

    /** A new key from the key column's default (PostgreSQL owns ID generation), for a node created in the graph without one. */
    String newKey(TableId table, String keyColumn);

    /** Which of these rows exist now. */
    Set<RowRef> existing(Collection<RowRef> rows);

    /** The graph version column's value of each row that exists (polling: which nodes are ahead of their row). */
    java.util.Map<RowRef, Long> graphVersions(Collection<RowRef> rows);
}
