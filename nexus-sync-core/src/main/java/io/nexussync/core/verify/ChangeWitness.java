package io.nexussync.core.verify;

import io.nexussync.core.model.TableId;
import java.time.Duration;
import java.util.Set;

/**
 * The stream as a witness of which entities changed over a stretch of time: what lets the check by key tell a row that
 * held still from one that changed and changed back (a join row deleted and inserted again reads the same before and
 * after, while the graph, read in between, may show either). Only the running service has one (it reads the stream);
 * without it the check by key asks for the same finding in two rounds in a row instead.
 */
public interface ChangeWitness {

    /** Starts watching the table: every change the stream reads from here on is noted, until {@link Watch#close}. */
    Watch watch(TableId table);

    interface Watch {
        /**
         * Stops watching at a point after everything done so far.
         *
         * @return the keys ({@link EntityKeys}) the stream read a change of while watching, once it has read that far; null
         *         when it did not within {@code timeout}
         */
        Set<String> close(Duration timeout) throws InterruptedException;
    }
}
