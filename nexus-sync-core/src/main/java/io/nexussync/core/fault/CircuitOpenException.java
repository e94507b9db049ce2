package io.nexussync.core.fault;

import io.nexussync.core.apply.SyncException;
import java.time.Instant;

/** A call the {@link CircuitBreaker} did not let through: retryable, so the caller's retry loop keeps waiting. */
public final class CircuitOpenException extends SyncException {
    private final String target;
    private final Instant downSince;

    CircuitOpenException(String target, Instant downSince, String message) {
        super(message, null, true);
        this.target = target;
        this.downSince = downSince;
    }

    public String target() {
        return target;
    }

    public Instant downSince() {
        return downSince;
    }
}
