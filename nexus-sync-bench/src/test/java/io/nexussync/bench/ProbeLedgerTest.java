package io.nexussync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeLedgerTest {
    private static final long MS = 1_000_000;

    @Test
    void shouldTimeEachProbeFromItsCommitToTheFirstReadShowingIt() {
        ProbeLedger ledger = new ProbeLedger(2);
        ledger.committed(0, 0, 100 * MS);
        ledger.committed(1, 1, 110 * MS);

        ledger.seen(0, 0, 130 * MS);
        ledger.seen(0, 0, 200 * MS); // the same value read again: not a second sample, not a later time
        ledger.seen(1, 1, 150 * MS);

        assertThat(ledger.samples()).containsExactly(new ProbeLedger.Sample(100 * MS, 30 * MS), new ProbeLedger.Sample(110 * MS, 40 * MS));
        assertThat(ledger.pending()).isZero();
    }

    @Test
    void shouldCountAProbeOverwrittenBeforeAnyReadAsVisibleWithTheLaterOne() {
        ProbeLedger ledger = new ProbeLedger(1);
        ledger.committed(0, 0, 100 * MS);
        ledger.committed(0, 3, 120 * MS);
        ledger.committed(0, 7, 140 * MS);

        ledger.seen(0, 3, 160 * MS);

        assertThat(ledger.samples()).containsExactly(new ProbeLedger.Sample(100 * MS, 60 * MS), new ProbeLedger.Sample(120 * MS, 40 * MS));
        assertThat(ledger.pending()).isEqualTo(1);
    }

    @Test
    void shouldKeepRowsApart() {
        ProbeLedger ledger = new ProbeLedger(2);
        ledger.committed(0, 0, 100 * MS);
        ledger.committed(1, 1, 100 * MS);

        ledger.seen(1, 5, 300 * MS); // a higher number on row 1 says nothing about row 0

        assertThat(ledger.samples()).containsExactly(new ProbeLedger.Sample(100 * MS, 200 * MS));
        assertThat(ledger.pending()).isEqualTo(1);
    }

    @Test
    void shouldCountAProbeReadBeforeItsCommitWasNotedAsZero() {
        ProbeLedger ledger = new ProbeLedger(1);
        ledger.seen(0, 4, 100 * MS);

        ledger.committed(0, 4, 101 * MS);

        assertThat(ledger.samples()).containsExactly(new ProbeLedger.Sample(101 * MS, 0));
        assertThat(ledger.pending()).isZero();
    }

    @Test
    void shouldRefuseARowsSequenceGoingBack() {
        ProbeLedger ledger = new ProbeLedger(1);
        ledger.committed(0, 4, 100 * MS);

        assertThatThrownBy(() -> ledger.committed(0, 4, 101 * MS)).hasMessageContaining("probe 4 on row 0 after probe 4");
    }

    @Test
    void shouldTakePercentilesOfTheProbesCommittedInTheWindowOnly() {
        List<ProbeLedger.Sample> samples = List.of(
                new ProbeLedger.Sample(99 * MS, 9_000 * MS),  // before the window
                new ProbeLedger.Sample(100 * MS, 10 * MS),    // at its start: in
                new ProbeLedger.Sample(150 * MS, 30 * MS),
                new ProbeLedger.Sample(199 * MS, 20 * MS),
                new ProbeLedger.Sample(200 * MS, 8_000 * MS)); // at its end: out

        Percentiles p = ProbeLedger.committedBetween(samples, 100 * MS, 200 * MS);

        assertThat(p.count()).isEqualTo(3);
        assertThat(p.p50()).isEqualTo(20_000);
        assertThat(p.max()).isEqualTo(30_000);
    }

    @Test
    void shouldCompareCommitTimesAcrossNanoTimesSignChange() {
        long from = Long.MAX_VALUE - 10 * MS;
        List<ProbeLedger.Sample> samples = List.of(new ProbeLedger.Sample(from + 20 * MS, 5 * MS));

        assertThat(ProbeLedger.committedBetween(samples, from, from + 30 * MS).count()).isEqualTo(1);
    }
}
