package io.nexussync.demo;

import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application writing to the ContextNexus schema the way a real one does: new content, threads
 * and messages, edits with hot entities, tag and thread-link churn, deletes that cascade. Several
 * instances may run at once on the same tables; an operation that loses a race (a row another
 * worker deleted) rolls back and counts as skipped. Used by the demo, the tests and the benchmark.
 */
public final class ContextNexusWorkload implements AutoCloseable {
    private static final String[] ACCESS = {"private", "project", "tenant", "public"};
    private static final String[] ROLES = {"user", "assistant", "system"};

    private final Connection connection;
    private final Random random;
    private final SharedIds ids;
    private final UUID tenant;
    private final UUID project;
    private final AtomicLong rowChanges = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    /** Counted only when the transaction commits; statements' own counts, so cascaded deletes are not included. */
    private long pendingRowChanges;

    public ContextNexusWorkload(PgSettings settings, SharedIds ids, long seed) throws SQLException {
        this.connection = PgConnections.open(settings, "workload");
        this.connection.setAutoCommit(false);
        this.random = new Random(seed);
        this.ids = ids;
        this.tenant = new UUID(0x7e, 1);
        this.project = new UUID(0x7e, 2);
    }

    /** Sample data to start from: tags, content, threads with messages, links. */
    public void seedSample(int contentItems, int threads, int tags) throws SQLException {
        pendingRowChanges = 0;
        for (int i = 0; i < tags; i++) {
            insertTag("tag-" + i);
        }
        for (int i = 0; i < contentItems; i++) {
            insertContent();
        }
        for (int i = 0; i < threads; i++) {
            UUID thread = insertThread();
            for (int m = 0; m < 3; m++) {
                insertMessage(thread);
            }
        }
        for (int i = 0; i < contentItems; i++) {
            linkTag();
            includeContent();
        }
        connection.commit();
        rowChanges.addAndGet(pendingRowChanges);
    }

    /** One application transaction of 1-5 random operations; returns false when it lost a race and rolled back. */
    public boolean transaction() throws SQLException {
        pendingRowChanges = 0;
        try {
            int operations = 1 + random.nextInt(5);
            for (int i = 0; i < operations; i++) {
                operation();
            }
            connection.commit();
            rowChanges.addAndGet(pendingRowChanges);
            return true;
        } catch (SQLException e) {
            connection.rollback();
            skipped.incrementAndGet();
            return false;
        }
    }

    private void operation() throws SQLException {
        int dice = random.nextInt(100);
        if (dice < 14 || ids.content.isEmpty()) {
            insertContent();
        } else if (dice < 22 || ids.threads.isEmpty()) {
            insertThread();
        } else if (dice < 32) {
            insertMessage(ids.pick(ids.threads, random));
        } else if (dice < 52) {
            updateContent();
        } else if (dice < 56) {
            update("UPDATE threads SET status = ?, updated_at = now() WHERE id = ?", random.nextBoolean() ? "open" : "archived", ids.pick(ids.threads, random));
        } else if (dice < 60) {
            update("UPDATE messages SET token_count = ?, updated_at = now() WHERE id = ?", random.nextInt(4000), ids.pick(ids.messages, random));
        } else if (dice < 70) {
            includeContent();
        } else if (dice < 74) {
            update("DELETE FROM thread_content WHERE thread_id = ? AND content_id = ?", ids.pick(ids.threads, random), ids.pick(ids.content, random));
        } else if (dice < 84) {
            linkTag();
        } else if (dice < 88) {
            update("DELETE FROM content_tags WHERE content_id = ? AND tag_id = ?", ids.pick(ids.content, random), ids.pick(ids.tags, random));
        } else if (dice < 91 && ids.tags.size() < 200) {
            insertTag("tag-" + UUID.randomUUID().toString().substring(0, 8));
        } else if (dice < 95) {
            UUID victim = ids.pick(ids.content, random);
            update("DELETE FROM content_items WHERE id = ?", victim);
            ids.remove(ids.content, victim);
        } else if (dice < 97) {
            UUID victim = ids.pick(ids.messages, random);
            update("DELETE FROM messages WHERE id = ?", victim);
            ids.remove(ids.messages, victim);
        } else {
            UUID victim = ids.pick(ids.threads, random);
            if (ids.threads.size() > 5) {
                update("DELETE FROM threads WHERE id = ?", victim);
                ids.remove(ids.threads, victim);
            }
        }
    }

