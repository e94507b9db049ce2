package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.deadletter.DeadLetter;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import io.nexussync.postgres.deadletter.PgDeadLetterStore;
import io.nexussync.postgres.pgoutput.ValueConverter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The revert of refused changes on the real database, at the dead-letter store: the change images are what pgoutput sends
 * under REPLICA IDENTITY FULL (each column's output text through the stream's converter), the refusal is the store being
 * told of it. A refused UPDATE gets its previous row back and a refused DELETE its row, exactly, for every column type the
 * converter knows; nothing is put back over a row changed since, nor without an old image, nor a revert's own change
 * refused in its turn; and a row another transaction holds (a prepared one) costs the revert a short wait, not the
 * pipeline's progress: each leaves the row marked failed with the reason in the transaction log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DeadLetterRevertIT {
    private static final TableId CONTENT_ITEMS = new TableId("public", "content_items");
    private static final TableId TYPED = new TableId("public", "typed_rows");
    private final AtomicLong positions = new AtomicLong(0x10000);
    private SyncEnvironment env;
    private PgDeadLetterStore store;
    private DeadLetterQueue queue;

    @BeforeAll
    void setUp() throws Exception {
        env = SyncEnvironment.create("dead_letter_revert_store");
        env.environment().put("NEXUS_SYNC_REVERT_REFUSED", "public.content_items");
        env.setup();
        env.sql("CREATE TABLE typed_rows (id int PRIMARY KEY, b bool, by bytea, i2 smallint, i4 int, i8 bigint, f4 real, f8 float8, "
                + "n numeric(24, 6), t text, vc varchar(20), bp char(4), d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, "
                + "j json, jb jsonb, u uuid, ia int[], ta text[], iv interval, ip inet, g int GENERATED ALWAYS AS (i4 * 2) STORED)");
        env.sql("ALTER TABLE typed_rows REPLICA IDENTITY FULL");
        store = new PgDeadLetterStore(PgConnectionSource.direct(env.config().postgres(), "test"), Set.of(CONTENT_ITEMS, TYPED),
                MappingLoader.builtIn());
        queue = new DeadLetterQueue(env.config().postgres());
    }

    @AfterAll
    void tearDown() throws Exception {
        env.close();
    }

    @Test
    void shouldRestoreThePreviousRowOfARefusedUpdate() throws Exception {
        UUID id = item("before");
        Map<String, Object> before = image(CONTENT_ITEMS, id);
        env.sql("UPDATE content_items SET title = 'refused', access_level = 'public', metadata = '{\"k\": [1, 2]}' WHERE id = ?", id);
        Map<String, Object> refused = image(CONTENT_ITEMS, id);

        long letter = refuse(new RowChange.Update(CONTENT_ITEMS, before, refused), id);

        Map<String, Object> now = image(CONTENT_ITEMS, id);
        assertThat(now).as("every column as before but the row version, which moves on").containsAllEntriesOf(without(before, "pg_version"));
        assertThat(now.get("pg_version")).isEqualTo(3L);
        assertThat(queue.show(letter).status()).isEqualTo("reverted");
        assertThat(resolution(letter)).contains("the previous row restored").contains("title").contains("access_level");
        assertThat(syncStatus(id)).isEqualTo("reverted");
        assertThat(compensationLog(id)).singleElement().satisfies(row -> {
            assertThat(row.get("status")).isEqualTo("reverted");
            assertThat((String) row.get("change_data")).contains("\"operation\":\"update\"").contains("refused");
            assertThat((String) row.get("reason")).contains("dead letter #" + letter).contains("the previous row restored");
        });
    }

    @Test
    void shouldLeaveARowThatChangedSinceTheRefusedUpdateMarkedFailed() throws Exception {
        UUID id = item("before");
        Map<String, Object> before = image(CONTENT_ITEMS, id);
        env.sql("UPDATE content_items SET title = 'refused' WHERE id = ?", id);
        Map<String, Object> refused = image(CONTENT_ITEMS, id);
        env.sql("UPDATE content_items SET body = 'written after it' WHERE id = ?", id);

        long letter = refuse(new RowChange.Update(CONTENT_ITEMS, before, refused), id);

        assertThat(env.query("SELECT title, body FROM content_items WHERE id = ?", id).get(0))
                .containsEntry("title", "refused").containsEntry("body", "written after it");
        assertThat(queue.show(letter).status()).isEqualTo("open");
        assertThat(syncStatus(id)).isEqualTo("failed");
        assertThat(compensationLog(id)).singleElement().satisfies(row -> {
            assertThat(row.get("status")).isEqualTo("failed");
            assertThat((String) row.get("error")).contains("changed after the refused update").contains("body");
        });
    }

    @Test
    void shouldNotRevertAnUpdateWithoutAnOldImage() throws Exception {
        UUID id = item("before");
        env.sql("UPDATE content_items SET title = 'refused' WHERE id = ?", id);

        long letter = refuse(new RowChange.Update(CONTENT_ITEMS, null, image(CONTENT_ITEMS, id)), id);

        assertThat(env.query("SELECT title FROM content_items WHERE id = ?", id).get(0)).containsEntry("title", "refused");
        assertThat(queue.show(letter).status()).isEqualTo("open");
        assertThat(compensationLog(id)).singleElement().satisfies(row -> assertThat((String) row.get("error"))
                .contains("no old row image").contains("REPLICA IDENTITY FULL"));
    }

    @Test
    void shouldNotRevertTheRevertsOwnChangeWhenTheGraphRefusesItInItsTurn() throws Exception {
        UUID id = item("before");
        Map<String, Object> before = image(CONTENT_ITEMS, id);
        env.sql("UPDATE content_items SET title = 'refused' WHERE id = ?", id);
        Map<String, Object> refused = image(CONTENT_ITEMS, id);
        long first = refuse(new RowChange.Update(CONTENT_ITEMS, before, refused), id);
        Map<String, Object> restored = image(CONTENT_ITEMS, id);

        long second = refuse(new RowChange.Update(CONTENT_ITEMS, refused, restored), id);

        assertThat(env.query("SELECT title FROM content_items WHERE id = ?", id).get(0)).containsEntry("title", "before");
        assertThat(queue.show(first).status()).isEqualTo("reverted");
        assertThat(queue.show(second).status()).isEqualTo("open");
        assertThat(compensationLog(id)).extracting(row -> row.get("status")).containsExactly("reverted", "failed");
        assertThat((String) compensationLog(id).get(1).get("error")).contains("is the revert of dead letter #" + first + " itself");
    }

    @Test
    void shouldInsertTheRowOfARefusedDeleteAgainUnlessItsKeyIsTakenSince() throws Exception {
        UUID id = item("deleted");
        Map<String, Object> before = image(CONTENT_ITEMS, id);
        env.sql("DELETE FROM content_items WHERE id = ?", id);

        long letter = refuse(new RowChange.Delete(CONTENT_ITEMS, before), id);

        assertThat(image(CONTENT_ITEMS, id)).isEqualTo(before);
        assertThat(queue.show(letter).status()).isEqualTo("reverted");
        assertThat(resolution(letter)).contains("the deleted row inserted again");
        assertThat(compensationLog(id)).singleElement().satisfies(row -> assertThat(row.get("status")).isEqualTo("reverted"));

        UUID taken = item("deleted");
        Map<String, Object> deleted = image(CONTENT_ITEMS, taken);
        env.sql("DELETE FROM content_items WHERE id = ?", taken);
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'inserted after')", taken, taken, taken);

        long stale = refuse(new RowChange.Delete(CONTENT_ITEMS, deleted), taken);

        assertThat(env.query("SELECT title FROM content_items WHERE id = ?", taken).get(0)).containsEntry("title", "inserted after");
        assertThat(queue.show(stale).status()).isEqualTo("open");
        assertThat((String) compensationLog(taken).get(0).get("error")).contains("inserted after the refused delete");
    }

    @Test
    void shouldPutBackEveryColumnTypeExactly() throws Exception {
        env.sql("INSERT INTO typed_rows VALUES (1, true, '\\x00ff', 1, 2, 3, 1.1, 2.2, 123456789012345678.123456, 'a \"b\" \\ c', 'vc', 'bp', "
                + "'0044-03-15 BC', '24:00:00', '10:00:00-03:30', '2024-01-02 03:04:05.678901', '2024-01-02 03:04:05.678901+05:30', "
                + "'{ \"b\" : 1,\"a\":[ 1 ] }', '{\"b\": 1, \"a\": [1]}', gen_random_uuid(), '{{1,2},{3,NULL}}', '{\"x,y\",NULL,\"q\\\"\"}', "
                + "'1 year 2 mons 3 days 04:05:06.7', '10.0.0.1/8', DEFAULT)");
        Map<String, Object> before = image(TYPED, 1);
        env.sql("UPDATE typed_rows SET b = false, by = NULL, i2 = 9, i4 = 9, i8 = 9, f4 = 9, f8 = 9, n = 9, t = 'z', vc = 'z', bp = 'z', "
                + "d = now(), tm = now(), ttz = now(), ts = now(), tstz = now(), j = '{}', jb = '{}', u = gen_random_uuid(), ia = '{}', "
                + "ta = '{}', iv = '1 day', ip = '::1' WHERE id = 1");

        refuse(new RowChange.Update(TYPED, before, image(TYPED, 1)), 1);
        assertThat(comparable(image(TYPED, 1))).isEqualTo(comparable(before));
        assertThat(resolution(lastLetter())).contains("the previous row restored").doesNotContain("not exactly");

        env.sql("DELETE FROM typed_rows WHERE id = 1");
        refuse(new RowChange.Delete(TYPED, before), 1);
        assertThat(comparable(image(TYPED, 1))).isEqualTo(comparable(before));
        assertThat(resolution(lastLetter())).contains("the deleted row inserted again").doesNotContain("not exactly");
        assertThat(env.query("SELECT j::text AS j, iv::text AS iv, ip::text AS ip, g FROM typed_rows WHERE id = 1").get(0))
                .containsEntry("iv", "1 year 2 mons 3 days 04:05:06.7").containsEntry("ip", "10.0.0.1/8").containsEntry("g", 4);
    }

    @Test
    void shouldNotWaitForARowThatAPreparedTransactionHoldsAndLeaveItMarkedFailed() throws Exception {
        UUID id = item("before");
        Map<String, Object> before = image(CONTENT_ITEMS, id);
        env.sql("UPDATE content_items SET title = 'refused' WHERE id = ?", id);
        Map<String, Object> refused = image(CONTENT_ITEMS, id);
        String gid = "it-revert-lock-" + id;
        try (Connection holder = env.connect(); var st = holder.createStatement()) {
            st.execute("BEGIN; UPDATE content_items SET view_count = view_count + 1 WHERE id = '" + id + "'; PREPARE TRANSACTION '" + gid + "'");
        }
        try {
            long started = System.nanoTime();
            CompletableFuture<Long> recorded = CompletableFuture.supplyAsync(() -> {
                try {
                    return refuse(new RowChange.Update(CONTENT_ITEMS, before, refused), id);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long letter = recorded.get(30, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a short lock wait, not the prepared transaction's life")
                    .isLessThan(Duration.ofSeconds(10));

            assertThat(env.query("SELECT title FROM content_items WHERE id = ?", id).get(0)).containsEntry("title", "refused");
            assertThat(queue.show(letter).status()).isEqualTo("open");
            assertThat(syncStatus(id)).isEqualTo("failed");
            assertThat((String) compensationLog(id).get(0).get("error")).contains("locked by another transaction");
        } finally {
            env.sql("ROLLBACK PREPARED '" + gid + "'");
        }
    }

    private UUID item(String title) throws Exception {
        UUID id = UUID.randomUUID();
        // A large body: the images carry it whole.
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, body) VALUES (?, ?, ?, ?, repeat(md5(?::text), 300))",
                id, id, id, title, id.toString());
        return id;
    }

    private long refuse(RowChange change, Object key) throws Exception {
        return store.record(new DeadLetter(new Position(Lsn.of(positions.addAndGet(0x100)), 0), change, Set.of("N\u0000Row\u0000" + key),
                "refused by the test", 0));
    }

    private String syncStatus(UUID id) throws Exception {
        return (String) env.query("SELECT sync_status FROM nexus_sync.sync_status WHERE entity_key = ?", "id=" + id).get(0).get("sync_status");
    }

    private List<Map<String, Object>> compensationLog(UUID id) throws Exception {
        return env.query("SELECT status, change_data, reason, error FROM nexus_sync.transaction_log WHERE operation = 'compensation' "
                + "AND entity_pg = ? ORDER BY id", "public.content_items id=" + id);
    }

    private static Map<String, Object> without(Map<String, Object> row, String column) {
        Map<String, Object> rest = new LinkedHashMap<>(row);
        rest.remove(column);
        return rest;
    }

    /** The row as pgoutput sends it: every column but the generated ones, each its output text through the stream's converter. */
    private Map<String, Object> image(TableId table, Object key) throws Exception {
        try (Connection c = env.connect()) {
            List<String> names = new ArrayList<>();
            List<Integer> types = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = ?::regclass "
                    + "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum")) {
                ps.setString(1, table.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                        types.add(rs.getInt(2));
                    }
                }
            }
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < names.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("CASE WHEN num_nulls(\"").append(names.get(i)).append("\") = 1 THEN NULL ELSE format('%s', \"")
                        .append(names.get(i)).append("\") END");
            }
            sql.append(" FROM ").append(table).append(" WHERE id = ?");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setObject(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 0; i < names.size(); i++) {
                        row.put(names.get(i), ValueConverter.fromText(types.get(i), rs.getString(i + 1)));
                    }
                    return row;
                }
            }
        }
    }

    /** byte[] compares by identity: as a list of its bytes, an assertion compares it by value. */
    private static Map<String, Object> comparable(Map<String, Object> row) {
        Map<String, Object> comparable = new LinkedHashMap<>(row);
        comparable.replaceAll((column, value) -> {
            if (value instanceof byte[] bytes) {
                List<Byte> list = new ArrayList<>();
                for (byte b : bytes) {
                    list.add(b);
                }
                return list;
            }
            return value;
        });
        return comparable;
    }

    private long lastLetter() throws Exception {
        return (Long) env.query("SELECT max(id) AS id FROM nexus_sync.dead_letter").get(0).get("id");
    }

    private String resolution(long letter) throws Exception {
        return (String) env.query("SELECT resolution FROM nexus_sync.dead_letter WHERE id = ?", letter).get(0).get("resolution");
    }
}
