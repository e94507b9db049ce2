package io.nexussync.core.pipeline;

import io.nexussync.core.mapping.Lane;
import io.nexussync.core.model.Checkpoint;
import java.time.Instant;
import java.util.Map;

/** Puts a {@link SyncProgress} where the pipeline would (its writers are the pipeline's own), for the app's health and metrics tests. */
public final class ProgressFixture {
    private ProgressFixture() {}

    /** A stream session has started: streaming, with the queue of a session that has read nothing yet. */
    public static void sessionStarted(SyncProgress progress) {
        progress.started(Checkpoint.NONE);
    }

    /** The apply loop's report of its queue: {@code pending} changes in the normal lane, the oldest committed at {@code oldest}. */
    public static void queue(SyncProgress progress, long pending, Instant oldest, boolean caughtUp) {
        progress.queue(new ApplyQueue(Map.of(Lane.NORMAL, pending), pending * 100, 0, 500, 0, oldest, caughtUp));
    }
}
