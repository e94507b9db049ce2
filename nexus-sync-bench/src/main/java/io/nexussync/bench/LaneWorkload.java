package io.nexussync.bench;

import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The lane benchmark's application: seed rows, a backlog of low-lane updates (only
 * {@code view_count}), and a writer of critical changes ({@code access_level} updates, deletes) at a
 * steady rate, each in its own transaction.
 */
final class LaneWorkload {
    /** Rows per UPDATE ... WHERE id = ANY(...) and per backlog transaction. */
    private static final int PER_STATEMENT = 500, PER_TRANSACTION = 1_000;
    private static final int THREADS = 100, MESSAGES_PER_THREAD = 20, TAGS = 300, TAGGED_ROWS = 3_000;

    record Backlog(long rowChanges, int rows, long transactions, long nanos) {}

    record Critical(long transactions, long accessLevelUpdates, long messageDeletes, long tagDeletes) {}

    private final PgSettings settings;
    private final List<UUID> rows = new ArrayList<>();
    private final List<UUID> messages = new ArrayList<>();
    private final List<UUID> tags = new ArrayList<>();

    LaneWorkload(PgSettings settings) {
        this.settings = settings;
    }

    /** content_items rows for the backlog, threads with messages, tags linked to some rows; one transaction. */
    void seed(int contentRows) throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench seed"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            String tenant = "'" + new UUID(0x7e, 1) + "'";
            String project = "'" + new UUID(0x7e, 2) + "'";
            st.execute("INSERT INTO content_items (tenant_id, project_id, title, body, metadata, view_count, access_level) "
                    + "SELECT " + tenant + ", " + project + ", 'item ' || g, 'body text ' || g, jsonb_build_object('n', g), 0, "
                    + "(ARRAY['private','project','tenant','public'])[1 + g % 4] FROM generate_series(1, " + contentRows + ") g");
            st.execute("INSERT INTO threads (tenant_id, project_id, title) SELECT " + tenant + ", " + project + ", 'thread ' || g "
                    + "FROM generate_series(1, " + THREADS + ") g");
            st.execute("INSERT INTO messages (thread_id, tenant_id, role, body, token_count) SELECT t.id, " + tenant + ", 'user', "
                    + "'message ' || g, g FROM threads t, generate_series(1, " + MESSAGES_PER_THREAD + ") g");
            st.execute("INSERT INTO tags (tenant_id, name) SELECT " + tenant + ", 'tag-' || g FROM generate_series(1, " + TAGS + ") g");
            st.execute("INSERT INTO content_tags (content_id, tag_id) SELECT c.id, t.id "
                    + "FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM content_items) c "
                    + "JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tags) t ON t.n = 1 + c.n % " + TAGS + " "
                    + "WHERE c.n <= " + TAGGED_ROWS);
            c.commit();
            ids(st, "SELECT id FROM content_items ORDER BY id", rows);
            ids(st, "SELECT id FROM messages ORDER BY id", messages);
            ids(st, "SELECT id FROM tags ORDER BY id", tags);
        }
    }

    /** {@code changes} single-row updates of view_count, each row in turn (shuffled each pass), many per transaction. */
    Backlog writeBacklog(long changes) throws SQLException {
        Random random = new Random(4);
        long written = 0;
        long transactions = 0;
        long start = System.nanoTime();
        try (Connection c = PgConnections.open(settings, "bench backlog");
             PreparedStatement ps = c.prepareStatement("UPDATE content_items SET view_count = view_count + 1 WHERE id = ANY(?)")) {
            c.setAutoCommit(false);
            List<UUID> pass = new ArrayList<>(rows);
            int next = pass.size();
            int inTransaction = 0;
            while (written < changes) {
                List<UUID> chunk = new ArrayList<>(PER_STATEMENT);
                // distinct ids in one statement: each is one row change
                while (chunk.size() < PER_STATEMENT && written + chunk.size() < changes) {
                    if (next == pass.size()) {
                        if (!chunk.isEmpty()) {
                            break; // a new pass could repeat an id of this chunk
                        }
                        Collections.shuffle(pass, random);
                        next = 0;
                    }
                    chunk.add(pass.get(next++));
                }
                Array ids = c.createArrayOf("uuid", chunk.toArray());
                ps.setArray(1, ids);
                written += ps.executeUpdate();
                inTransaction += chunk.size();
                if (inTransaction >= PER_TRANSACTION || written >= changes) {
                    c.commit();
                    transactions++;
                    inTransaction = 0;
                }
            }
        }
        return new Backlog(written, rows.size(), transactions, System.nanoTime() - start);
    }

    CriticalWriter startCriticalWriter(double perSecond) throws SQLException {
        return new CriticalWriter(perSecond);
    }

    /**
     * One critical change per tick, each its own transaction, cycling: three {@code access_level} updates
     * (to a different level) on random backlog rows, a message delete, a tag delete.
     */
    final class CriticalWriter implements AutoCloseable {
        private final Connection connection;
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopped;
        private long transactions, accessLevelUpdates, messageDeletes, tagDeletes;

        private CriticalWriter(double perSecond) throws SQLException {
            connection = PgConnections.open(settings, "bench critical writer");
            thread = new Thread(() -> write(perSecond), "bench-critical-writer");
            thread.start();
        }

        private void write(double perSecond) {
            Random random = new Random(5);
            long start = System.nanoTime();
            try (PreparedStatement access = connection.prepareStatement("UPDATE content_items SET access_level = CASE access_level "
                    + "WHEN 'private' THEN 'project' WHEN 'project' THEN 'tenant' WHEN 'tenant' THEN 'public' ELSE 'private' END WHERE id = ?");
                 PreparedStatement message = connection.prepareStatement("DELETE FROM messages WHERE id = ?");
                 PreparedStatement tag = connection.prepareStatement("DELETE FROM tags WHERE id = ?")) {
                for (long n = 0; !stopped; n++) {
                    long due = start + (long) (n * 1e9 / perSecond);
                    while (!stopped && System.nanoTime() < due) {
                        LockSupport.parkNanos(Math.min(due - System.nanoTime(), 5_000_000));
                    }
                    if (stopped) {
                        return;
                    }
                    int kind = (int) (n % 5);
                    if (kind == 3 && !messages.isEmpty()) {
                        message.setObject(1, messages.remove(random.nextInt(messages.size())));
                        message.executeUpdate();
                        messageDeletes++;
                    } else if (kind == 4 && tags.size() > 1) {
                        tag.setObject(1, tags.remove(random.nextInt(tags.size())));
                        tag.executeUpdate();
                        tagDeletes++;
                    } else {
                        access.setObject(1, rows.get(random.nextInt(rows.size())));
                        access.executeUpdate();
                        accessLevelUpdates++;
                    }
                    transactions++;
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        void checkAlive() {
            if (failure.get() != null) {
                throw new IllegalStateException("the critical writer failed: " + failure.get().getMessage(), failure.get());
            }
        }

        /** Stops writing and returns what was written. */
        Critical stop() throws InterruptedException {
            stopped = true;
            thread.join();
            checkAlive();
            return new Critical(transactions, accessLevelUpdates, messageDeletes, tagDeletes);
        }

        @Override
        public void close() throws Exception {
            stopped = true;
            thread.join();
            connection.close();
        }
    }

    private static void ids(Statement st, String sql, List<UUID> into) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                into.add(rs.getObject(1, UUID.class));
            }
        }
    }
}
