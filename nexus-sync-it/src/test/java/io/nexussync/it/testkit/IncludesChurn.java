package io.nexussync.it.testkit;

import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What makes temporal history hard: a few hot {@code thread_content} rows, between threads and content items
 * of the churn's own (which the general workload never deletes), are updated, removed and included again
 * (their {@code pg_version} starts over at 1) over and over, one transaction each. Removals go in the
 * critical lane and inclusions in the normal one, so under a backlog they are applied out of stream order.
 */
public final class IncludesChurn implements AutoCloseable {
    private static final int THREADS = 2;
    private static final int CONTENT_ITEMS = 8;

    private final Thread thread;
    private final AtomicLong changes = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;

    public IncludesChurn(PgSettings settings, long seed, int pauseMillis) throws SQLException {
        Random random = new Random(seed);
        UUID tenant = new UUID(seed, 1);
        UUID[] threads = new UUID[THREADS];
        UUID[] content = new UUID[CONTENT_ITEMS];
        boolean[][] included = new boolean[THREADS][CONTENT_ITEMS];
        try (Connection c = connect(settings)) {
            for (int t = 0; t < THREADS; t++) {
                threads[t] = UUID.randomUUID();
                SyncEnvironment.execute(c, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'churn')", threads[t], tenant, tenant);
            }
            for (int i = 0; i < CONTENT_ITEMS; i++) {
                content[i] = UUID.randomUUID();
                SyncEnvironment.execute(c, "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'churn')", content[i], tenant, tenant);
            }
        }
        thread = new Thread(() -> {
            try (Connection c = connect(settings)) {
                while (!stopping) {
                    int t = random.nextInt(THREADS);
                    int i = random.nextInt(CONTENT_ITEMS);
                    if (!included[t][i]) {
                        SyncEnvironment.execute(c, "INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, ?, ?)",
                                threads[t], content[i], random.nextDouble(), random.nextInt(100));
                        included[t][i] = true;
                    } else if (random.nextBoolean()) {
                        SyncEnvironment.execute(c, "DELETE FROM thread_content WHERE thread_id = ? AND content_id = ?", threads[t], content[i]);
                        included[t][i] = false;
                    } else {
                        SyncEnvironment.execute(c, "UPDATE thread_content SET relevance_score = ?, position = ? WHERE thread_id = ? AND content_id = ?",
                                random.nextDouble(), random.nextInt(100), threads[t], content[i]);
                    }
                    changes.incrementAndGet();
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "includes-churn");
        thread.start();
    }

    private static Connection connect(PgSettings settings) throws SQLException {
        return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
    }

    public long changes() {
        return changes.get();
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        thread.join(30_000);
        if (failure.get() != null) {
            throw new AssertionError("the thread_content churn failed", failure.get());
        }
    }
}
