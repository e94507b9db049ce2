package io.nexussync.bench;

import io.nexussync.core.pipeline.VisibilityListener;
import io.nexussync.core.mapping.Lane;
import java.time.Instant;
import java.util.Arrays;

/**
 * A {@link VisibilityListener} that keeps, for every streamed change, the lane the pipeline gave it,
 * its PostgreSQL commit time and the time its graph transaction committed (microseconds since the
 * epoch), for analysis after the run. Appending is a few stores under a lock, so the apply thread (or
 * several apply workers) pays next to nothing; 24 bytes a change.
 */
final class LatencyRecorder implements VisibilityListener {
    private static final Lane[] LANES = Lane.values();

    private byte[] lanes = new byte[1 << 16];
    private long[] committed = new long[1 << 16];
    private long[] visible = new long[1 << 16];
    private int size;
    /** Changes committed before {@link #boundary} seen so far; lets a benchmark wait for a backlog without scanning. */
    private long boundary = Long.MIN_VALUE;
    private long before;

    @Override
    public synchronized void visible(Lane lane, Instant committedInPostgres, Instant visibleInGraph) {
        if (size == committed.length) {
            int grown = size * 2;
            lanes = Arrays.copyOf(lanes, grown);
            committed = Arrays.copyOf(committed, grown);
            visible = Arrays.copyOf(visible, grown);
        }
        long commit = micros(committedInPostgres);
        lanes[size] = (byte) lane.ordinal();
        committed[size] = commit;
        visible[size] = micros(visibleInGraph);
        size++;
        if (commit < boundary) {
            before++;
        }
    }

    /** Forgets what was recorded so far and starts counting changes committed before {@code at}. */
    synchronized void reset(Instant at) {
        size = 0;
        boundary = micros(at);
        before = 0;
    }

    synchronized void reset() {
        reset(Instant.MIN);
    }

    /** Changes committed before the instant given to {@link #reset(Instant)} that have become visible. */
    synchronized long visibleCommittedBeforeBoundary() {
        return before;
    }

    synchronized Samples samples() {
        return new Samples(Arrays.copyOf(lanes, size), Arrays.copyOf(committed, size), Arrays.copyOf(visible, size));
    }

    static long micros(Instant at) {
        if (at.equals(Instant.MIN)) {
            return Long.MIN_VALUE;
        }
        return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
    }

    /** What was recorded: one index per change, in the order the listener was told. */
    record Samples(byte[] lanes, long[] committedMicros, long[] visibleMicros) {
        int size() {
            return lanes.length;
        }

        Lane lane(int i) {
            return LANES[lanes[i]];
        }

        long latencyMicros(int i) {
            return visibleMicros[i] - committedMicros[i];
        }
    }
}
