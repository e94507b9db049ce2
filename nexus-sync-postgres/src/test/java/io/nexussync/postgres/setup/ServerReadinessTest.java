package io.nexussync.postgres.setup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerReadinessTest {

    @Test
    void shouldWarnThatLastWriterWinsFallsBackToPostgresWinsWithoutCommitTimesAndSayHowToTurnThemOn() {
        assertThat(ServerReadiness.commitTimestampWarning("on")).isEmpty();
        assertThat(ServerReadiness.commitTimestampWarning("off")).hasValueSatisfying(warning -> assertThat(warning)
                .contains("track_commit_timestamp is 'off'", "last-writer-wins falls back to postgres-wins",
                        "ALTER SYSTEM SET track_commit_timestamp = on", "restart PostgreSQL"));
    }
}
