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

    @Test
    void shouldWarnThatCriticalWritesNeedPreparedTransactionsAndSayHowToAllowThem() {
        assertThat(ServerReadiness.preparedTransactionsWarning(64, 17)).isEmpty();
        assertThat(ServerReadiness.preparedTransactionsWarning(0, 17)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("critical writes", "max_prepared_transactions is 0", "rolls the transaction back",
                        "ALTER SYSTEM SET max_prepared_transactions = 64", "restart PostgreSQL")
                .doesNotContain("two-phase decoding"));
    }

    @Test
    void shouldWarnThatPostgresBefore15CannotDecodeCriticalWrites() {
        assertThat(ServerReadiness.preparedTransactionsWarning(64, 14)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("critical writes", "PostgreSQL 14 cannot decode", "15 or later").doesNotContain("max_prepared_transactions"));
        assertThat(ServerReadiness.preparedTransactionsWarning(0, 13)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("max_prepared_transactions is 0", "PostgreSQL 13 cannot decode"));
    }
}
