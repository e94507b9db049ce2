package io.nexussync.core.fault;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import java.time.Duration;
import java.time.Instant;

/**
 * A call the {@link CircuitBreaker} did not let through, or the failure that opened it (then its cause): retryable,
 * so the caller's retry loop keeps waiting, but no longer than until the circuit lets a call through again
 * ({@link RetryPolicy.WaitHint}).
 */
public final class CircuitOpenException extends SyncException implements RetryPolicy.WaitHint {
    private final String target;
    private final Instant downSince;
    private final Duration waitAtMost;
    private final boolean openedTheCircuit;

    CircuitOpenException(String target, Instant downSince, Duration waitAtMost, ErrorText text) {
        this(target, downSince, waitAtMost, text, null, false);
    }

    /** @param cause the failure that opened the circuit, or the failed probe's; null for a call rejected without trying */
    CircuitOpenException(String target, Instant downSince, Duration waitAtMost, ErrorText text, SyncException cause, boolean openedTheCircuit) {
        super(text, cause, true);
        this.openedTheCircuit = openedTheCircuit;
        this.target = target;
        this.downSince = downSince;
        this.waitAtMost = waitAtMost;
    }

    /** Until the next probe time; while a probe is under way, a short while to see how it went. */
    @Override
    public Duration waitAtMost() {
        return waitAtMost;
    }

    /** False for a call rejected without reaching the target; true for the failure that opened the circuit (its cause). */
    @Override
    public boolean reachedTarget() {
        return getCause() != null;
    }

    /** True for the failure that took the circuit from closed to open (not a failed probe, not a rejection). */
    boolean openedTheCircuit() {
        return openedTheCircuit;
    }

    public String target() {
        return target;
    }

    public Instant downSince() {
        return downSince;
    }
}
