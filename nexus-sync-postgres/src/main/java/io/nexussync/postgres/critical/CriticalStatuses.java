package io.nexussync.postgres.critical;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.postgres.critical.CriticalStatus.State;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The status of a critical transaction from what PostgreSQL shows of it: {@code pg_prepared_xacts}, the row nexus-sync
 * wrote when it finished it, and {@code pg_xact_status} of the transaction id in that row. PostgreSQL's answer for the
 * transaction id wins over the row: someone else may have finished it (a person running ROLLBACK PREPARED).
 */
final class CriticalStatuses {
    private CriticalStatuses() {}

    /**
     * What the statement read.
     *
     * @param preparedIn the database it is prepared in (null: not prepared anywhere on the server)
     * @param here       whether that is the connected database
     * @param recorded   whether nexus-sync wrote a row for it
     * @param xactStatus {@code pg_xact_status} of the row's transaction id: committed, aborted, in progress, or null
     *                   (no id recorded, or too old for PostgreSQL to remember)
     * @param result     what nexus-sync recorded PostgreSQL answered: committed, rolled_back, or null
     */
    record Facts(Instant preparedAt, String preparedIn, boolean here, boolean recorded, String outcome, String reason, String decidedBy,
                 Instant recordedPreparedAt, Instant decidedAt, Instant finishedAt, String result, String xactStatus) {}

    static CriticalStatus of(String id, String gid, ResultSet rs) throws SQLException {
        return of(id, gid, new Facts(PgPreparedTransactions.instant(rs, "prepared"), rs.getString("database"), rs.getBoolean("here"),
                rs.getString("recorded") != null, rs.getString("outcome"), rs.getString("reason"), rs.getString("decided_by"),
                PgPreparedTransactions.instant(rs, "prepared_at"), PgPreparedTransactions.instant(rs, "decided_at"),
                PgPreparedTransactions.instant(rs, "finished_at"), rs.getString("result"), rs.getString("xact_status")));
    }

    static CriticalStatus of(String id, String gid, Facts f) {
        CriticalDecision.Outcome decision = f.outcome() == null ? null : CriticalDecision.Outcome.fromText(f.outcome());
        if (f.preparedIn() != null && !f.here()) {
            return new CriticalStatus(id, gid, State.UNKNOWN, null, null, null, f.preparedAt(), null, null,
                    "it is prepared in database '" + f.preparedIn() + "', not in this service's: nexus-sync finishes only its own database's");
        }
        if (f.preparedIn() != null || "in progress".equals(f.xactStatus())) {
            String note = decision == null
                    ? "prepared, and not finished yet: nexus-sync commits it once the graph holds its changes, or rolls it back when the graph "
                    + "refuses them or does not get them within critical.timeout (whether the graph has decided is not known here)"
                    : "the graph decided " + decision.text() + (f.decidedBy() == null ? "" : " (by " + f.decidedBy() + ")")
                    + "; PostgreSQL has not been told yet: nexus-sync tells it (its recovery, at the latest)";
            return new CriticalStatus(id, gid, State.PENDING, decision, null, f.decidedBy(),
                    f.preparedAt() != null ? f.preparedAt() : f.recordedPreparedAt(), f.decidedAt(), null, note);
        }
        if (!f.recorded()) {
            return new CriticalStatus(id, gid, State.UNKNOWN, null, null, null, null, null, null,
                    "no transaction '" + gid + "' is prepared in this database, and nexus-sync has not finished one: it was not prepared (yet), "
                    + "was prepared under another id, or was finished by someone else before nexus-sync got to it");
        }
        State state = finalState(f);
        if (state == State.UNKNOWN) {
            return new CriticalStatus(id, gid, State.UNKNOWN, decision, null, f.decidedBy(), f.recordedPreparedAt(), f.decidedAt(), null,
                    "the graph decided " + f.outcome() + ", but the transaction was no longer prepared when nexus-sync came to finish it: someone "
                    + "else finished it, and PostgreSQL no longer says how");
        }
        boolean asDecided = (state == State.COMMITTED) == (decision == CriticalDecision.Outcome.COMMIT);
        String reason = state != State.ROLLED_BACK ? null
                : asDecided ? f.reason()
                : "rolled back outside nexus-sync, although the graph decided commit: the graph holds changes PostgreSQL does not (nexus-sync "
                + "verify finds them)";
        String note = state == State.COMMITTED && !asDecided
                ? "committed outside nexus-sync, although the graph decided rollback (" + f.reason() + "): PostgreSQL holds changes the graph "
                + "does not (nexus-sync verify finds them)"
                : null;
        return new CriticalStatus(id, gid, state, decision, reason, f.decidedBy(), f.recordedPreparedAt(), f.decidedAt(), f.finishedAt(), note);
    }

    /** PostgreSQL's answer for the transaction id, else what nexus-sync recorded it answered, else unknown. */
    private static State finalState(Facts f) {
        if ("committed".equals(f.xactStatus())) {
            return State.COMMITTED;
        }
        if ("aborted".equals(f.xactStatus())) {
            return State.ROLLED_BACK;
        }
        if ("committed".equals(f.result())) {
            return State.COMMITTED;
        }
        return "rolled_back".equals(f.result()) ? State.ROLLED_BACK : State.UNKNOWN;
    }
}
