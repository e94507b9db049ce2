package io.nexussync.core.apply;

/**
 * A failure translated once, at the edge that saw it, into what the pipeline must do about it:
 * retry (connection loss, timeouts, deadlocks), or not. Of the failures not worth retrying, some are
 * about the data ({@link #rejectsData()}: a constraint the row breaks, a value Neo4j cannot store, a row
 * the mapping cannot convert): those cost only the changes that cause them, which go to the dead-letter
 * table. The others (authentication, a missing database, a bug) stop the service with their message.
 */
public class SyncException extends RuntimeException {
    private final boolean retryable;
    private final boolean contention;
    private final boolean rejectsData;

    protected SyncException(String message, Throwable cause, boolean retryable) {
        this(message, cause, retryable, false, false);
    }

    private SyncException(String message, Throwable cause, boolean retryable, boolean contention, boolean rejectsData) {
        super(message, cause);
        this.retryable = retryable;
        this.contention = contention;
        this.rejectsData = rejectsData;
    }

    /** A deadlock or lock timeout with another transaction: expected now and then with parallel workers, retried quietly. */
    public static SyncException contention(String message, Throwable cause) {
        return new SyncException(message, cause, true, true, false);
    }

    public static SyncException retryable(String message, Throwable cause) {
        return new SyncException(message, cause, true);
    }

    public static SyncException persistent(String message, Throwable cause) {
        return new SyncException(message, cause, false);
    }

    /** The graph (or the mapping) refuses what a change asks for: retrying the same change cannot help; other changes may land. */
    public static SyncException rejected(String message, Throwable cause) {
        return new SyncException(message, cause, false, false, true);
    }

    public boolean isRetryable() {
        return retryable;
    }

    public boolean isContention() {
        return contention;
    }

    public boolean rejectsData() {
        return rejectsData;
    }

    /** False for a call turned away before it reached the server (a circuit that is open): nothing new to report. */
    public boolean reachedTarget() {
        return true;
    }
}
