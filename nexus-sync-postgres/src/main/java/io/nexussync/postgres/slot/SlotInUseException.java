package io.nexussync.postgres.slot;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;

/**
 * Another walsender holds the slot. At start-up that is someone else and fatal; right after our own
 * connection broke it is usually our old walsender not yet gone, and worth a retry.
 */
public final class SlotInUseException extends SyncException {
    private static final String WHAT_TO_DO = ": stop that consumer, or give this service its own slot with NEXUS_SYNC_SLOT";

    /** @param detail who holds it: the server's words or ours, in the full message only */
    public SlotInUseException(String slot, String detail, Throwable cause) {
        super(new ErrorText("replication slot '" + slot + "' is in use by another consumer (" + detail + ")" + WHAT_TO_DO,
                "replication slot '" + slot + "' is in use by another consumer" + WHAT_TO_DO), cause, false);
    }
}
