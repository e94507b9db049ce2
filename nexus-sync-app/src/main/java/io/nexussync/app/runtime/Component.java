package io.nexussync.app.runtime;

import io.nexussync.core.error.SyncException;
import java.time.Duration;

/**
 * A part of the running service with a lifecycle of its own (the stream, the backfill coordinator, the slot monitor, the
 * mapped-table watch, ...), started and stopped by the {@link Supervisor} on a thread the supervisor gives it. A new
 * capability is a new component in the supervisor's list: no other component's code changes.
 *
 * <p>The supervisor runs sessions: {@link #run} is one session. Returning from it ends the session and, unless the
 * service is stopping, starts a new one at once. A {@link SyncException} that {@link #isRetryable} accepts starts a new
 * one after the supervisor's backoff; any other failure stops the service.
 */
public interface Component {
    /** How long the supervisor waits for a session to end after {@link #stop()}, unless a component says otherwise. */
    Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(5);
    /** For a component whose session must be waited for whatever it takes (the stream drains its batches). */
    Duration UNTIL_DONE = Duration.ofMillis(Long.MAX_VALUE);

    /** For thread names and the log. */
    String name();

    /**
     * One session, until {@link #stop()} or a failure. Calls {@link ComponentContext#ready()} once the components after it
     * may start (the stream: once the graph holds the snapshot).
     */
    void run(ComponentContext context) throws InterruptedException;

    /** Ends the running session soon. From any thread; the supervisor calls it once, on stop, in reverse start order. */
    void stop();

    /** Whether a session that failed so may start again after the backoff. */
    default boolean isRetryable(SyncException failure) {
        return failure.isRetryable();
    }

    /** Told before the backoff after a retryable failure (for the service state and the log). */
    default void restarting(SyncException failure, Duration wait) {
    }

    /** How long a stop may wait for the session to end; after it the supervisor moves on (the thread is a daemon). */
    default Duration stopGrace() {
        return DEFAULT_STOP_GRACE;
    }
}
