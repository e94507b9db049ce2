package io.nexussync.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {
    private static final Lsn END = Lsn.valueOf("0/2000");

    @Test
    void shouldCoverTransactionsWhoseCommitStartsBeforeCommittedEnd() {
        Checkpoint checkpoint = Checkpoint.after(END);

        assertThat(checkpoint.covers(Lsn.valueOf("0/1000"))).isTrue();
        assertThat(checkpoint.covers(Lsn.valueOf("0/1FFF"))).isTrue();
    }

    @Test
    void shouldNotCoverTransactionWhoseCommitStartsAtOrAfterCommittedEnd() {
        Checkpoint checkpoint = Checkpoint.after(END);

        assertThat(checkpoint.covers(END)).isFalse();
        assertThat(checkpoint.covers(Lsn.valueOf("0/2001"))).isFalse();
        assertThat(checkpoint.covers(Lsn.valueOf("FFFFFFFF/0"))).isFalse();
    }

    @Test
    void shouldCoverNothingWhenFresh() {
        assertThat(Checkpoint.NONE.covers(Lsn.valueOf("0/1"))).isFalse();
        assertThat(Checkpoint.NONE.isApplied(new Position(Lsn.valueOf("0/1"), 0))).isFalse();
    }

    @Test
    void shouldCountAppliedChangesOfPartialTransactionOnly() {
        Lsn partial = Lsn.valueOf("0/3000");
        Checkpoint checkpoint = new Checkpoint(END, partial, 7);

        assertThat(checkpoint.isApplied(new Position(partial, 6))).isTrue();
        assertThat(checkpoint.isApplied(new Position(partial, 7))).isFalse();
        assertThat(checkpoint.isApplied(new Position(Lsn.valueOf("0/4000"), 0))).isFalse();
        assertThat(checkpoint.covers(partial)).isFalse();
    }

    @Test
    void shouldIgnorePartialCountWithoutPartialTransaction() {
        Checkpoint checkpoint = new Checkpoint(END, Lsn.INVALID, 7);

        assertThat(checkpoint.applied().isEmpty()).isTrue();
    }

    @Test
    void shouldTreatChangesInsideAppliedRangesAsAppliedAndOthersNot() {
        Lsn a = Lsn.valueOf("0/3000");
        Lsn b = Lsn.valueOf("0/4000");
        Lsn c = Lsn.valueOf("0/5000");
        Checkpoint checkpoint = new Checkpoint(END, AppliedRanges.of(List.of(
                new AppliedRanges.Range(new Position(a, 2), new Position(b, 1)),
                new AppliedRanges.Range(new Position(c, 0), new Position(c, 0)))), 0);

        assertThat(checkpoint.isApplied(new Position(a, 1))).isFalse();
        assertThat(checkpoint.isApplied(new Position(a, 2))).isTrue();
        assertThat(checkpoint.isApplied(new Position(a, 99))).isTrue();
        assertThat(checkpoint.isApplied(new Position(b, 1))).isTrue();
        assertThat(checkpoint.isApplied(new Position(b, 2))).isFalse();
        assertThat(checkpoint.isApplied(new Position(c, 0))).isTrue();
        assertThat(checkpoint.isApplied(new Position(c, 1))).isFalse();
    }

    @Test
    void shouldMergeWorkerRecordsIntoTheLatestEndAndEveryRange() {
        Lsn a = Lsn.valueOf("0/3000");
        Lsn b = Lsn.valueOf("0/4000");
        Checkpoint first = new Checkpoint(END, AppliedRanges.of(List.of(new AppliedRanges.Range(new Position(b, 0), new Position(b, 3)))), 1);
        Checkpoint second = new Checkpoint(Lsn.valueOf("0/3100"), AppliedRanges.of(List.of(new AppliedRanges.Range(new Position(b, 4), new Position(b, 5)))), 2);

        Checkpoint merged = first.merge(second);

        assertThat(merged.committedEnd()).isEqualTo(Lsn.valueOf("0/3100"));
        assertThat(merged.covers(a)).isTrue();
        assertThat(merged.applied().ranges()).containsExactly(new AppliedRanges.Range(new Position(b, 0), new Position(b, 5)));
    }

    @Test
    void shouldReadBackWhatItEncodes() {
        AppliedRanges ranges = AppliedRanges.of(List.of(
                new AppliedRanges.Range(new Position(Lsn.valueOf("1/3000"), 2), new Position(Lsn.valueOf("1/4000"), 1)),
                new AppliedRanges.Range(new Position(Lsn.valueOf("FFFFFFFF/5000"), 0), new Position(Lsn.valueOf("FFFFFFFF/5000"), 9))));

        assertThat(AppliedRanges.parse(ranges.encode())).isEqualTo(ranges);
        assertThat(AppliedRanges.parse("")).isEqualTo(AppliedRanges.EMPTY);
    }

    @Test
    void shouldDropRangesWhollyBeforeTheCommittedEnd() {
        Checkpoint checkpoint = new Checkpoint(END, AppliedRanges.of(List.of(
                new AppliedRanges.Range(new Position(Lsn.valueOf("0/1000"), 0), new Position(Lsn.valueOf("0/1000"), 3)))), 0);

        assertThat(checkpoint.applied().isEmpty()).isTrue();
    }
}
