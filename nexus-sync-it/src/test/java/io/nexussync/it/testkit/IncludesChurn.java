package io.nexussync.it.testkit;

import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What makes temporal history hard: rows of {@code thread_content} that exist are updated, removed and
 * included again (their {@code pg_version} starts over at 1), one transaction each, on a connection of its
 * own beside the general workload, whose random pairs rarely hit a row that exists.
 */
public final class IncludesChurn implements AutoCloseable {
    private final Thread thread;
    private final AtomicLong changes = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;

    public IncludesChurn(PgSettings settings, long seed, int pauseMillis) {
        Random random = new Random(seed);
        thread = new Thread(() -> {
            List<UUID[]> removed = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
                while (!stopping) {
                    try {
                        churnOnce(c, random, removed);
                    } catch (SQLException raceWithTheWorkload) {
                        // A foreign key to a content item or thread the workload just deleted: that pair is gone for good.
                    }
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

    private void churnOnce(Connection c, Random random, List<UUID[]> removed) throws SQLException {
        int dice = random.nextInt(100);
        if (dice < 30 && !removed.isEmpty()) {
            UUID[] pair = removed.remove(random.nextInt(removed.size()));
            changes.addAndGet(execute(c, "INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT DO NOTHING", pair[0], pair[1], random.nextDouble(), random.nextInt(100)));
            return;
        }
        UUID[] pair = anyPair(c);
        if (pair == null) {
            return;
        }
        if (dice < 60) {
            if (execute(c, "DELETE FROM thread_content WHERE thread_id = ? AND content_id = ?", pair[0], pair[1]) > 0) {
                removed.add(pair);
                changes.incrementAndGet();
            }
        } else {
            changes.addAndGet(execute(c, "UPDATE thread_content SET relevance_score = ?, position = ? WHERE thread_id = ? AND content_id = ?",
                    random.nextDouble(), random.nextInt(100), pair[0], pair[1]));
        }
    }

    private static UUID[] anyPair(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT thread_id, content_id FROM thread_content ORDER BY random() LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new UUID[] {rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)} : null;
        }
    }

    private static int execute(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            return ps.executeUpdate();
        }
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
