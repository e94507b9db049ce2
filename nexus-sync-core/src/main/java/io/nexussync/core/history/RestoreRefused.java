package io.nexussync.core.history;

/** A restore that cannot be written as planned (an end node that is gone, a value PostgreSQL cannot take back); nothing was written. */
public final class RestoreRefused extends RuntimeException {
    public RestoreRefused(String message) {
        super(message);
    }
}
