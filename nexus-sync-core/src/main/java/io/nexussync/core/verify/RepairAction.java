package io.nexussync.core.verify;

import java.util.Locale;

/** What a repair does to the graph (PostgreSQL is never written by a repair). */
public enum RepairAction {
    /** The row is read again and written as a refresh at a stream position (a watermark), through the stream. */
    REFRESH_FROM_ROW,
    /** The row is gone: the entity is deleted (a temporal relationship closed) at a stream position, through the stream. */
    DELETE_FROM_GRAPH,
    /** A node of a mapped label without identity: no row can ever name it, so it is deleted by its elementId. */
    DELETE_UNIDENTIFIED,
    /** A person took PostgreSQL's side on a broken history: the pair's versions are removed and the row written as one new version. */
    REWRITE_HISTORY,
    /** Left as it is (a person took the graph's side, or it waits for one). */
    NONE;

    public String external() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
