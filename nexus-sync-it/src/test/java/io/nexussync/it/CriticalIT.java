package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Critical writes on the real servers, as an application makes them: ordinary SQL ended by
 * {@code PREPARE TRANSACTION 'nexus_sync:<id>'}, then a wait for the outcome. Checked from the outside, by reading both
 * servers: a reader polling PostgreSQL (read committed) and then the graph never sees PostgreSQL committed while the
 * graph still serves the old state; a change the graph refuses is rolled back in PostgreSQL with its reason and never
 * appears in the graph; the forward stream does not apply a critical write a second time when its COMMIT PREPARED
 * arrives (one history version per change); nothing stays prepared; the graph equals the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CriticalIT {
    private SyncEnvironment env;
    private UUID tenant;
    private final List<String> items = new ArrayList<>();
    private String thread;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("critical");
        env.setup();
        tenant = UUID.randomUUID();
        for (int i = 0; i < 4; i++) {
            items.add((String) env.query("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, 'item') RETURNING id::text AS id",
                    tenant, tenant).get(0).get("id"));
        }
        thread = (String) env.query("INSERT INTO threads (tenant_id, project_id, title) VALUES (?, ?, 't') RETURNING id::text AS id",
                tenant, tenant).get(0).get("id");
        env.sql("INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?::uuid, ?::uuid, 0.5, 0)", thread, items.get(0));
        env.startService();
        env.awaitCaughtUp(Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldShowEachCriticalChangeOnBothSidesOrOnNeitherAtEveryInstant() throws Exception {
        String item = items.get(1);
        List<String> outcomes = new ArrayList<>();
        try (BothSidesReader reader = new BothSidesReader(item)) {
            for (int i = 0; i < 20; i++) {
                String level = i % 2 == 0 ? "private" : "project";
                String id = "flip-" + i + "-" + UUID.randomUUID();
                prepare(id, "UPDATE content_items SET access_level = '" + level + "' WHERE id = '" + item + "'::uuid");
                outcomes.add(awaitOutcome(id));
            }
            reader.stopAndCheck();
            assertThat(reader.reads.get()).isGreaterThan(20);
            assertThat(reader.violations).isEmpty();
        }

        assertThat(outcomes).containsOnly("commit");
        assertThat(preparedLeft()).isZero();
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    void shouldRollBackACriticalChangeTheGraphRefusesAndSayWhy() throws Exception {
        String item = items.get(2);
        String id = "refused-" + UUID.randomUUID();
        try (BothSidesReader reader = new BothSidesReader(item)) {
            // 'infinity' has no graph form: the graph cannot hold the row, so neither side may change.
            prepare(id, "UPDATE content_items SET access_level = 'private', updated_at = 'infinity' WHERE id = '" + item + "'::uuid");
            assertThat(awaitOutcome(id)).isEqualTo("rollback");
            reader.stopAndCheck();
            assertThat(reader.graphLevels).as("the graph never served the refused change").doesNotContain("private");
            assertThat(reader.violations).isEmpty();
        }
        try (Connection c = env.connect()) {
            assertThat(accessLevel(c, item)).isEqualTo("project");
        }
        List<Map<String, Object>> row = env.query("SELECT outcome, reason, decided_by FROM nexus_sync.critical_transaction WHERE gid = ?",
                "nexus_sync:" + id);
        assertThat(row).singleElement().satisfies(r -> {
            assertThat(r.get("outcome")).isEqualTo("rollback");
            assertThat((String) r.get("reason")).contains("the graph refused it");
            assertThat(r.get("decided_by")).isEqualTo("stream");
        });
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(env.cypher("MATCH (n:ContentItem {id: $id}) RETURN n.accessLevel AS a", Map.of("id", item)).get(0).get("a").asString())
                .isEqualTo("project");
        assertThat(preparedLeft()).isZero();
        assertThat(env.discrepancies()).isEmpty();
    }

    @Test
    void shouldDeleteCriticallyAndWriteTemporalHistoryOnce() throws Exception {
        String item = items.get(3);
        String id = "delete-" + UUID.randomUUID();
        String moved = "move-" + UUID.randomUUID();
        prepare(moved, "UPDATE thread_content SET position = 7 WHERE thread_id = '" + thread + "'::uuid");
        assertThat(awaitOutcome(moved)).isEqualTo("commit");
        prepare(id, "DELETE FROM content_items WHERE id = '" + item + "'::uuid");
        assertThat(awaitOutcome(id)).isEqualTo("commit");
        env.awaitCaughtUp(Duration.ofSeconds(60));

        assertThat(env.cypher("MATCH (n:ContentItem {id: $id}) RETURN count(n) AS n", Map.of("id", item)).get(0).get("n").asLong()).isZero();
        // The INCLUDES history: the insert's version and the critical update's, each once, although the stream read the
        // update's changes at PREPARE and its COMMIT PREPARED later.
        assertThat(env.cypher("MATCH (:Thread {id: $t})-[r:INCLUDES]->() RETURN count(r) AS n", Map.of("t", thread)).get(0).get("n").asLong())
                .isEqualTo(2);
        assertThat(env.discrepancies()).isEmpty();
    }

    private void prepare(String id, String... statements) throws SQLException {
        try (Connection c = env.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (String sql : statements) {
                st.execute(sql);
            }
            st.execute("PREPARE TRANSACTION 'nexus_sync:" + id + "'");
            c.setAutoCommit(true);
        }
    }

    /** What an application does after its PREPARE: waits until the transaction is no longer prepared, then asks how it ended. */
    private String awaitOutcome(String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!env.query("SELECT 1 FROM pg_prepared_xacts WHERE gid = ?", "nexus_sync:" + id).isEmpty()) {
            assertThat(System.nanoTime()).as("critical write %s still prepared after 30 s", id).isLessThan(deadline);
            Thread.sleep(5);
        }
        List<Map<String, Object>> row = env.query("SELECT outcome FROM nexus_sync.critical_transaction WHERE gid = ?", "nexus_sync:" + id);
        return row.isEmpty() ? "unknown" : (String) row.get(0).get("outcome");
    }

    private long preparedLeft() throws SQLException {
        return ((Number) env.query("SELECT count(*) AS n FROM pg_prepared_xacts WHERE gid LIKE 'nexus\\_sync:%'").get(0).get("n")).longValue();
    }

    private static String accessLevel(Connection c, String item) throws SQLException {
        try (var ps = c.prepareStatement("SELECT access_level FROM content_items WHERE id = ?::uuid")) {
            ps.setString(1, item);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * Polls PostgreSQL (read committed) and then the graph, over and over, for one item. The graph commits a critical write
     * before PostgreSQL does, so whatever version PostgreSQL shows committed, the graph read just after must show too:
     * a graph version below PostgreSQL's is the forbidden instant (PostgreSQL committed, the graph old).
     */
    private final class BothSidesReader implements AutoCloseable {
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicInteger reads = new AtomicInteger();
        final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.Set<String> graphLevels = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final Thread thread;

        BothSidesReader(String item) {
            thread = new Thread(() -> {
                try (Connection c = env.connect(); var ps = c.prepareStatement("SELECT pg_version FROM content_items WHERE id = ?::uuid")) {
                    ps.setString(1, item);
                    while (!done.get()) {
                        long postgres;
                        try (var rs = ps.executeQuery()) {
                            rs.next();
                            postgres = rs.getLong(1);
                        }
                        var node = env.cypher("MATCH (n:ContentItem {id: $id}) RETURN n.pgVersion AS v, n.accessLevel AS a", Map.of("id", item)).get(0);
                        long graph = node.get("v").asLong();
                        graphLevels.add(node.get("a").asString());
                        reads.incrementAndGet();
                        if (graph < postgres) {
                            violations.add("PostgreSQL committed version " + postgres + " while the graph served version " + graph);
                        }
                    }
                } catch (Exception e) {
                    violations.add("reader failed: " + e);
                }
            }, "both-sides-reader");
            thread.start();
        }

        void stopAndCheck() throws InterruptedException {
            done.set(true);
            thread.join();
        }

        @Override
        public void close() throws InterruptedException {
            stopAndCheck();
        }
    }
}
