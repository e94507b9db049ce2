package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first start while the application changes rows that are already there: the snapshot finds each
 * thread_content row and dates its version, the stream then closes that version with the next change.
 * A version the snapshot dated after the change that closed it (this JVM's clock read after the slot was
 * created, while commits went on) would end before it began and overlap the next, or, with the writes' own
 * guard, make the stream drop that change as older than the graph's version. The contract's history rules
 * and an audit of every change ({@code TemporalHistory}: each pair's first version equals its row at the
 * snapshot, then one version per change after it) catch all three.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SnapshotBoundaryIT {
    private static final int THREADS = 4;
    private static final int CONTENT_ITEMS = 25;

    @Test
    void shouldDateSnapshotVersionsNoLaterThanTheStreamedChangesThatCloseThem() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("snapshot_boundary")) {
            env.setup();
            List<UUID[]> pairs = new ArrayList<>();
            try (Connection c = env.connect()) {
                TemporalHistory.installAudit(c, true);
                UUID tenant = UUID.randomUUID();
                List<UUID> content = new ArrayList<>();
                for (int i = 0; i < CONTENT_ITEMS; i++) {
                    UUID id = UUID.randomUUID();
                    SyncEnvironment.execute(c, "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'c')", id, tenant, tenant);
                    content.add(id);
                }
                for (int t = 0; t < THREADS; t++) {
                    UUID thread = UUID.randomUUID();
                    SyncEnvironment.execute(c, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 't')", thread, tenant, tenant);
                    for (UUID item : content) {
                        SyncEnvironment.execute(c, "INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, 0, 0)", thread, item);
                        pairs.add(new UUID[] {thread, item});
                    }
                }
            }
            AtomicLong updates = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> stop = new AtomicReference<>(false);
            // About a thousand commits a second: some land just before, during and just after the slot's creation.
            Thread writer = new Thread(() -> {
                Random random = new Random(3);
                try (Connection c = env.connect()) {
                    while (!stop.get()) {
                        UUID[] pair = pairs.get(random.nextInt(pairs.size()));
                        SyncEnvironment.execute(c, "UPDATE thread_content SET relevance_score = ?, position = position + 1 WHERE thread_id = ? AND content_id = ?",
                                random.nextDouble(), pair[0], pair[1]);
                        updates.incrementAndGet();
                        Thread.sleep(0, 500_000);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "snapshot-boundary-writer");
            writer.start();
            Thread.sleep(300);
            env.startService();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (env.graphCheckpoint() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(500);
            stop.set(true);
            writer.join(10_000);
            assertThat(failure.get()).isNull();
            env.awaitCaughtUp(Duration.ofSeconds(90));

            assertThat(updates.get()).as("updates while the service started").isGreaterThan(100);
            assertThat(env.discrepancies()).isEmpty();
        }
    }
}
