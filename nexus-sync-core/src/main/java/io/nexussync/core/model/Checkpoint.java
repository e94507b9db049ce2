package io.nexussync.core.model;

/**
 * How far the graph has applied the change stream. Stored in Neo4j in the same transaction as the
 * writes it covers, so the graph and its checkpoint can never disagree. Each apply worker keeps a
 * record of its own ({@code worker}); what the graph holds is the {@link #merge} of all of them.
 *
 * @param committedEnd end LSN of the last transaction applied whole with everything before it; every
 *                     transaction whose commit record starts before it is in the graph, and the slot may
 *                     release the WAL up to it
 * @param applied      changes of later transactions that are in the graph too (applied out of stream order by
 *                     lanes and parallel workers, or a prefix of a transaction cut by a batch)
 * @param worker       which worker's record this is (0 when there is one worker)
 */
public record Checkpoint(Lsn committedEnd, AppliedRanges applied, int worker) {
    public static final Checkpoint NONE = new Checkpoint(Lsn.INVALID, AppliedRanges.EMPTY, 0);

    public Checkpoint {
        applied = applied.after(committedEnd);
    }

    /** The checkpoint of a single worker that applied {@code partialChanges} changes of the transaction at {@code partialTx}. */
    public Checkpoint(Lsn committedEnd, Lsn partialTx, long partialChanges) {
        this(committedEnd, AppliedRanges.prefixOf(partialTx, partialChanges), 0);
    }

    public static Checkpoint after(Lsn committedEnd) {
        return new Checkpoint(committedEnd, AppliedRanges.EMPTY, 0);
    }

    /** True when the transaction whose commit record is at {@code finalLsn} is already wholly in the graph. */
    public boolean covers(Lsn finalLsn) {
        return finalLsn.isBefore(committedEnd);
    }

    /** True when the change at {@code position} is already in the graph. */
    public boolean isApplied(Position position) {
        return covers(position.tx()) || applied.contains(position);
    }

    /** What two workers' records together say is in the graph. */
    public Checkpoint merge(Checkpoint other) {
        Lsn end = committedEnd.compareTo(other.committedEnd) >= 0 ? committedEnd : other.committedEnd;
        return new Checkpoint(end, applied.union(other.applied), 0);
    }

    @Override
    public String toString() {
        return "Checkpoint[committedEnd=" + committedEnd + (applied.isEmpty() ? "" : ", applied=" + applied)
                + (worker == 0 ? "" : ", worker=" + worker) + "]";
    }
}
