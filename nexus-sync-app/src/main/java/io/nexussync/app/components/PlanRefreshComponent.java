package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@link #PERIOD}: has Neo4j look at the cached plans of the streamed statements, which batches run without
 * replanning, and replan those it finds stale, here rather than on a batch's path (see
 * {@code Neo4jGraphWriter.NO_REPLAN}). A refresh that cannot reach Neo4j is skipped: the stream reports and retries that.
 */
public final class PlanRefreshComponent implements Component {
    private static final Logger log = LoggerFactory.getLogger(PlanRefreshComponent.class);
    /** Shorter than Neo4j's least interval between two looks at one plan (10 s), so a refresh finds a stale plan first. */
    static final Duration PERIOD = Duration.ofSeconds(3);

    /** Runs the streamed statements the way Neo4j replans them; throws {@link SyncException} when Neo4j cannot. */
    @FunctionalInterface
    public interface PlanRefresh {
        void refresh();
    }

    private final PlanRefresh refresh;

    public PlanRefreshComponent(PlanRefresh refresh) {
        this.refresh = refresh;
    }

    @Override
    public String name() {
        return "plan-refresh";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        while (!context.stoppedWithin(PERIOD)) {
            try {
                refresh.refresh();
            } catch (SyncException e) {
                log.debug("could not refresh the statements' plans: {}", e.getMessage());
            }
        }
    }

    @Override
    public void stop() {
        // the supervisor's stop ends the wait between refreshes
    }
}
