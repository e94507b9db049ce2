package io.nexussync.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.AppliedRanges.Range;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import org.junit.jupiter.api.Test;

class ApplyLedgerTest {
    private static final Lsn TX1 = Lsn.valueOf("0/1000");
    private static final Lsn TX2 = Lsn.valueOf("0/2000");
    private static final Lsn TX3 = Lsn.valueOf("0/3000");

    private final ApplyLedger ledger = new ApplyLedger(Lsn.INVALID);

    @Test
    void shouldRecordChangesAppliedAheadAsRangesAndConfirmOnlyUpToTheFirstGap() {
        long a = ledger.read(new Position(TX1, 0));
        long b = ledger.read(new Position(TX1, 1));
        ledger.commitRead(Lsn.valueOf("0/1010"));
        long c = ledger.read(new Position(TX2, 0));
        ledger.commitRead(Lsn.valueOf("0/2010"));
        long d = ledger.read(new Position(TX3, 0));
        ledger.commitRead(Lsn.valueOf("0/3010"));

        ledger.inFlight(new long[] {b, d}, 1);
        Checkpoint record = ledger.checkpointWith(1, 2);
        assertThat(record.worker()).isEqualTo(2);
        assertThat(record.committedEnd()).isEqualTo(Lsn.INVALID);
        assertThat(record.applied().ranges()).containsExactly(
                new Range(new Position(TX1, 1), new Position(TX1, 1)), new Range(new Position(TX3, 0), new Position(TX3, 0)));
        assertThat(ledger.applied(new long[] {b, d})).as("a is still missing").isEqualTo(Lsn.INVALID);

        ledger.inFlight(new long[] {a}, 2);
        assertThat(ledger.checkpointWith(2, 0).committedEnd()).isEqualTo(Lsn.valueOf("0/1010"));
        assertThat(ledger.applied(new long[] {a})).isEqualTo(Lsn.valueOf("0/1010"));
        assertThat(ledger.checkpointWith(0, 0).applied().ranges()).containsExactly(new Range(new Position(TX3, 0), new Position(TX3, 0)));

        ledger.inFlight(new long[] {c}, 3);
        assertThat(ledger.applied(new long[] {c})).as("everything read is applied").isEqualTo(Lsn.valueOf("0/3010"));
        assertThat(ledger.checkpointWith(0, 0)).isEqualTo(Checkpoint.after(Lsn.valueOf("0/3010")));
        assertThat(ledger.outstanding()).isZero();
    }

    @Test
    void shouldKeepWhatTheStartCheckpointAppliedAheadInEveryRecordUntilTheCommittedEndPassesIt() {
        Range appliedBeforeTheCrash = new Range(new Position(TX3, 0), new Position(TX3, 0));
        ApplyLedger resumed = new ApplyLedger(new Checkpoint(Lsn.valueOf("0/0900"), io.nexussync.core.model.AppliedRanges.of(
                java.util.List.of(appliedBeforeTheCrash)), 0));
        long a = resumed.read(new Position(TX1, 0));
        resumed.commitRead(Lsn.valueOf("0/1010"));

        resumed.inFlight(new long[] {a}, 1);
        Checkpoint record = resumed.checkpointWith(1, 0);
        assertThat(record.committedEnd()).isEqualTo(Lsn.valueOf("0/1010"));
        assertThat(record.applied().ranges())
                .as("the stream has not re-read TX3 yet: a record without it would let a second crash apply it twice")
                .containsExactly(appliedBeforeTheCrash);
        resumed.applied(new long[] {a});

        long b = resumed.read(new Position(TX2, 0));
        resumed.commitRead(Lsn.valueOf("0/2010"));
        long c = resumed.read(new Position(TX3, 0));
        resumed.skipped(c);
        resumed.commitRead(Lsn.valueOf("0/3010"));
        resumed.inFlight(new long[] {b}, 2);
        assertThat(resumed.applied(new long[] {b})).isEqualTo(Lsn.valueOf("0/3010"));
        assertThat(resumed.checkpointWith(0, 0)).as("past the committed end, nothing inherited is left").isEqualTo(Checkpoint.after(Lsn.valueOf("0/3010")));
    }

    @Test
    void shouldNotCountAnotherBatchInFlightInAWorkersRecord() {
        long a = ledger.read(new Position(TX1, 0));
        long b = ledger.read(new Position(TX1, 1));
        ledger.inFlight(new long[] {a}, 1);
        ledger.inFlight(new long[] {b}, 2);

        assertThat(ledger.checkpointWith(2, 1).applied().ranges()).containsExactly(new Range(new Position(TX1, 1), new Position(TX1, 1)));
        assertThat(ledger.checkpointWith(1, 0).applied().ranges()).containsExactly(new Range(new Position(TX1, 0), new Position(TX1, 0)));
    }

    @Test
    void shouldMoveTheCommittedEndPastTransactionsWithNothingToApply() {
        long a = ledger.read(new Position(TX1, 0));
        ledger.skipped(a);
        ledger.commitRead(Lsn.valueOf("0/1010"));
        ledger.commitRead(Lsn.valueOf("0/2010"));

        assertThat(ledger.committedEnd()).isEqualTo(Lsn.valueOf("0/2010"));
    }

    @Test
    void shouldForgetWhollyAppliedTransactionsAndKeepWorkingAfterwards() {
        for (int tx = 1; tx <= 20_000; tx++) {
            long ordinal = ledger.read(new Position(Lsn.of(tx * 0x100L), 0));
            ledger.commitRead(Lsn.of(tx * 0x100L + 0x10));
            ledger.inFlight(new long[] {ordinal}, 1);
            ledger.applied(new long[] {ordinal});
        }

        assertThat(ledger.entries()).isLessThan(5_000);
        assertThat(ledger.committedEnd()).isEqualTo(Lsn.of(20_000 * 0x100L + 0x10));
    }
}
