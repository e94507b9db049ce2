package io.nexussync.core.apply;

/**
 * A failure translated once, at the edge that saw it, into what the pipeline must do about it:
 * retry (connection loss, timeouts, deadlocks) or not (constraint violations, bad values, auth).
 */
public class SyncException extends RuntimeException {
    private final boolean retryable;

    protected SyncException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    public static SyncException retryable(String message, Throwable cause) {
        return new SyncException(message, cause, true);
    }

    public static SyncException persistent(String message, Throwable cause) {
        return new SyncException(message, cause, false);
    }

    public boolean isRetryable() {
        return retryable;
    }
}
