package io.nexussync.app.components;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.error.SyncException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PlanRefreshComponentTest {

    @Test
    void shouldRefreshThePlansAfterEveryWaitUntilTheServiceStops() throws InterruptedException {
        AtomicInteger refreshes = new AtomicInteger();
        RecordedWaits context = new RecordedWaits(4);

        new PlanRefreshComponent(refreshes::incrementAndGet).run(context);

        assertThat(context.ready).isTrue();
        assertThat(refreshes).hasValue(4);
        assertThat(context.waits).hasSize(4).allMatch(wait -> wait.equals(PlanRefreshComponent.PERIOD));
        assertThat(PlanRefreshComponent.PERIOD).as("a refresh comes before Neo4j's own look at a plan, 10 s after the last")
                .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldKeepRefreshingWhenNeo4jCannotBeReached() throws InterruptedException {
        AtomicInteger attempts = new AtomicInteger();
        RecordedWaits context = new RecordedWaits(3);

        new PlanRefreshComponent(() -> {
            attempts.incrementAndGet();
            throw SyncException.retryable("Neo4j is unavailable", null);
        }).run(context);

        assertThat(attempts).hasValue(3);
    }
}
