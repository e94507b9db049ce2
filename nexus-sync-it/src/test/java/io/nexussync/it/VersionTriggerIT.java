package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TwoPhase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The version trigger on the real server, as setup installs it (no service running: only what
 * PostgreSQL does with the application's UPDATEs). It bumps {@code pg_version} exactly when a column
 * other than the sync columns changes, whatever the column's type and whatever was added after setup;
 * it does not read or store again a large value the UPDATE left alone; a column it names retyped or
 * dropped, or a sync column renamed, never makes the application's UPDATE fail; and catalog names holding
 * dollar tags stay names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class VersionTriggerIT {
    private SyncEnvironment env;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("version_trigger");
        // A stored generated column known at setup: NULL in NEW until after BEFORE triggers.
        env.sql("CREATE TABLE IF NOT EXISTS public.content_items (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL, "
                + "project_id uuid NOT NULL, title text NOT NULL, body text, content_type text NOT NULL DEFAULT 'document', "
                + "metadata jsonb NOT NULL DEFAULT '{}', access_level text NOT NULL DEFAULT 'project', view_count bigint NOT NULL DEFAULT 0, "
                + "created_by uuid, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), "
                + "title_length integer GENERATED ALWAYS AS (length(title)) STORED)");
        env.setup();
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldBumpOnAChangeOfAJsonXmlOrPointColumnAddedAfterSetupButNotOnTheSameValueOrAWriteBack() throws Exception {
        env.sql("ALTER TABLE content_items ADD COLUMN doc json, ADD COLUMN page xml, ADD COLUMN spot point, ADD COLUMN amount numeric");
        UUID id = insert("types");
        env.sql("UPDATE content_items SET doc = '{\"a\": 1}', page = '<p>one</p>', spot = '(1,2)', amount = 1.0 WHERE id = ?", id);
        assertThat(version(id)).isEqualTo(2);

        env.sql("UPDATE content_items SET doc = '{\"a\": 1}', page = '<p>one</p>', spot = '(1,2)' WHERE id = ?", id);
        assertThat(version(id)).as("the same json, xml and point").isEqualTo(2);
        env.sql("UPDATE content_items SET doc = '{\"a\": 2}' WHERE id = ?", id);
        assertThat(version(id)).as("json changed").isEqualTo(3);
        env.sql("UPDATE content_items SET page = '<p>two</p>' WHERE id = ?", id);
        assertThat(version(id)).as("xml changed").isEqualTo(4);
        env.sql("UPDATE content_items SET spot = '(1,3)' WHERE id = ?", id);
        assertThat(version(id)).as("point changed").isEqualTo(5);
        // The graph stores a numeric as its text: 1.00 is a new graph value, so it is a change.
        env.sql("UPDATE content_items SET amount = 1.00 WHERE id = ?", id);
        assertThat(version(id)).as("1.0 to 1.00").isEqualTo(6);
        // One jsonb spelt two ways is one value, and one graph value.
        env.sql("UPDATE content_items SET metadata = '{\"b\": 2, \"a\": 1}' WHERE id = ?", id);
        env.sql("UPDATE content_items SET metadata = '{\"a\":1,\"b\":2}' WHERE id = ?", id);
        assertThat(version(id)).as("one jsonb spelt twice").isEqualTo(7);

        env.sql("UPDATE content_items SET neo4j_node_id = 'element', neo4j_version = 3 WHERE id = ?", id);
        assertThat(version(id)).as("a write-back").isEqualTo(7);
        env.sql("UPDATE content_items SET pg_version = 100 WHERE id = ?", id);
        assertThat(version(id)).as("the version column set by hand").isEqualTo(7);
    }

    @Test
    void shouldNeitherReadNorStoreAgainAnUntouchedOneMegabyteValue() throws Exception {
        UUID id = insert("toasted");
        // Hex digits of md5 do not compress: the value is stored out of line, 1 MiB of it.
        env.sql("UPDATE content_items SET body = (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 32768) g) WHERE id = ?", id);
        assertThat(version(id)).isEqualTo(2);
        long chunk = chunkId(id);

        try (Connection application = env.connect()) {
            application.setAutoCommit(false);
            long read = toastBlocksRead(application);
            update(application, "UPDATE content_items SET view_count = view_count + 1 WHERE id = ?", id);
            update(application, "UPDATE content_items SET title = title WHERE id = ?", id);
            update(application, "UPDATE content_items SET neo4j_node_id = 'element', neo4j_version = 1 WHERE id = ?", id);
            assertThat(toastBlocksRead(application) - read).as("TOAST blocks read by three UPDATEs that left body alone").isZero();
            application.commit();
        }
        assertThat(version(id)).as("bumped by the view count only").isEqualTo(3);
        assertThat(chunkId(id)).as("body's TOAST value, not stored again").isEqualTo(chunk);

        env.sql("UPDATE content_items SET body = body || '' WHERE id = ?", id);
        assertThat(version(id)).as("body set to an equal value").isEqualTo(3);
        env.sql("UPDATE content_items SET body = left(body, -1) || 'x' WHERE id = ?", id);
        assertThat(version(id)).as("body's last character changed").isEqualTo(4);
        env.sql("UPDATE content_items SET body = body || 'y' WHERE id = ?", id);
        assertThat(version(id)).as("body one character longer").isEqualTo(5);
    }

    @Test
    void shouldNotCountAStoredGeneratedColumnAsAChange() throws Exception {
        UUID id = insert("generated");
        env.sql("UPDATE content_items SET title = title, neo4j_node_id = 'element' WHERE id = ?", id);
        assertThat(version(id)).as("a write-back on a table with a generated column").isEqualTo(1);
        env.sql("UPDATE content_items SET title = 'generated, longer' WHERE id = ?", id);
        assertThat(version(id)).isEqualTo(2);
    }

    @Test
    void shouldKeepTheApplicationsUpdatesWorkingWhenAColumnTheTriggerNamesIsRetypedThenDropped() throws Exception {
        UUID thread = UUID.randomUUID();
        UUID message = UUID.randomUUID();
        env.sql("INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'thread')", thread, thread, thread);
        env.sql("INSERT INTO messages (id, thread_id, tenant_id, role, body) VALUES (?, ?, ?, 'user', 'hello')", message, thread, thread);
        try (Connection application = env.connect()) {
            // body is text, so the trigger names it (its length and TOAST pointer); this session caches those plans.
            update(application, "UPDATE messages SET body = 'hello again' WHERE id = ?", message);
            assertThat(messageVersion(message)).isEqualTo(2);

            env.sql("ALTER TABLE messages ALTER COLUMN body TYPE jsonb USING to_jsonb(body)");
            update(application, "UPDATE messages SET body = '\"retyped\"' WHERE id = ?", message);
            assertThat(messageVersion(message)).as("after body became jsonb").isEqualTo(3);
            update(application, "UPDATE messages SET role = role WHERE id = ?", message);
            assertThat(messageVersion(message)).as("no change after the retype").isEqualTo(3);

            env.sql("ALTER TABLE messages DROP COLUMN body");
            update(application, "UPDATE messages SET token_count = 5 WHERE id = ?", message);
            assertThat(messageVersion(message)).as("after body was dropped").isEqualTo(4);
            update(application, "UPDATE messages SET neo4j_node_id = 'element' WHERE id = ?", message);
            assertThat(messageVersion(message)).as("a write-back after the drop").isEqualTo(4);
        }
    }

    @Test
    void shouldRefuseToDropASyncColumnAndLeaveTheRowAsWrittenWhenOneIsRenamed() throws Exception {
        UUID tag = UUID.randomUUID();
        env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'tag')", tag, tag);
        assertThatThrownBy(() -> env.sql("ALTER TABLE tags DROP COLUMN neo4j_version"))
                .hasMessageContaining("trigger nexus_sync_bump_version on table tags depends on column neo4j_version");
        assertThatThrownBy(() -> env.sql("ALTER TABLE tags ALTER COLUMN pg_version TYPE numeric"))
                .hasMessageContaining("used in a trigger definition");

        env.sql("ALTER TABLE tags RENAME COLUMN neo4j_node_id TO element_id");
        try (Connection application = env.connect(); PreparedStatement ps = application.prepareStatement("UPDATE tags SET name = 'renamed' WHERE id = ?")) {
            ps.setObject(1, tag);
            assertThat(ps.executeUpdate()).isEqualTo(1);
            String warning = ps.getWarnings() == null ? null : ps.getWarnings().getMessage();
            assertThat(warning).as("the warning the application's UPDATE got").contains("nexus-sync: the version of a row of public.tags was not bumped", "run nexus-sync setup");
        } finally {
            env.sql("ALTER TABLE tags RENAME COLUMN element_id TO neo4j_node_id");
        }
        assertThat(env.query("SELECT name, pg_version FROM tags WHERE id = ?", tag).get(0)).containsEntry("name", "renamed").containsEntry("pg_version", 1L);
        env.sql("UPDATE tags SET name = 'back' WHERE id = ?", tag);
        assertThat(env.query("SELECT pg_version FROM tags WHERE id = ?", tag).get(0)).containsEntry("pg_version", 2L);
    }

    @Test
    void shouldKeepDollarTagsInCatalogNamesAsNames() throws Exception {
        // A mapping allows $ in table and column names; the trigger reads every column, mapped or not.
        String table = "\"odd$fn$items\"";
        String evil = "\"note$fn$;CREATE TABLE injected_by_a_name();SELECT $fn$\"";
        String version = "\"version$fn$\"";
        env.sql("CREATE TABLE " + table + " (id uuid PRIMARY KEY, " + evil + " text, \"x$nexus_sync$y\" text)");
        Path mapping = Files.createTempFile("odd-mapping", ".yaml");
        Files.writeString(mapping, "name: odd\nnodes:\n  - table: public.odd$fn$items\n    label: OddItem\n    key: id\n"
                + "    version: version$fn$\n    crossReference: xref$nexus_sync$\n");
        env.environment().put("NEXUS_SYNC_MAPPING", mapping.toString());
        try {
            env.setup();
        } finally {
            env.environment().remove("NEXUS_SYNC_MAPPING");
        }

        assertThat(env.query("SELECT to_regclass('public.injected_by_a_name') IS NULL AS absent").get(0)).containsEntry("absent", true);
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO " + table + " (id, " + evil + ") VALUES (?, 'a')", id);
        env.sql("UPDATE " + table + " SET " + evil + " = 'a' WHERE id = ?", id);
        env.sql("UPDATE " + table + " SET \"xref$nexus_sync$\" = 'element' WHERE id = ?", id);
        assertThat(env.query("SELECT " + version + " AS v FROM " + table + " WHERE id = ?", id).get(0)).containsEntry("v", 1L);
        env.sql("UPDATE " + table + " SET \"x$nexus_sync$y\" = 'b' WHERE id = ?", id);
        env.sql("UPDATE " + table + " SET " + evil + " = 'c' WHERE id = ?", id);
        assertThat(env.query("SELECT " + version + " AS v FROM " + table + " WHERE id = ?", id).get(0)).containsEntry("v", 3L);
    }

    /**
     * Setup runs at every start of the service, and a transaction that wrote a mapped table holds it until it ends: a
     * prepared one until its COMMIT PREPARED, which for a critical write only the service runs. Setup leaves a trigger
     * that is as it would write it alone, so it takes no lock that waits for such a transaction.
     */
    @Test
    void shouldRunSetupAgainWithoutWaitingForAPreparedTransactionThatWroteAMappedTable() throws Exception {
        env.setup();
        UUID id = UUID.randomUUID();
        TwoPhase.prepare(env, "app:holds-content-items", "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'held')",
                id, id, id);
        try {
            assertThat(CompletableFuture.runAsync(env::setup)).as("setup while the prepared transaction holds content_items")
                    .succeedsWithin(Duration.ofSeconds(30));
        } finally {
            TwoPhase.rollbackLeftovers(env, "app:holds");
        }
        env.sql("DROP TRIGGER nexus_sync_bump_version ON content_items");
        env.setup();
        UUID again = insert("trigger installed again");
        env.sql("UPDATE content_items SET title = 'changed' WHERE id = ?", again);
        assertThat(version(again)).as("a missing trigger is installed again").isEqualTo(2);
    }

    private UUID insert(String title) throws SQLException {
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, ?)", id, id, id, title);
        return id;
    }

    private long version(UUID id) throws SQLException {
        return (Long) env.query("SELECT pg_version FROM content_items WHERE id = ?", id).get(0).get("pg_version");
    }

    private long messageVersion(UUID id) throws SQLException {
        return (Long) env.query("SELECT pg_version FROM messages WHERE id = ?", id).get(0).get("pg_version");
    }

    private long chunkId(UUID id) throws SQLException {
        Object chunk = env.query("SELECT pg_column_toast_chunk_id(body)::bigint AS chunk FROM content_items WHERE id = ?", id).get(0).get("chunk");
        assertThat(chunk).as("body stored out of line").isNotNull();
        return (Long) chunk;
    }

    private static void update(Connection c, String sql, UUID id) throws SQLException {
        assertThat(SyncEnvironment.execute(c, sql, id)).isEqualTo(1);
    }

    /** The blocks of content_items' TOAST table this transaction has asked for, from the buffer cache or the disk. */
    private static long toastBlocksRead(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_stat_get_xact_blocks_fetched(reltoastrelid) FROM pg_class WHERE oid = 'content_items'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
