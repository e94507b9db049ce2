package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.backfill.BackfillCoordinator;
import java.time.Duration;

/**
 * Backfill jobs, worked through beside the stream, which lets their chunks in at their watermarks. A coordinator that gave
 * up (an error it logged) stays stopped until the service starts again, as its jobs are marked failed.
 */
public final class BackfillComponent implements Component {
    private final BackfillCoordinator coordinator;

    public BackfillComponent(BackfillCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** The backfill in progress, or null. */
    public BackfillCoordinator.Status status() {
        return coordinator.status();
    }

    @Override
    public String name() {
        return "backfill";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        coordinator.run();
        while (!context.stoppedWithin(Duration.ofDays(1))) {
            // given up: wait for the stop rather than start again
        }
    }

    @Override
    public void stop() {
        coordinator.stop();
    }
}
