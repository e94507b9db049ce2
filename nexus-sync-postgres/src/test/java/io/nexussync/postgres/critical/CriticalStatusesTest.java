package io.nexussync.postgres.critical;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.critical.CriticalDecision.Outcome;
import io.nexussync.postgres.critical.CriticalStatus.State;
import io.nexussync.postgres.critical.CriticalStatuses.Facts;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which state a critical transaction is in, for each combination of what PostgreSQL shows of it. */
class CriticalStatusesTest {
    private static final Instant PREPARED = Instant.parse("2026-12-06T10:00:00Z");
    private static final Instant DECIDED = PREPARED.plusMillis(40);
    private static final Instant FINISHED = PREPARED.plusMillis(60);

    @Test
    void shouldBePendingWhilePreparedAndSayWhetherTheGraphHasDecided() {
        CriticalStatus undecided = status(new Facts(PREPARED, "app", true, false, null, null, null, null, null, null, null, null));
        assertThat(undecided.state()).isEqualTo(State.PENDING);
        assertThat(undecided.decision()).isNull();
        assertThat(undecided.preparedAt()).isEqualTo(PREPARED);
        assertThat(undecided.note()).contains("not known here");

        CriticalStatus decided = status(new Facts(PREPARED, "app", true, true, "commit", null, "stream", PREPARED, DECIDED, null, null, "in progress"));
        assertThat(decided.state()).isEqualTo(State.PENDING);
        assertThat(decided.decision()).isEqualTo(Outcome.COMMIT);
        assertThat(decided.note()).contains("the graph decided commit (by stream)").contains("not been told yet");
    }

    @Test
    void shouldTakePostgresqlsAnswerForTheTransactionIdOverTheRow() {
        CriticalStatus committed = status(recorded("commit", null, "committed", "committed"));
        assertThat(committed.state()).isEqualTo(State.COMMITTED);
        assertThat(committed.reason()).isNull();
        assertThat(committed.note()).isNull();
        assertThat(committed.finishedAt()).isEqualTo(FINISHED);

        CriticalStatus rolledBack = status(recorded("rollback", "the graph refused it: a constraint", "rolled_back", "aborted"));
        assertThat(rolledBack.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(rolledBack.reason()).isEqualTo("the graph refused it: a constraint");

        // nexus-sync recorded its decision and then could not finish it; a person rolled it back.
        CriticalStatus rolledBackByAPerson = status(recorded("commit", null, null, "aborted"));
        assertThat(rolledBackByAPerson.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(rolledBackByAPerson.reason()).contains("outside nexus-sync").contains("graph decided commit");

        CriticalStatus committedByAPerson = status(recorded("rollback", "critical.timeout passed", null, "committed"));
        assertThat(committedByAPerson.state()).isEqualTo(State.COMMITTED);
        assertThat(committedByAPerson.note()).contains("outside nexus-sync").contains("critical.timeout passed");
    }

    @Test
    void shouldFallBackToTheRowWhenPostgresqlNoLongerRemembersTheTransactionId() {
        assertThat(status(recorded("commit", null, "committed", null)).state()).isEqualTo(State.COMMITTED);
        assertThat(status(recorded("rollback", "refused", "rolled_back", null)).state()).isEqualTo(State.ROLLED_BACK);

        CriticalStatus unknown = status(recorded("commit", null, null, null));
        assertThat(unknown.state()).isEqualTo(State.UNKNOWN);
        assertThat(unknown.decision()).isEqualTo(Outcome.COMMIT);
        assertThat(unknown.note()).contains("no longer prepared");
    }

    @Test
    void shouldBeUnknownWhenNeitherPreparedHereNorRecorded() {
        CriticalStatus never = status(new Facts(null, null, false, false, null, null, null, null, null, null, null, null));
        assertThat(never.state()).isEqualTo(State.UNKNOWN);
        assertThat(never.note()).contains("not prepared (yet)");

        CriticalStatus elsewhere = status(new Facts(PREPARED, "other_db", false, false, null, null, null, null, null, null, null, null));
        assertThat(elsewhere.state()).isEqualTo(State.UNKNOWN);
        assertThat(elsewhere.note()).contains("'other_db'");
    }

    private static Facts recorded(String outcome, String reason, String result, String xactStatus) {
        return new Facts(null, null, false, true, outcome, reason, "stream", PREPARED, DECIDED, result == null ? null : FINISHED, result, xactStatus);
    }

    private static CriticalStatus status(Facts facts) {
        CriticalStatus status = CriticalStatuses.of("order-7", "nexus_sync:order-7", facts);
        assertThat(status.id()).isEqualTo("order-7");
        return status;
    }
}
