package io.nexussync.postgres.critical;

import io.nexussync.core.critical.CriticalDecision;
import java.time.Instant;
import java.util.Locale;

/**
 * What became of one critical transaction, as PostgreSQL knows it ({@code nexus-sync critical status ID},
 * {@code GET /critical/ID}). Whether it committed or rolled back is PostgreSQL's own answer
 * ({@code pg_xact_status}) when nexus-sync recorded the transaction's id while it was prepared, else what nexus-sync
 * recorded when it finished it.
 *
 * @param id         the application's id (the global id without {@link io.nexussync.core.critical.CriticalTransactions#GID_PREFIX})
 * @param decision   what the graph decided, as nexus-sync recorded it before telling PostgreSQL (null: nothing recorded yet)
 * @param reason     why it was rolled back (null unless {@link State#ROLLED_BACK})
 * @param decidedBy  who decided: stream or recovery (null when nothing is recorded)
 * @param preparedAt when PostgreSQL prepared it (null when not known)
 * @param finishedAt when nexus-sync saw it finished (null while pending or when not known)
 * @param note       what else a person should know, in words (null when nothing)
 */
public record CriticalStatus(String id, String gid, State state, CriticalDecision.Outcome decision, String reason, String decidedBy,
                             Instant preparedAt, Instant decidedAt, Instant finishedAt, String note) {

    public enum State {
        /** Still prepared: it holds its locks and its changes are invisible until nexus-sync finishes it. */
        PENDING,
        COMMITTED,
        ROLLED_BACK,
        /** Neither prepared in this database nor recorded as finished by nexus-sync: not prepared (yet), or finished by someone else. */
        UNKNOWN;

        /** The external, lower-case name. */
        public String external() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean pending() {
        return state == State.PENDING;
    }
}
