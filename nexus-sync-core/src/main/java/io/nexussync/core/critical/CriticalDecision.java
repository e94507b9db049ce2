package io.nexussync.core.critical;

import io.nexussync.core.model.Lsn;
import java.time.Instant;
import java.util.Objects;

/**
 * What the graph decided for one critical transaction, recorded in the graph ({@code (:_SyncDecision {gid})}) in
 * the transaction that applied it, or on its own when it was refused or timed out. The first decision recorded for a
 * global id stands: PostgreSQL is then told to COMMIT PREPARED or ROLLBACK PREPARED accordingly, as often as it takes.
 *
 * @param xid        PostgreSQL's id of the prepared transaction: with the global id, what names one transaction (an
 *                   application may reuse a global id once the transaction that had it is finished)
 * @param prepareLsn where the stream read the transaction, or {@link Lsn#INVALID} for a decision taken without reading it
 * @param reason     why it was rolled back (null for a commit)
 * @param decidedBy  who decided: {@link #BY_STREAM} or {@link #BY_RECOVERY}
 */
public record CriticalDecision(String gid, long xid, Outcome outcome, String reason, Instant decidedAt, Lsn prepareLsn, String decidedBy) {
    public static final String BY_STREAM = "stream";
    public static final String BY_RECOVERY = "recovery";

    public enum Outcome {
        COMMIT, ROLLBACK;

        /** The external, lower-case name. */
        public String text() {
            return this == COMMIT ? "commit" : "rollback";
        }

        public static Outcome fromText(String text) {
            return "commit".equals(text) ? COMMIT : ROLLBACK;
        }
    }

    public CriticalDecision {
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(decidedAt, "decidedAt");
        prepareLsn = prepareLsn == null ? Lsn.INVALID : prepareLsn;
    }

    public static CriticalDecision commit(String gid, long xid, Instant at, Lsn prepareLsn) {
        return new CriticalDecision(gid, xid, Outcome.COMMIT, null, at, prepareLsn, BY_STREAM);
    }

    public static CriticalDecision rollback(String gid, long xid, String reason, Instant at, Lsn prepareLsn, String decidedBy) {
        return new CriticalDecision(gid, xid, Outcome.ROLLBACK, reason, at, prepareLsn, decidedBy);
    }

    public boolean commits() {
        return outcome == Outcome.COMMIT;
    }
}