    private void updateContent() throws SQLException {
        // A few hot items take most edits, as in a real workload.
        UUID id = random.nextInt(4) == 0 ? ids.hot(ids.content) : ids.pick(ids.content, random);
        switch (random.nextInt(4)) {
            case 0 -> update("UPDATE content_items SET title = ?, updated_at = now() WHERE id = ?", "Title " + random.nextInt(1_000_000), id);
            case 1 -> update("UPDATE content_items SET view_count = view_count + 1 WHERE id = ?", id);
            case 2 -> update("UPDATE content_items SET access_level = ?, updated_at = now() WHERE id = ?", ACCESS[random.nextInt(ACCESS.length)], id);
            default -> update("UPDATE content_items SET metadata = ?::jsonb, updated_at = now() WHERE id = ?",
                    "{\"rev\": " + random.nextInt(100) + ", \"lang\": \"en\", \"tags\": [\"a\", \"b\"]}", id);
        }
    }

    private UUID insertContent() throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO content_items (id, tenant_id, project_id, title, body, content_type, metadata, access_level, view_count, created_by) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)",
                id, tenant, project, "Document " + random.nextInt(1_000_000), "body text " + random.nextLong(),
                random.nextBoolean() ? "document" : "note", "{\"source\": \"demo\", \"score\": " + random.nextInt(10) + "}",
                ACCESS[random.nextInt(ACCESS.length)], (long) random.nextInt(100), UUID.randomUUID());
        ids.add(ids.content, id);
        return id;
    }

    private UUID insertThread() throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO threads (id, tenant_id, project_id, title, created_by) VALUES (?, ?, ?, ?, ?)",
                id, tenant, project, "Thread " + random.nextInt(1_000_000), UUID.randomUUID());
        ids.add(ids.threads, id);
        return id;
    }

    private void insertMessage(UUID thread) throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO messages (id, thread_id, tenant_id, role, body, token_count) VALUES (?, ?, ?, ?, ?, ?)",
                id, thread, tenant, ROLES[random.nextInt(ROLES.length)], "message " + random.nextLong(), random.nextInt(2000));
        ids.add(ids.messages, id);
    }

    private void insertTag(String name) throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", id, tenant, name);
        ids.add(ids.tags, id);
    }

    private void linkTag() throws SQLException {
        update("INSERT INTO content_tags (content_id, tag_id, weight) VALUES (?, ?, ?) "
                        + "ON CONFLICT (content_id, tag_id) DO UPDATE SET weight = EXCLUDED.weight",
                ids.pick(ids.content, random), ids.pick(ids.tags, random), (float) (random.nextInt(100) / 10.0));
    }

    private void includeContent() throws SQLException {
        update("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (thread_id, content_id) DO UPDATE SET relevance_score = EXCLUDED.relevance_score, position = EXCLUDED.position",
                ids.pick(ids.threads, random), ids.pick(ids.content, random), random.nextInt(1000) / 1000.0, random.nextInt(50));
    }

    private void update(String sql, Object... parameters) throws SQLException {
        for (Object p : parameters) {
            if (p == null) {
                return; // nothing to pick from yet
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            pendingRowChanges += ps.executeUpdate();
        }
    }

    public long rowChanges() {
        return rowChanges.get();
    }

    public long skipped() {
        return skipped.get();
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    /** The ids the workers know about, shared between them; stale entries only cost a rolled-back transaction. */
    public static final class SharedIds {
        final List<UUID> content = new ArrayList<>();
        final List<UUID> threads = new ArrayList<>();
        final List<UUID> messages = new ArrayList<>();
        final List<UUID> tags = new ArrayList<>();

        synchronized void add(List<UUID> list, UUID id) {
            list.add(id);
        }

        synchronized void remove(List<UUID> list, UUID id) {
            list.remove(id);
        }

        synchronized UUID pick(List<UUID> list, Random random) {
            return list.isEmpty() ? null : list.get(random.nextInt(list.size()));
        }

        synchronized UUID hot(List<UUID> list) {
            return list.isEmpty() ? null : list.get(0);
        }
    }
}
