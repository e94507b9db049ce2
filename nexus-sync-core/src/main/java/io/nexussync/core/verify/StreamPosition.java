package io.nexussync.core.verify;

import io.nexussync.core.model.Lsn;
import java.time.Duration;

/** How far the stream has applied: what lets verify tell a real difference from one the stream is about to settle. */
public interface StreamPosition {

    /**
     * Waits until everything committed before {@code position} in the mapped tables is in the graph (the slot's
     * confirmed position has reached it: PostgreSQL releases WAL only once the graph holds it).
     *
     * @return false when that did not happen within {@code timeout} (no service streaming, or a long backlog)
     */
    boolean awaitApplied(Lsn position, Duration timeout) throws InterruptedException;
}
