package io.nexussync.core.model;

/**
 * How far the initial snapshot has got. Stored on the graph's checkpoint with the rows it covers, so
 * a restart knows whether the graph holds a whole snapshot or a piece of one.
 *
 * @param consistentPoint the slot position the snapshot is consistent with: streaming continues from it
 * @param rowsDone        rows written so far, for progress
 */
public record SnapshotMark(State state, Lsn consistentPoint, long rowsDone) {
    public enum State {
        /** The graph has never taken a snapshot (or it was reset for a resync). */
        NONE,
        /** A snapshot began and did not finish: the graph holds part of it. */
        RUNNING,
        /** The snapshot finished; the stream carries on from its consistent point. */
        DONE
    }

    public static final SnapshotMark NONE = new SnapshotMark(State.NONE, Lsn.INVALID, 0);

    public static SnapshotMark running(Lsn consistentPoint, long rowsDone) {
        return new SnapshotMark(State.RUNNING, consistentPoint, rowsDone);
    }

    public static SnapshotMark done(Lsn consistentPoint, long rowsDone) {
        return new SnapshotMark(State.DONE, consistentPoint, rowsDone);
    }
}
