package io.nexussync.core.model;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(Checkpoint.NONE.changesAppliedOf(Lsn.valueOf("0/1"))).isZero();
    }

    @Test
    void shouldCountAppliedChangesOfPartialTransactionOnly() {
        Lsn partial = Lsn.valueOf("0/3000");
        Checkpoint checkpoint = new Checkpoint(END, partial, 7);

        assertThat(checkpoint.changesAppliedOf(partial)).isEqualTo(7);
        assertThat(checkpoint.changesAppliedOf(Lsn.valueOf("0/4000"))).isZero();
        assertThat(checkpoint.covers(partial)).isFalse();
    }

    @Test
    void shouldIgnorePartialCountWithoutPartialTransaction() {
        Checkpoint checkpoint = new Checkpoint(END, Lsn.INVALID, 7);

        assertThat(checkpoint.changesAppliedOf(Lsn.INVALID)).isZero();
    }

    @Test
    void shouldHaveNoPartialTransactionAfterCommittedEnd() {
        Checkpoint checkpoint = Checkpoint.after(END);

        assertThat(checkpoint.committedEnd()).isEqualTo(END);
        assertThat(checkpoint.partialTx()).isEqualTo(Lsn.INVALID);
        assertThat(checkpoint.partialChanges()).isZero();
    }
}
