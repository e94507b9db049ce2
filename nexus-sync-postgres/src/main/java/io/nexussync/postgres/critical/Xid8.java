package io.nexussync.postgres.critical;

/**
 * A transaction id with its epoch. {@code pg_prepared_xacts} shows a prepared transaction's 32-bit {@code xid}, which
 * wraps around; {@code pg_xact_status} needs the 64-bit {@code xid8} to answer for it later, whatever wrapped meanwhile.
 */
final class Xid8 {
    private static final long LOW_BITS = 0xFFFF_FFFFL;

    private Xid8() {}

    /**
     * @param xid      a transaction id assigned before {@code nextXid8} (a prepared one)
     * @param nextXid8 {@code pg_snapshot_xmax(pg_current_snapshot())}: the first id not yet assigned
     */
    static long of(long xid, long nextXid8) {
        long sameEpoch = (nextXid8 & ~LOW_BITS) | (xid & LOW_BITS);
        // An id above the next one's low bits was assigned before the last wraparound: the epoch before.
        return (xid & LOW_BITS) >= (nextXid8 & LOW_BITS) ? sameEpoch - (1L << 32) : sameEpoch;
    }
}
