package io.nexussync.core.schedule;

import io.nexussync.core.model.AppliedRanges;
import io.nexussync.core.model.AppliedRanges.Range;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which of the changes read from the stream are in the graph. Every change read gets an ordinal; the
 * ledger keeps, from the first transaction not yet wholly applied to the read head, each change's
 * position and whether it is pending, in flight in a batch, or applied, and where each transaction
 * ends. From that it derives the checkpoint a batch commits with (the committed end, plus the runs of
 * changes applied beyond it) and the position the slot may be confirmed at.
 */
public final class ApplyLedger {
    private static final int APPLIED = -1;
    private static final int PENDING = 0;

    /** Ordinal of entry 0. */
    private long base;
    private int size;
    private long[] txs = new long[1024];
    private long[] indexes = new long[1024];
    /** APPLIED, PENDING, or the id of the batch the change is in flight in. */
    private int[] states = new int[1024];
    /** Read transactions not yet wholly applied: {ordinal after their last change, end LSN}. */
    private final ArrayDeque<long[]> commits = new ArrayDeque<>();
    /** First ordinal not applied. */
    private long frontier;
    /** First ordinal of the first transaction not wholly applied: where a checkpoint's runs begin. */
    private long uncoveredFrom;
    private Lsn committedEnd;
    private int runsAhead;
    /**
     * What the checkpoint this run started from records as applied beyond its committed end. Every record a
     * worker writes carries it until the committed end passes it: a record replaces that worker's previous one,
     * and the stream may not have re-read those changes yet, so a record without them would make a second
     * crash forget they are in the graph and apply them again.
     */
    private AppliedRanges inherited;

    public ApplyLedger(Lsn committedEnd) {
        this(Checkpoint.after(committedEnd));
    }

    /** A ledger for a run that resumes from {@code start}: its records keep what {@code start} says was applied. */
    public ApplyLedger(Checkpoint start) {
        this.committedEnd = start.committedEnd();
        this.inherited = start.applied();
    }

    /** Records a change read at {@code position}; returns its ordinal. */
    public long read(Position position) {
        if (size == txs.length) {
            int grown = size * 2;
            txs = Arrays.copyOf(txs, grown);
            indexes = Arrays.copyOf(indexes, grown);
            states = Arrays.copyOf(states, grown);
        }
        txs[size] = position.tx().value();
        indexes[size] = position.index();
        states[size] = PENDING;
        size++;
        return base + size - 1;
    }

    /** The transaction whose changes were read last ended at {@code endLsn}. */
    public void commitRead(Lsn endLsn) {
        commits.addLast(new long[] {base + size, endLsn.value()});
        advance();
    }

    /** A change that needs no graph write (already applied before a restart, an echo, an unmapped table). */
    public void skipped(long ordinal) {
        states[slot(ordinal)] = APPLIED;
        advance();
    }

    /** @param batch the batch's id, 1 or more */
    public void inFlight(long[] ordinals, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch ids start at 1, got " + batch);
        }
        for (long ordinal : ordinals) {
            states[slot(ordinal)] = batch;
        }
    }

    /** The batch committed; returns the new committed end (which the slot may be confirmed at). */
    public Lsn applied(long[] ordinals) {
        for (long ordinal : ordinals) {
            states[slot(ordinal)] = APPLIED;
        }
        advance();
        return committedEnd;
    }

    /** Where the change with this ordinal (read, and not yet forgotten as part of a wholly applied transaction) sits in the stream. */
    public Position position(long ordinal) {
        int slot = slot(ordinal);
        return new Position(Lsn.of(txs[slot]), indexes[slot]);
    }

    public Lsn committedEnd() {
        return committedEnd;
    }

    /** Changes read and not yet applied (pending or in flight). */
    public long outstanding() {
        return base + size - frontier;
    }

    /** How many runs of changes applied out of order the last checkpoint carried: what the next one costs to write. */
    public int runsAhead() {
        return runsAhead;
    }

    /** Entries kept: what the ledger costs in memory (about 20 bytes each). */
    public int entries() {
        return size;
    }

    /** The checkpoint as it will stand once {@code batch} (or, with 0, nothing more) has committed. */
    public Checkpoint checkpointWith(int batch, int worker) {
        long hypotheticalFrontier = frontier;
        while (hypotheticalFrontier < base + size && done(states[slot(hypotheticalFrontier)], batch)) {
            hypotheticalFrontier++;
        }
        Lsn end = committedEnd;
        long firstOfOpenTx = uncoveredFrom;
        for (long[] commit : commits) {
            if (commit[0] > hypotheticalFrontier) {
                break;
            }
            end = Lsn.of(commit[1]);
            firstOfOpenTx = commit[0];
        }
        List<Range> runs = new ArrayList<>();
        int runStart = -1;
        for (int i = (int) (firstOfOpenTx - base); i < size; i++) {
            boolean done = done(states[i], batch);
            if (done && runStart < 0) {
                runStart = i;
            } else if (!done && runStart >= 0) {
                runs.add(range(runStart, i - 1));
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            runs.add(range(runStart, size - 1));
        }
        runsAhead = runs.size();
        return new Checkpoint(end, AppliedRanges.of(runs).union(inherited), worker);
    }

    private static boolean done(int state, int batch) {
        return state == APPLIED || (batch != 0 && state == batch);
    }

    private Range range(int from, int to) {
        return new Range(new Position(Lsn.of(txs[from]), indexes[from]), new Position(Lsn.of(txs[to]), indexes[to]));
    }

    private void advance() {
        while (frontier < base + size && states[slot(frontier)] == APPLIED) {
            frontier++;
        }
        long dropBefore = -1;
        while (!commits.isEmpty() && commits.peekFirst()[0] <= frontier) {
            long[] commit = commits.pollFirst();
            Lsn end = Lsn.of(commit[1]);
            if (committedEnd.isBefore(end)) {
                committedEnd = end;
            }
            dropBefore = commit[0];
            uncoveredFrom = commit[0];
        }
        if (dropBefore > base) {
            compact(dropBefore);
            inherited = inherited.after(committedEnd);
        }
    }

    /** Forgets the entries of transactions wholly applied; copies only when that frees a good share of the arrays. */
    private void compact(long newBase) {
        int drop = (int) (newBase - base);
        if (drop < 4096 && drop < size / 2) {
            return;
        }
        int keep = size - drop;
        System.arraycopy(txs, drop, txs, 0, keep);
        System.arraycopy(indexes, drop, indexes, 0, keep);
        System.arraycopy(states, drop, states, 0, keep);
        size = keep;
        base = newBase;
    }

    private int slot(long ordinal) {
        long slot = ordinal - base;
        if (slot < 0 || slot >= size) {
            throw new IllegalArgumentException("change " + ordinal + " is not in the ledger (" + base + ".." + (base + size) + ")");
        }
        return (int) slot;
    }
}
