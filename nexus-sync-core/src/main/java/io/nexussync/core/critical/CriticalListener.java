package io.nexussync.core.critical;

import java.time.Instant;

/** Told what happens to critical writes, for metrics and status. Called from the apply loop and from recovery. */
public interface CriticalListener {
    CriticalListener NONE = new CriticalListener() {
        @Override
        public void decided(CriticalDecision standing, Instant preparedAt) {
        }

        @Override
        public void finished(String gid, PreparedTransactions.Finished result, Instant preparedAt) {
        }
    };

    /** The graph holds {@code standing} for a transaction PostgreSQL prepared at {@code preparedAt}. */
    void decided(CriticalDecision standing, Instant preparedAt);

    /** PostgreSQL was told (COMMIT PREPARED or ROLLBACK PREPARED) and answered {@code result}. */
    void finished(String gid, PreparedTransactions.Finished result, Instant preparedAt);
}
