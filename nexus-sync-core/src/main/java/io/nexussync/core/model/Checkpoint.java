package io.nexussync.core.model;

/**
 * How far the graph has applied the change stream. Stored in Neo4j in the same transaction as the
 * writes it covers, so the graph and its checkpoint can never disagree.
 *
 * @param committedEnd   end LSN of the last transaction applied whole; every transaction whose commit
 *                       record starts before it is in the graph
 * @param partialTx      the commit LSN (Begin's final LSN) of a transaction applied only in part, or INVALID
 * @param partialChanges how many changes of {@code partialTx} are applied
 */
public record Checkpoint(Lsn committedEnd, Lsn partialTx, long partialChanges) {
    public static final Checkpoint NONE = new Checkpoint(Lsn.INVALID, Lsn.INVALID, 0);

    public static Checkpoint after(Lsn committedEnd) {
        return new Checkpoint(committedEnd, Lsn.INVALID, 0);
    }

    /** True when the transaction whose commit record is at {@code finalLsn} is already wholly in the graph. */
    public boolean covers(Lsn finalLsn) {
        return finalLsn.isBefore(committedEnd);
    }

    /** How many leading changes of the transaction at {@code finalLsn} are already applied. */
    public long changesAppliedOf(Lsn finalLsn) {
        return partialTx.isValid() && partialTx.equals(finalLsn) ? partialChanges : 0;
    }
}
