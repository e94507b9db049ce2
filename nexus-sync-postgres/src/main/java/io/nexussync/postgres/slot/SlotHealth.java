package io.nexussync.postgres.slot;

import io.nexussync.core.model.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One reading of the slot's row in {@code pg_replication_slots}: how much WAL it holds back, how far
 * its confirmed position is behind the server, and whether PostgreSQL has invalidated it.
 *
 * @param exists             false when there is no slot of that name (the other fields are then empty)
 * @param activePid          the walsender streaming from it, or null
 * @param walStatus          {@code reserved}, {@code extended}, {@code unreserved} or {@code lost} (PostgreSQL 13+), or null
 * @param safeWalBytes       WAL that can still be written before the slot is in danger of losing what it needs;
 *                           null when {@code max_slot_wal_keep_size} is -1 (no limit) or the slot is lost
 * @param retainedWalBytes   server position minus {@code restart_lsn}: WAL kept on disk for this slot; null when lost
 * @param lagBytes           server position minus {@code confirmed_flush_lsn}: WAL the sync has not confirmed yet
 * @param invalidationReason PostgreSQL 17+'s {@code invalidation_reason} ({@code wal_removed}, {@code rows_removed},
 *                           {@code wal_level_insufficient}, ...), or null
 * @param conflicting        PostgreSQL 16+: invalidated by a conflict with recovery
 * @param twoPhase           PostgreSQL 14+: whether the slot decodes prepared transactions at their PREPARE (the stream
 *                           turns it on at its first start on 15+, where critical writes need it); null on older servers
 */
public record SlotHealth(
        String slot,
        boolean exists,
        boolean active,
        Integer activePid,
        String walStatus,
        Long safeWalBytes,
        Long retainedWalBytes,
        Long lagBytes,
        Lsn confirmedPosition,
        Lsn restartPosition,
        Lsn serverPosition,
        String invalidationReason,
        boolean conflicting,
        Boolean twoPhase,
        Instant readAt) {

    public static SlotHealth missing(String slot, Lsn serverPosition, Instant at) {
        return new SlotHealth(slot, false, false, null, null, null, null, null, Lsn.INVALID, Lsn.INVALID, serverPosition, null, false, null, at);
    }

    /** True when PostgreSQL can no longer serve changes from this slot: what it held is gone. */
    public boolean lost() {
        return exists && ("lost".equals(walStatus) || invalidationReason != null || conflicting);
    }

    /** Why the slot was invalidated, in PostgreSQL 17's words; for older servers inferred from wal_status / conflicting. */
    public String reason() {
        if (invalidationReason != null) {
            return invalidationReason;
        }
        if (conflicting) {
            return "rows_removed";
        }
        return "wal_removed";
    }

    /** The documented stop message for a lost slot; null when the slot is not lost. */
    public SlotInvalidatedException problem() {
        return lost() ? new SlotInvalidatedException(slot, reason(), null) : null;
    }

    /** What an operator should look at before the slot is lost: the retained WAL above {@code warnBytes}, or WAL no longer reserved. */
    public List<String> warnings(long warnBytes) {
        List<String> warnings = new ArrayList<>();
        if (!exists || lost()) {
            return warnings;
        }
        if (retainedWalBytes != null && retainedWalBytes > warnBytes) {
            warnings.add("slot '" + slot + "' retains " + Bytes.format(retainedWalBytes) + " of WAL, above the warning threshold of "
                    + Bytes.format(warnBytes) + " (NEXUS_SYNC_WAL_WARN_BYTES)"
                    + (lagBytes != null && lagBytes > warnBytes ? ": the sync is " + Bytes.format(lagBytes) + " behind; is it running and keeping up?"
                            : ": the confirmed position is recent, so a long-running transaction is probably holding it back"));
        }
        if ("unreserved".equals(walStatus)) {
            warnings.add("slot '" + slot + "' has wal_status 'unreserved': it holds more WAL than max_slot_wal_keep_size allows, and "
                    + "PostgreSQL will invalidate it at the next checkpoint unless the sync catches up"
                    + (safeWalBytes != null ? " (safe_wal_size " + Bytes.format(safeWalBytes) + ")" : ""));
        }
        return warnings;
    }

    /** One word for scripts and dashboards: {@code ok}, {@code warning}, {@code lost} or {@code missing}. */
    public String state(long warnBytes) {
        if (!exists) {
            return "missing";
        }
        if (lost()) {
            return "lost";
        }
        return warnings(warnBytes).isEmpty() ? "ok" : "warning";
    }
}
