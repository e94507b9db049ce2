package io.nexussync.core.error;

/**
 * A failure translated once, at the edge that saw it, into what the pipeline must do about it:
 * retry (connection loss, timeouts, deadlocks), or not. Of the failures not worth retrying, some are
 * about the data ({@link #rejectsData()}: a constraint the row breaks, a value Neo4j cannot store, a row
 * the mapping cannot convert): those cost only the changes that cause them, which go to the dead-letter
 * table. The others (authentication, a missing database, a bug) stop the service with their message.
 *
 * <p>Its words come in two forms ({@link ErrorText}): {@link #getMessage()}, for the service log, the dead-letter
 * table and the local CLI, may hold the server's text and a row's values; {@link #publicMessage()}, for the admin
 * API's open endpoints, holds only ours (what failed, what to do, the SQLState or Neo4j status code). A message
 * built from a string alone is taken as all ours: whoever puts a server's text or a row's value in one gives the
 * {@link ErrorText} instead.
 */
public class SyncException extends RuntimeException {
    private final boolean retryable;
    private final boolean contention;
    private final boolean rejectsData;
    private final String publicMessage;

    protected SyncException(String message, Throwable cause, boolean retryable) {
        this(ErrorText.ours(message), cause, retryable);
    }

    protected SyncException(ErrorText text, Throwable cause, boolean retryable) {
        this(text, cause, retryable, false, false);
    }

    private SyncException(ErrorText text, Throwable cause, boolean retryable, boolean contention, boolean rejectsData) {
        super(text.full(), cause);
        this.publicMessage = text.shown();
        this.retryable = retryable;
        this.contention = contention;
        this.rejectsData = rejectsData;
    }

    /** A deadlock or lock timeout with another transaction: expected now and then with parallel workers, retried quietly. */
    public static SyncException contention(String message, Throwable cause) {
        return contention(ErrorText.ours(message), cause);
    }

    public static SyncException contention(ErrorText text, Throwable cause) {
        return new SyncException(text, cause, true, true, false);
    }

    public static SyncException retryable(String message, Throwable cause) {
        return retryable(ErrorText.ours(message), cause);
    }

    public static SyncException retryable(ErrorText text, Throwable cause) {
        return new SyncException(text, cause, true);
    }

    public static SyncException persistent(String message, Throwable cause) {
        return persistent(ErrorText.ours(message), cause);
    }

    public static SyncException persistent(ErrorText text, Throwable cause) {
        return new SyncException(text, cause, false);
    }

    /** The graph (or the mapping) refuses what a change asks for: retrying the same change cannot help; other changes may land. */
    public static SyncException rejected(String message, Throwable cause) {
        return rejected(ErrorText.ours(message), cause);
    }

    public static SyncException rejected(ErrorText text, Throwable cause) {
        return new SyncException(text, cause, false, false, true);
    }

    /**
     * What failed and what to do, with the server's SQLState or status code, without the server's own text or any
     * row value: what {@code /status}, {@code /health} and every other HTTP answer show.
     */
    public String publicMessage() {
        return publicMessage;
    }

    /** Both forms of the words. */
    public ErrorText text() {
        return new ErrorText(String.valueOf(getMessage()), publicMessage);
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
