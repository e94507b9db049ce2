package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply role's deletion markers (what keeps an older change from another partition from bringing a deleted node
 * back) are removed once no change they guard against can still arrive: written longer ago than the change topic's
 * retention ({@code kafka.retention}). At start and every {@link #EVERY}, {@link #CHUNK} markers per graph transaction.
 * A failure is logged and tried again at the next round: markers only cost space.
 */
public final class DeletionMarkerRetentionComponent implements Component {
    static final Duration EVERY = Duration.ofHours(1);
    static final int CHUNK = 1_000;
    private static final Logger log = LoggerFactory.getLogger(DeletionMarkerRetentionComponent.class);

    private final BiFunction<Instant, Integer, Integer> removeBefore;
    private final Duration retention;
    private final Clock clock;

    /** @param removeBefore removes up to a number of markers written before an instant, returning how many it removed */
    public DeletionMarkerRetentionComponent(BiFunction<Instant, Integer, Integer> removeBefore, Duration retention, Clock clock) {
        this.removeBefore = removeBefore;
        this.retention = retention;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "deletion-marker-retention";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        do {
            Instant cut = clock.instant().minus(retention);
            long removed = 0;
            try {
                int chunk;
                do {
                    chunk = removeBefore.apply(cut, CHUNK);
                    removed += chunk;
                } while (chunk == CHUNK && !context.stopping());
                if (removed > 0) {
                    log.info("removed {} deletion markers written before {} (kafka.retention {})", removed, cut, retention);
                }
            } catch (SyncException e) {
                log.warn("could not remove deletion markers ({}); trying again in {}", e.getMessage(), EVERY);
            }
        } while (!context.stoppedWithin(EVERY));
    }

    @Override
    public void stop() {
        // the session ends at the context's stop
    }
}
