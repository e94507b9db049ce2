package io.nexussync.core.reverse;

import io.nexussync.core.error.SyncException;
import java.util.List;
import java.util.Map;

/** Decides what a graph edit does to PostgreSQL, from the rows it names as they are now (called inside the store's transaction). */
public interface EditDecider {

    /** The rows the decision needs, locked before it is made. */
    List<RowRef> rowsOf(EntityEdit edit);

    /** @param rows the rows {@link #rowsOf} named that exist, by reference */
    Decision decide(GraphEdit entry, EntityEdit edit, Map<RowRef, RowState> rows);

    /** PostgreSQL refused the decision's writes for their data (a constraint, a value the column cannot hold). */
    Decision refused(GraphEdit entry, EntityEdit edit, Map<RowRef, RowState> rows, SyncException error);
}
