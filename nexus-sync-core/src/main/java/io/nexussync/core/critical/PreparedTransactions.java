package io.nexussync.core.critical;

import java.time.Instant;
import java.util.List;

/**
 * PostgreSQL's side of critical writes: the transactions prepared with the {@link CriticalTransactions#GID_PREFIX}
 * in the synced database, and how one is finished. Finishing records the outcome where {@code critical status}
 * reads it ({@code nexus_sync.critical_transaction}) before it runs COMMIT PREPARED or ROLLBACK PREPARED, so the
 * reason of a rollback is never lost.
 */
public interface PreparedTransactions {

    /** A transaction prepared with the prefix and not yet finished. */
    record Prepared(String gid, long xid, Instant preparedAt) {}

    enum Finished {
        COMMITTED, ROLLED_BACK,
        /** It was no longer prepared (finished before, by this service or a person): nothing was run. */
        NOT_PREPARED
    }

    /** The critical transactions prepared in this database now, oldest first. */
    List<Prepared> list();

    /**
     * Carries out {@code decision}: records it, then COMMIT PREPARED or ROLLBACK PREPARED. Repeating it is harmless.
     * Throws a retryable SyncException when PostgreSQL cannot be reached; recovery tries again later.
     */
    Finished finish(CriticalDecision decision);

    /** For a service without PostgreSQL's side wired (unit tests): nothing is ever prepared. */
    PreparedTransactions NONE = new PreparedTransactions() {
        @Override
        public List<Prepared> list() {
            return List.of();
        }

        @Override
        public Finished finish(CriticalDecision decision) {
            return Finished.NOT_PREPARED;
        }
    };
}
