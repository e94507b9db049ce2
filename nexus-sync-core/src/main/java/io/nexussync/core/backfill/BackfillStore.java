package io.nexussync.core.backfill;

import java.util.List;
import java.util.Optional;

/** Where backfill jobs are queued and their progress kept, so that a job survives a restart and resumes. */
public interface BackfillStore {

    /** The job to work on: one left running by an earlier run first, else the oldest pending one (marked running). */
    Optional<BackfillJob> next();

    void progressed(BackfillJob job, List<String> lastKey, long rowsDone);

    void finished(BackfillJob job, long rowsDone);

    void failed(BackfillJob job, String error);
}
