package io.nexussync.postgres.capture;

import io.nexussync.core.model.CaptureEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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
 * <p>The graph's checkpoint does not move with it. A restart streams from the slot's confirmed position, which may be
 * before the checkpoint (an acknowledgement lost in a crash, or held before an application's prepared transaction):
 * the transactions the checkpoint covers arrive again, are skipped by the pipeline and never acknowledged. They are
 * in the graph all the same, so a commit before {@code graphHolds} need not be acknowledged here.
 *
 * <p>A prepared transaction (PostgreSQL 15+ two-phase decoding) counts as a commit at the end of its PREPARE
 * until its COMMIT PREPARED or ROLLBACK PREPARED arrives, whatever the checkpoint says: the pipeline acknowledges
 * an application's prepared transaction only once it is committed (never past its PREPARE before), so while one
 * is open the heartbeat confirms nothing, and a restart reads it again.
 *
 * <p>Reader-thread state only: not thread-safe. Positions are unsigned LSN values.
 */
final class Heartbeat {
    private final long intervalNanos;
    private final long graphHolds;
    private boolean inTransaction;
    private long lastCommitEnd;
    /** The end of each PREPARE read whose COMMIT PREPARED or ROLLBACK PREPARED has not been read, by global id. */
    private final Map<String, Long> openPrepares = new HashMap<>();
    private long lastBeatNanos;
    private boolean beaten;

    /** @param interval how often at most; zero turns the heartbeat off */
    Heartbeat(Duration interval) {
        this(interval, 0);
    }

    /**
     * @param interval   how often at most; zero turns the heartbeat off
     * @param graphHolds the graph checkpoint's committed end when the stream started: every transaction whose commit
     *                   record starts before it is in the graph (0: none known)
     */
    Heartbeat(Duration interval, long graphHolds) {
        this.intervalNanos = interval.toNanos();
        this.graphHolds = graphHolds;
    }

    boolean enabled() {
        return intervalNanos > 0;
    }

    /** Takes note of a transaction's boundaries; other events change nothing here. */
    void observe(CaptureEvent event) {
        if (event instanceof CaptureEvent.Begin || event instanceof CaptureEvent.BeginPrepare) {
            begin();
        } else if (event instanceof CaptureEvent.Commit commit) {
            commit(commit.commitLsn().value(), commit.endLsn().value());
        } else if (event instanceof CaptureEvent.Prepare prepare) {
            prepare(prepare.gid(), prepare.endLsn().value());
        } else if (event instanceof CaptureEvent.CommitPrepared commit) {
            finishPrepared(commit.gid(), commit.commitLsn().value(), commit.endLsn().value());
        } else if (event instanceof CaptureEvent.RollbackPrepared rollback) {
            finishPrepared(rollback.gid(), rollback.endLsn().value(), rollback.endLsn().value());
        }
    }

    /** A Begin, or a Begin Prepare. */
    void begin() {
        inTransaction = true;
    }

    void commit(long endLsn) {
        commit(endLsn, endLsn);
    }

    /** A Commit, Commit Prepared or Rollback Prepared; one the graph's checkpoint covers needs no acknowledgement. */
    void commit(long commitLsn, long endLsn) {
        inTransaction = false;
        if (Long.compareUnsigned(commitLsn, graphHolds) >= 0 && Long.compareUnsigned(endLsn, lastCommitEnd) > 0) {
            lastCommitEnd = endLsn;
        }
    }

    /** A Prepare: its transaction is complete but neither committed nor rolled back. */
    void prepare(String gid, long endLsn) {
        inTransaction = false;
        openPrepares.put(gid, endLsn);
    }

    /** The COMMIT PREPARED or ROLLBACK PREPARED of {@code gid} (whose PREPARE may have been read before this stream began). */
    void finishPrepared(String gid, long commitLsn, long endLsn) {
        openPrepares.remove(gid);
        commit(commitLsn, endLsn);
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
        for (long prepareEnd : openPrepares.values()) {
            if (Long.compareUnsigned(acknowledged, prepareEnd) < 0) {
                return 0;
            }
        }
        return serverPosition;
    }
}
