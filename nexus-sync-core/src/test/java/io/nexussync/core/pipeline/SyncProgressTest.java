package io.nexussync.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import org.junit.jupiter.api.Test;

/** The last error is shown on the open endpoints: only its public form is kept. */
class SyncProgressTest {
    private static final String SECRET = "row-value-4711";
    /** As PgErrors words it: ours and the SQLState in public, PostgreSQL's line (quoting the row) in full. */
    private static final SyncException CAST = SyncException.persistent(new ErrorText(
            "PostgreSQL failed during write-back (SQLState 22P02: ERROR: invalid input syntax for type integer: \"" + SECRET + "\")",
            "PostgreSQL failed during write-back (SQLState 22P02; PostgreSQL's message is in the service log)"), null);

    private final SyncProgress progress = new SyncProgress();

    @Test
    void shouldKeepOnlyThePublicFormOfAFailureThatStoppedOrInterruptedTheStream() {
        progress.stateChanged(ServiceState.FAILED, CAST);

        assertThat(progress.lastError()).isEqualTo("PostgreSQL failed during write-back (SQLState 22P02; PostgreSQL's message is in the service log)");
    }

    @Test
    void shouldKeepOnlyThePublicFormOfAFailureBeingRetried() {
        progress.retrying("write-back", SyncException.retryable(ErrorText.withDetail("PostgreSQL failed during write-back (SQLState 40001)",
                "could not serialize access to " + SECRET), null));

        assertThat(progress.stateName()).isEqualTo("retrying write-back");
        assertThat(progress.lastError()).isEqualTo("PostgreSQL failed during write-back (SQLState 40001)");
    }

    @Test
    void shouldShowOnlyTheKindOfAFailureWhoseMessageWeDidNotWrite() {
        progress.stateChanged(ServiceState.FAILED, new IllegalArgumentException("value " + SECRET + " out of range"));

        assertThat(progress.lastError()).doesNotContain(SECRET).contains("IllegalArgumentException");
    }

    @Test
    void shouldKeepTheLastErrorWhenAStateChangesWithoutOne() {
        progress.stateChanged(ServiceState.RECONNECTING, CAST);
        progress.stateChanged(ServiceState.STREAMING, null);

        assertThat(progress.lastError()).contains("SQLState 22P02");
    }
}
