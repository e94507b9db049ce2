package io.nexussync.postgres.critical;

/**
 * A transaction id with its epoch. {@code pg_prepared_xacts} shows a prepared transaction's 32-bit {@code xid}, which
 * wraps around; {@code pg_xact_status} needs the 64-bit {@code xid8} to answer for it later, whatever wrapped meanwhile.
 */
final class Xid8 {
    private static final long LOW_BITS = 0xFFFF_FFFFL;
    private static final long HALF = 1L << 31;
    private static final long EPOCH = 1L << 32;

    private Xid8() {}

    /**
     * The full id of {@code xid} as seen next to {@code reference}: PostgreSQL keeps every id in use within 2^31 of the
     * next one (it refuses to assign more before old ones are frozen), so of the candidates one epoch apart, the one
     * nearest the reference is it.
     *
     * @param reference {@code pg_snapshot_xmax(pg_current_snapshot())}: one past the latest <em>completed</em> transaction, which
     *                  a prepared transaction is not, so its id may lie on either side
     */
    static long of(long xid, long reference) {
        long sameEpoch = (reference & ~LOW_BITS) | (xid & LOW_BITS);
        if (sameEpoch - reference > HALF) {
            return sameEpoch - EPOCH;
        }
        if (reference - sameEpoch > HALF) {
            return sameEpoch + EPOCH;
        }
        return sameEpoch;
    }
}
