package io.nexussync.core.capture;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;
import java.time.Duration;

/**
 * The ordered stream of captured events (the PostgreSQL replication slot, in production).
 * {@link #poll} is called from the pipeline's thread only; {@link #acknowledge} may be called from any.
 */
public interface ChangeSource extends AutoCloseable {

    /** The next event, or null when none arrived within {@code timeout}. Throws SyncException when the stream broke. */
    CaptureEvent poll(Duration timeout) throws InterruptedException;

    /**
     * Tells the source that everything up to {@code appliedEnd} is durably in the graph, so it may be
     * released (the slot's flush position). Never called with a position the graph does not hold.
     */
    void acknowledge(Lsn appliedEnd);

    @Override
    void close();
}
