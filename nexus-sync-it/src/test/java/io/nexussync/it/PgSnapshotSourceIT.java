package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.TableId;
import io.nexussync.core.snapshot.SnapshotSource.RowChunks;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.setup.PgSetup;
import io.nexussync.postgres.snapshot.PgSnapshotSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The snapshot's reader on the real server: a table is read in physical order (the order of its rows' places in the heap,
 * not of their uuid keys), a bounded chunk at a time, every row of the exported view exactly once and as the view holds
 * it, while the table changes under the scan the way the write-back and the application change it (every row updated, so
 * its new version lands on a page of its own or an added one; rows deleted; rows inserted; a vacuum).
 */
class PgSnapshotSourceIT {
    private static final TableId CONTENT_ITEMS = new TableId("public", "content_items");
    private static final int ROWS = 3_000;
    private static final int CHUNK = 250;

    private static SyncEnvironment env;

    @BeforeAll
    static void setUp() throws Exception {
        env = SyncEnvironment.create("snapshot_source");
        env.setup();
        env.sql("INSERT INTO content_items (tenant_id, project_id, title, body) "
                + "SELECT gen_random_uuid(), gen_random_uuid(), 'item ' || g, repeat('b', 200) FROM generate_series(1, " + ROWS + ") g");
    }

    @AfterAll
    static void tearDown() throws Exception {
        env.close();
    }

    @Test
    void shouldReadEveryRowOfTheViewOnceInPhysicalOrderAChunkAtATimeWhileTheTableChanges() throws Exception {
        List<String> physicalOrder = new ArrayList<>();
        Map<String, String> titles = new HashMap<>();
        for (Map<String, Object> row : env.query("SELECT id::text AS id, title FROM content_items ORDER BY ctid")) {
            physicalOrder.add((String) row.get("id"));
            titles.put((String) row.get("id"), (String) row.get("title"));
        }
        // What the test tells apart: uuid keys in physical order are not in key order.
        assertThat(physicalOrder).isNotEqualTo(physicalOrder.stream().sorted().toList());

        PgSetup.dropSlotForSnapshot(env.config().postgres());
        List<String> read = new ArrayList<>();
        List<Integer> chunkSizes = new ArrayList<>();
        try (PgSnapshotSource source = PgSnapshotSource.begin(env.config().postgres(), MappingLoader.builtIn());
             RowChunks rows = source.scan(CONTENT_ITEMS, CHUNK)) {
            boolean changed = false;
            for (List<Map<String, Object>> chunk = rows.next(); !chunk.isEmpty(); chunk = rows.next()) {
                chunkSizes.add(chunk.size());
                for (Map<String, Object> row : chunk) {
                    String id = String.valueOf(row.get("id"));
                    read.add(id);
                    assertThat(row.get("title")).as("the view's value of " + id).isEqualTo(titles.get(id));
                }
                if (!changed) {
                    changeEveryRow();
                    changed = true;
                }
            }
        }
        assertThat(read).containsExactlyElementsOf(physicalOrder);
        assertThat(chunkSizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(CHUNK));
        assertThat(chunkSizes).hasSize((ROWS + CHUNK - 1) / CHUNK);
    }

    /** After the view: every row updated (new versions in other pages), some deleted, more inserted, then vacuumed. */
    private static void changeEveryRow() throws Exception {
        try (Connection c = env.connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE content_items SET title = title || ' changed', body = repeat('c', 300)");
            st.execute("DELETE FROM content_items WHERE id IN (SELECT id FROM content_items ORDER BY ctid DESC LIMIT 100)");
            st.execute("INSERT INTO content_items (tenant_id, project_id, title) "
                    + "SELECT gen_random_uuid(), gen_random_uuid(), 'new ' || g FROM generate_series(1, 500) g");
            st.execute("VACUUM content_items");
        }
    }
}
