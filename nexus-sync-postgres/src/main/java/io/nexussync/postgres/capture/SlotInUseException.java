package io.nexussync.postgres.capture;

import io.nexussync.core.apply.SyncException;

/**
 * Another walsender holds the slot. At start-up that is someone else and fatal; right after our own
 * connection broke it is usually our old walsender not yet gone, and worth a retry.
 */
public final class SlotInUseException extends SyncException {
    public SlotInUseException(String slot, String detail, Throwable cause) {
        super("replication slot '" + slot + "' is in use by another consumer (" + detail
                + "): stop that consumer, or give this service its own slot with NEXUS_SYNC_SLOT", cause, false);
    }
}
