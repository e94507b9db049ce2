package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.mapping.Lane;
import io.nexussync.it.testkit.ForwardingGraphWriter;
import io.nexussync.it.testkit.SyncEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lanes against the real servers: with a backlog of view-count updates (the low lane) read and waiting,
 * an access-level change (critical) committed after all of them goes into the very next batch, ahead
 * of the backlog, and the graph still ends equal to the database. The first streamed batch is held
 * until the critical change has been read, so "the next batch" is deterministic; nothing is timed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LanesIT {
    // More rows than a batch takes writes (500): a batch counts an entity's coalesced updates once, so a backlog over
    // fewer rows would go out whole in the first batch and leave nothing for the critical change to overtake.
    private static final int ROWS = 2_000;
    private static final int ROUNDS = 10;

    @Test
    void shouldApplyACriticalChangeInTheNextBatchAheadOfALowBacklog() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("lanes")) {
            env.setup();
            env.environment().put("NEXUS_SYNC_APPLY_WORKERS", "1");
            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "500");
            UUID tenant = UUID.randomUUID();
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT ?, ?, 'item ' || g FROM generate_series(1, " + ROWS + ") g",
                    tenant, tenant);
            String target = (String) env.query("SELECT id::text AS id FROM content_items ORDER BY id LIMIT 1").get(0).get("id");
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(90));
            env.stopService();

            // The backlog, written while the service is stopped: 20,000 changes that touch only view_count.
            try (var c = env.connect(); var st = c.createStatement()) {
                for (int round = 0; round < ROUNDS; round++) {
                    st.execute("UPDATE content_items SET view_count = view_count + 1");
                }
            }
            HeldFirstBatch gate = new HeldFirstBatch(target);
            env.startService(writer -> gate.wrap(writer));
            assertThat(gate.held.await(60, TimeUnit.SECONDS)).as("the first streamed batch reached the graph writer").isTrue();
            env.sql("UPDATE content_items SET access_level = 'private' WHERE id = ?::uuid", target);
            awaitCriticalChangeRead(env);
            gate.release.countDown();
            env.awaitCaughtUp(Duration.ofSeconds(120));

            assertThat(gate.batches).as("batches as written: critical marks the one revoking access").hasSizeGreaterThan(3);
            assertThat(gate.batches.get(1)).as("the batch after the held one; all batches: %s", gate.batches).isEqualTo("critical");
            assertThat(gate.batches.subList(2, gate.batches.size())).as("the backlog goes on after it").contains("backlog");
            assertThat(env.cypher("MATCH (c:ContentItem) RETURN sum(c.viewCount) AS v").get(0).get("v").asLong())
                    .isEqualTo((long) ROWS * ROUNDS);
            assertThat(env.discrepancies()).isEmpty();
            env.stopService();
        }
    }

    private static void awaitCriticalChangeRead(SyncEnvironment env) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (env.service().progress().queue().pendingByLane().getOrDefault(Lane.CRITICAL, 0L) == 0) {
            assertThat(System.nanoTime()).as("the service read the critical change within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Holds the first streamed batch until released; names each batch by what it carries. */
    private static final class HeldFirstBatch {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> batches = new CopyOnWriteArrayList<>();
        private final String target;

        HeldFirstBatch(String target) {
            this.target = target;
        }

        GraphWriter wrap(GraphWriter delegate) {
            return new ForwardingGraphWriter(delegate) {
                @Override
                public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
                    if (batches.isEmpty()) {
                        held.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    ApplyResult result = delegate.apply(plan, checkpoint);
                    batches.add(revokes(plan) ? "critical" : "backlog");
                    return result;
                }
            };
        }

        private boolean revokes(GraphWritePlan plan) {
            return plan.steps().stream().filter(GraphStep.UpsertNodes.class::isInstance)
                    .flatMap(s -> ((GraphStep.UpsertNodes) s).rows().stream())
                    .anyMatch(r -> r.id().equals(target) && "private".equals(r.properties().get("accessLevel")));
        }
    }
}
