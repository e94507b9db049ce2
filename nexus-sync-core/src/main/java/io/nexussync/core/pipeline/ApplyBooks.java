package io.nexussync.core.pipeline;

import io.nexussync.core.deadletter.ParkedEntities;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.schedule.ApplyLedger;
import io.nexussync.core.schedule.ChangeScheduler;

/**
 * What the apply half knows of the stream in one session: the checkpoint it started from (what to skip), the
 * {@link ApplyLedger} (which changes read are applied), the {@link ChangeScheduler} (changes read and waiting), the
 * entities parked behind dead letters, and the checkpoint as the commits seen so far tell it. Kept by the
 * {@link StreamIntake} as items arrive and by the {@link ApplyLoop} as batches go out and commit, on the loop's
 * thread only.
 */
final class ApplyBooks {
    private final Checkpoint start;
    private final ApplyLedger ledger;
    private final ChangeScheduler scheduler;
    /** Swapped, never changed in place: a worker keeps the one its batch went out with. */
    private ParkedEntities parked;
    private Checkpoint checkpoint;

    ApplyBooks(Checkpoint start, ChangeScheduler scheduler, ParkedEntities parked) {
        this.start = start;
        this.ledger = new ApplyLedger(start);
        this.scheduler = scheduler;
        this.parked = parked;
        this.checkpoint = start;
    }

    Checkpoint start() {
        return start;
    }

    ApplyLedger ledger() {
        return ledger;
    }

    ChangeScheduler scheduler() {
        return scheduler;
    }

    ParkedEntities parked() {
        return parked;
    }

    void parked(ParkedEntities now) {
        parked = now;
    }

    Checkpoint checkpoint() {
        return checkpoint;
    }

    void checkpoint(Checkpoint now) {
        checkpoint = now;
    }
}
