package io.nexussync.app.runtime;

import io.nexussync.core.error.SyncException;
import java.time.Duration;

/** What the {@link Supervisor} offers a running {@link Component}. Thread-safe. */
public interface ComponentContext {

    /** The component is up: the supervisor starts the next one. Later calls change nothing. */
    void ready();

    /** A problem found beside the session (a lost slot, a dropped table) that a retry cannot fix: stops the service with it. */
    void fail(SyncException problem);

    /** Whether the service is stopping. */
    boolean stopping();

    /** Waits up to {@code timeout}, less if the service stops meanwhile. @return true when the service is stopping */
    boolean stoppedWithin(Duration timeout) throws InterruptedException;
}
