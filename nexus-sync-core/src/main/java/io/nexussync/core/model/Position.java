package io.nexussync.core.model;

/**
 * Where a change sits in the stream: its transaction (by the commit record's LSN, which orders
 * transactions as the slot delivers them) and its ordinal among that transaction's changes. The same
 * change has the same position every time the slot replays it.
 */
public record Position(Lsn tx, long index) implements Comparable<Position> {

    @Override
    public int compareTo(Position other) {
        int byTx = tx.compareTo(other.tx);
        return byTx != 0 ? byTx : Long.compare(index, other.index);
    }

    @Override
    public String toString() {
        return tx + "#" + index;
    }
}
