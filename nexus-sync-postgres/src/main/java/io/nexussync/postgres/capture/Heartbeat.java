package io.nexussync.postgres.capture;

import java.time.Duration;

/**
 * When may the slot be confirmed at the server's position although nothing of ours arrived?
 *
 * <p>The server only sends transactions that touch the publication (PostgreSQL 15+ skips empty ones
 * entirely), so while the mapped tables are quiet and other tables are busy, no commit arrives for
 * the pipeline to acknowledge and the slot would keep every byte of WAL written meanwhile. But the
 * server's keepalives carry the position its walsender has decoded up to: every transaction that
 * committed before it and touched the publication has already been sent, in order, ahead of that
 * keepalive. So once the pipeline has acknowledged everything it was sent (which it does only after
 * the graph commit) and no transaction is half received, that position holds nothing the graph
 * lacks, and confirming it lets PostgreSQL release the WAL.
 *
 * <p>pgjdbc's own "automatic flush" on keepalives is turned off: it lets a keepalive that arrives while
 * a transaction is being received confirm past earlier transactions the graph has not committed yet.
 *
 * <p>The graph's checkpoint does not move with it; a restart asks for the checkpoint and the server
 * starts at the later confirmed position, skipping only what was never ours.
 *
 * <p>Reader-thread state only: not thread-safe. Positions are unsigned LSN values.
 */
final class Heartbeat {
    private final long intervalNanos;
    private boolean inTransaction;
    private long lastCommitEnd;
    private long lastBeatNanos;
    private boolean beaten;

    /** @param interval how often at most; zero turns the heartbeat off */
    Heartbeat(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    boolean enabled() {
        return intervalNanos > 0;
    }

    void begin() {
        inTransaction = true;
    }

    void commit(long endLsn) {
        inTransaction = false;
        lastCommitEnd = endLsn;
    }

    /**
     * Called whenever the stream has nothing more to read: true at most once per interval, and never
     * while a transaction is half received. Each time, the reader confirms what {@link #confirmable}
     * allows and asks the server for its current position for the next time.
     */
    boolean due(long nowNanos) {
        if (intervalNanos <= 0 || inTransaction || (beaten && nowNanos - lastBeatNanos < intervalNanos)) {
            return false;
        }
        beaten = true;
        lastBeatNanos = nowNanos;
        return true;
    }

    /**
     * @param serverPosition the last position the server reported (keepalive WAL end, or the last message's)
     * @param acknowledged   what the pipeline has acknowledged: the graph has committed everything up to it
     * @return the position that may be confirmed now, or 0 for none
     */
    long confirmable(long serverPosition, long acknowledged) {
        // Everything received must be in the graph: a commit the pipeline has not acknowledged may not be skipped.
        if (inTransaction || Long.compareUnsigned(acknowledged, lastCommitEnd) < 0 || Long.compareUnsigned(serverPosition, acknowledged) <= 0) {
            return 0;
        }
        return serverPosition;
    }
}
