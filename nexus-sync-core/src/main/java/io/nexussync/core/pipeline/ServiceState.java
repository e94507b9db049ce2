package io.nexussync.core.pipeline;

/**
 * Where the service is in its life, as {@link SyncProgress} keeps it. Each state has an external name, the word that
 * {@code /health}, {@code /status} and the logs show (and that scripts and the integration tests read): keep it.
 */
public enum ServiceState {
    /** Setting up both sides, before the snapshot or the first stream session. */
    STARTING("starting"),
    /** Taking the initial snapshot (or a resync's). */
    SNAPSHOT("snapshot"),
    /** A stream session is running. */
    STREAMING("streaming"),
    /** A write of the running session failed and is retried; {@link SyncProgress#stateName()} names the operation. */
    RETRYING("retrying"),
    /** A session (stream or snapshot) broke and starts again after a backoff. */
    RECONNECTING("reconnecting"),
    /** The stream session ended on request. */
    STOPPED("stopped"),
    /** Stopped for good: a problem a retry cannot fix. */
    FAILED("failed");

    private final String externalName;

    ServiceState(String externalName) {
        this.externalName = externalName;
    }

    /** The word shown outside: {@code streaming}, {@code reconnecting}, ... */
    public String externalName() {
        return externalName;
    }

    @Override
    public String toString() {
        return externalName;
    }
}
