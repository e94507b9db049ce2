package io.nexussync.core.critical;

import io.nexussync.core.error.SyncException;

/**
 * Which prepared transactions are critical writes: an application ends a transaction with
 * {@code PREPARE TRANSACTION 'nexus_sync:<id>'} instead of COMMIT, and nexus-sync commits it in PostgreSQL only once
 * the graph holds it (or rolls it back when the graph refuses it). Any other global id is an ordinary prepared
 * transaction of the application's own, which the stream applies once it is committed, like any transaction.
 */
public final class CriticalTransactions {
    /** The global id prefix of a critical write. */
    public static final String GID_PREFIX = "nexus_sync:";
    /** PostgreSQL's limit on a global id is 200 bytes, the prefix included. */
    static final int MAX_ID_BYTES = 200 - GID_PREFIX.length();

    private CriticalTransactions() {
    }

    public static boolean isCritical(String gid) {
        return gid != null && gid.startsWith(GID_PREFIX);
    }

    /** The id the application chose: the global id without the prefix. */
    public static String idOf(String gid) {
        return isCritical(gid) ? gid.substring(GID_PREFIX.length()) : gid;
    }

    /**
     * The global id for {@code id} ({@code id} may also be given with the prefix). Ids are what a person types and a
     * URL carries: letters, digits and {@code - _ . :}, at most 189 characters.
     */
    public static String gidOf(String id) {
        String bare = id == null ? "" : idOf(id.trim());
        if (bare.isEmpty() || bare.length() > MAX_ID_BYTES || !bare.matches("[A-Za-z0-9._:-]+")) {
            throw SyncException.persistent("'" + (id == null ? "" : id) + "' is not a critical transaction id: use 1 to " + MAX_ID_BYTES
                    + " letters, digits or - _ . : (the transaction is prepared as '" + GID_PREFIX + "<id>')", null);
        }
        return GID_PREFIX + bare;
    }
}
