package io.nexussync.app.admin;

import io.nexussync.core.pipeline.ApplyQueue;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import java.time.Duration;
import java.time.Instant;

/**
 * How far the graph is behind the stream, from the apply queue the pipeline reports each second: {@code behind} is now
 * minus PostgreSQL's commit time of the oldest change read and not yet applied (zero when none waits), and the service
 * has {@code caughtUp} when it streams, is behind by at most the threshold, and has read everything the stream had at
 * least once. A session whose stream has delivered nothing yet (a quiet database) counts as caught up once it has been
 * streaming for the threshold: there is nothing to tell it is behind.
 *
 * @param behind      zero when nothing waits; not counting changes still in the slot (the slot's lag in bytes tells those)
 * @param caughtUp    what {@code /health/ready} and the recovery metric call caught up
 * @param readAll     the session has read everything the stream had at least once
 */
record CatchUp(Duration behind, boolean caughtUp, boolean readAll) {

    static CatchUp of(SyncProgress progress, Duration threshold, Instant now) {
        ApplyQueue queue = progress.queue();
        Instant oldest = queue.oldestPendingCommittedAt();
        Duration behind = oldest == null || oldest.isAfter(now) ? Duration.ZERO : Duration.between(oldest, now);
        boolean streaming = progress.state() == ServiceState.STREAMING;
        boolean quietLongEnough = oldest == null && !progress.stateSince().plus(threshold).isAfter(now);
        boolean caughtUp = streaming && behind.compareTo(threshold) <= 0 && (queue.caughtUp() || quietLongEnough);
        return new CatchUp(behind, caughtUp, queue.caughtUp());
    }

    double behindSeconds() {
        return behind.toMillis() / 1000.0;
    }
}
