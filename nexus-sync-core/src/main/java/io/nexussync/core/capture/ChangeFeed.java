package io.nexussync.core.capture;

import io.nexussync.core.model.Lsn;
import java.time.Duration;

/**
 * The port between the capture half and the apply half: stream items go one way, in stream order, and
 * acknowledgements come back the other. Today {@link CapturedChangeFeed} reads the replication slot on the apply
 * loop's own thread; a topic between two processes can implement it as well, since every item carries its
 * position and the apply half keeps its own books (what the graph's checkpoint already holds).
 *
 * <p>Back-pressure is the apply half not polling: behind the feed, the capture stops reading and the slot keeps
 * the WAL.
 */
public interface ChangeFeed {

    /** The next item, or null when none arrived within {@code timeout}. Throws SyncException when the stream broke. */
    StreamItem poll(Duration timeout) throws InterruptedException;

    /**
     * Everything up to {@code appliedEnd} (a {@link StreamItem.TransactionEnd#endLsn()}) is durably in the graph: the
     * source may release it. Never called with a position the graph does not hold; may be called from any thread.
     */
    void acknowledge(Lsn appliedEnd);
}
