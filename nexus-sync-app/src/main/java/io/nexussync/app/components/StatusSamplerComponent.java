package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.postgres.slot.SlotHealth;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Records the status figures into a {@link StatusHistory} every {@link StatusHistory#interval()}, from memory only (the
 * progress the pipeline keeps and the slot monitor's last reading): it never calls a server, so it can neither fail nor
 * slow anything down. Ready at once, so it records the snapshot's start too.
 */
public final class StatusSamplerComponent implements Component {
    private final StatusHistory history;
    private final SyncProgress progress;
    private final Supplier<SlotHealth> slot;
    private final Clock clock;

    public StatusSamplerComponent(StatusHistory history, SyncProgress progress, Supplier<SlotHealth> slot, Clock clock) {
        this.history = history;
        this.progress = progress;
        this.slot = slot;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "status-sampler";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        do {
            history.sample(clock.instant(), progress, slot.get());
        } while (!context.stoppedWithin(history.interval()));
    }

    @Override
    public void stop() {
        // the session ends with the supervisor's stop signal (stoppedWithin)
    }
}
