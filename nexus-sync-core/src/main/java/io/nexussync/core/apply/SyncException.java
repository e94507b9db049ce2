package io.nexussync.core.apply;

/**
 * A failure translated once, at the edge that saw it, into what the pipeline must do about it:
 * retry (connection loss, timeouts, deadlocks) or not (constraint violations, bad values, auth).
 */
public class SyncException extends RuntimeException {
    private final boolean retryable;
    private final boolean contention;

    protected SyncException(String message, Throwable cause, boolean retryable) {
        this(message, cause, retryable, false);
    }

    private SyncException(String message, Throwable cause, boolean retryable, boolean contention) {
        super(message, cause);
        this.retryable = retryable;
        this.contention = contention;
    }

    /** A deadlock or lock timeout with another transaction: expected now and then with parallel workers, retried quietly. */
    public static SyncException contention(String message, Throwable cause) {
        return new SyncException(message, cause, true, true);
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

    public boolean isContention() {
        return contention;
    }
}
