package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.exceptions.TransientException;

/**
 * Lock contention on the real servers: while the service applies updates of every content item (its
 * statements lock nodes in ascending key order), another Neo4j client sets a graph-owned property on the same
 * nodes in descending order, which is how deadlocks are made. Neo4j breaks each deadlock by failing one
 * transaction; when it is the service's, the batch is retried as contention. Nothing is lost or doubled:
 * the graph equals the database afterwards.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DeadlockIT {
    private static final int ROWS = 2_000;
    private static final int ROUNDS = 15;

    @Test
    void shouldRetryDeadlockedBatchesAndEndEqual() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("deadlocks")) {
            env.setup();
            env.environment().put("NEXUS_SYNC_APPLY_WORKERS", "2");
            UUID tenant = UUID.randomUUID();
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT ?, ?, 'item ' || g FROM generate_series(1, " + ROWS + ") g",
                    tenant, tenant);
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(90));
            List<String> ids = new ArrayList<>();
            env.query("SELECT id::text AS id FROM content_items ORDER BY id").forEach(r -> ids.add((String) r.get("id")));
            Collections.reverse(ids);

            AtomicLong otherDeadlocks = new AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long retriesBefore = env.service().progress().retries();
            Thread other = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        try {
                            env.cypher("UNWIND $ids AS id MATCH (c:ContentItem {id: id}) SET c.relevanceWeight = rand()", Map.of("ids", ids));
                        } catch (TransientException e) {
                            otherDeadlocks.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "descending-writer");
            other.start();
            try (var c = env.connect(); var st = c.createStatement()) {
                for (int round = 0; round < ROUNDS; round++) {
                    st.execute("UPDATE content_items SET view_count = view_count + 1");
                    Thread.sleep(300);
                }
            }
            // The contention is over once the application's updates are committed: the other writer stops, the sync catches up.
            stop.set(true);
            other.join(30_000);
            env.awaitCaughtUp(Duration.ofSeconds(120));
            assertThat(failure.get()).isNull();

            long retries = env.service().progress().retries() - retriesBefore;
            System.out.printf("deadlocks: the service retried %d times, the other client lost %d transactions%n", retries, otherDeadlocks.get());
            assertThat(retries).as("the service's batches met the other writer's locks and were retried (else this test proves nothing)").isPositive();
            assertThat(env.cypher("MATCH (c:ContentItem) RETURN sum(c.viewCount) AS v").get(0).get("v").asLong()).isEqualTo((long) ROWS * ROUNDS);
            assertThat(env.discrepancies()).isEmpty();
            env.stopService();
        }
    }
}
