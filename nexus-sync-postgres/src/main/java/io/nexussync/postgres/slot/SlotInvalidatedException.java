package io.nexussync.postgres.slot;

import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.PgSettings;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;

/**
 * PostgreSQL invalidated the slot: changes the graph never received are gone from the WAL, so
 * streaming on would leave a silent gap. Never retryable; the message names the recovery command.
 */
public final class SlotInvalidatedException extends SyncException {
    /** What every stop for a lost slot tells the operator to do. */
    public static final String RECOVERY = "Recover with: nexus-sync resync (creates a new slot, snapshots every mapped table, verifies)";

    private static final Pattern NAMED_REASON = Pattern.compile("invalidated due to \"([a-z_]+)\"");

    private final String slot;
    private final String reason;

    public SlotInvalidatedException(String slot, String reason, Throwable cause) {
        super("replication slot '" + slot + "' was invalidated (" + reason + "): " + explain(reason) + ". " + RECOVERY, cause, false);
        this.slot = slot;
        this.reason = reason;
    }

    public String slot() {
        return slot;
    }

    /** PostgreSQL 17's invalidation_reason, or the nearest one for older servers. */
    public String reason() {
        return reason;
    }

    private static String explain(String reason) {
        return switch (reason) {
            case "wal_removed" -> "PostgreSQL removed WAL the sync had not read yet (the slot held more than max_slot_wal_keep_size), "
                    + "so changes were lost for the graph";
            case "rows_removed" -> "PostgreSQL removed catalog rows the slot still needed (a conflict with recovery), "
                    + "so the slot cannot decode changes any more and changes were lost for the graph";
            case "wal_level_insufficient" -> "wal_level was lowered below 'logical', so the slot cannot decode changes any more "
                    + "and changes were lost for the graph";
            case "idle_timeout" -> "the slot was unused for longer than idle_replication_slot_timeout and PostgreSQL released its WAL, "
                    + "so changes were lost for the graph";
            default -> "PostgreSQL can no longer serve changes from it, so changes were lost for the graph";
        };
    }

    /**
     * Classifies an error of the replication stream: when PostgreSQL refused because the slot is invalidated
     * (SQLState 55000) or its WAL is gone (58P01), the slot's row says so in any server language; the English
     * message is the fallback when the row cannot be read. Null for any other error.
     */
    public static SlotInvalidatedException classify(PgSettings settings, SQLException e) {
        if (!"55000".equals(e.getSQLState()) && !"58P01".equals(e.getSQLState())) {
            return null;
        }
        try {
            SlotHealth health = SlotHealthReader.read(settings);
            if (health.lost()) {
                return new SlotInvalidatedException(settings.slot(), health.reason(), e);
            }
        } catch (SyncException unreadable) {
            // the server's words below are all there is
        }
        return fromServerError(settings.slot(), e);
    }

    /**
     * The error PostgreSQL raises when asked to stream from an invalidated slot (or WAL it no longer has),
     * recognised by its English message, as this exception; null for any other error.
     */
    public static SlotInvalidatedException fromServerError(String slot, SQLException e) {
        String message = String.valueOf(e.getMessage());
        String detail = e instanceof PSQLException p && p.getServerErrorMessage() != null && p.getServerErrorMessage().getDetail() != null
                ? p.getServerErrorMessage().getDetail() : message;
        // PostgreSQL 13-17: "can no longer get changes from replication slot"; 18: "can no longer access replication slot"
        boolean invalidated = message.contains("can no longer get changes from replication slot")
                || message.contains("can no longer access replication slot") || detail.contains("has been invalidated");
        boolean walGone = message.contains("requested WAL segment") && message.contains("has already been removed");
        if (!invalidated && !walGone) {
            return null;
        }
        return new SlotInvalidatedException(slot, reasonFromDetail(detail.toLowerCase(Locale.ROOT)), e);
    }

    /**
     * PostgreSQL 13-17 say why in the error's detail ("...because it exceeded the maximum reserved size."),
     * 18 names the reason ("...invalidated due to \"wal_removed\".").
     */
    private static String reasonFromDetail(String detail) {
        Matcher named = NAMED_REASON.matcher(detail);
        if (named.find()) {
            return named.group(1);
        }
        if (detail.contains("conflict")) {
            return "rows_removed";
        }
        if (detail.contains("wal_level")) {
            return "wal_level_insufficient";
        }
        if (detail.contains("inactive") || detail.contains("idle")) {
            return "idle_timeout";
        }
        return "wal_removed";
    }
}
