package io.nexussync.core.verify;

import io.nexussync.core.model.Lsn;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's side of verify: the rows of a mapped table, read in {@link EntityKeys#ORDER key order} from one
 * consistent view, with every column converted as the stream converts it (so a row read here and a streamed row
 * of the same state map to the same graph values). Reads only: verify never writes PostgreSQL's tables but its own
 * log ({@link ReconciliationLog}).
 */
public interface VerifySource {

    /**
     * Every row of the subject's table, in key order, streamed (memory does not grow with the table). The scan's
     * {@link RowScan#position()} is the WAL insert position taken just after its view was: every transaction the view
     * holds committed before it.
     */
    RowScan scan(Subject subject);

    /** The rows (of those {@code keys} name) that exist, read in one view, with that view's position. */
    KeyedRows read(Subject subject, Collection<String> keys);

    /**
     * When each row (of those {@code keys} name) was last committed, where PostgreSQL records commit times
     * ({@code track_commit_timestamp = on}); empty where it does not: the repair's evidence says so.
     */
    Map<String, java.time.Instant> lastCommitted(Subject subject, Collection<String> keys);

    /** About how many rows the table has (the planner's estimate is enough): for progress only. */
    long estimatedRows(Subject subject);

    /** A scan of one table; closing it ends its transaction. */
    interface RowScan extends Iterator<Map<String, Object>>, AutoCloseable {
        Lsn position();

        @Override
        void close();
    }

    /** @param position the WAL insert position taken just after the view was */
    record KeyedRows(List<Map<String, Object>> rows, Lsn position) {}
}
