package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.Subject;
import io.nexussync.core.verify.VerifySource.KeyedRows;
import io.nexussync.core.verify.VerifySource.RowScan;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.verify.PgVerifySource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Verify's reader on the real server: rows come in {@link EntityKeys#ORDER} of their keys whatever the key (uuid, pair
 * of uuids, integer, composite with characters where per-column order and the JSON identity's order part), through a
 * cursor, read by key exactly, and with a position that covers everything the view holds.
 */
class PgVerifySourceIT {
    private static final String OWN_MAPPING = """
            name: verify-source-test
            nodes:
              - table: public.numbered
                label: Numbered
                key: id
              - table: public.stock
                label: Stock
                key: [store, n]
              - table: public.wide
                label: Wide
                key: id
            """;
    private static final TableId CONTENT_ITEMS = new TableId("public", "content_items");
    private static final TableId THREAD_CONTENT = new TableId("public", "thread_content");
    private static final int WIDE_ROWS = 20_000;

    private static SyncEnvironment env;
    private static Mapping contract;
    private static Mapping own;
    private static PgVerifySource contractSource;
    private static PgVerifySource ownSource;

    @BeforeAll
    static void setUp() throws Exception {
        env = SyncEnvironment.create("verify_source");
        env.setup();
        contract = MappingLoader.builtIn();
        own = MappingLoader.parse(new ByteArrayInputStream(OWN_MAPPING.getBytes(StandardCharsets.UTF_8)), "test");
        PgConnectionSource connections = PgConnectionSource.direct(env.config().postgres(), "verify-source-test");
        contractSource = new PgVerifySource(connections, contract);
        ownSource = new PgVerifySource(connections, own);
        try (Connection c = env.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO content_items (tenant_id, project_id, title) "
                    + "SELECT gen_random_uuid(), gen_random_uuid(), 'item ' || g FROM generate_series(1, 1500) g");
            st.execute("INSERT INTO threads (tenant_id, project_id, title) SELECT gen_random_uuid(), gen_random_uuid(), 'thread ' || g "
                    + "FROM generate_series(1, 40) g");
            st.execute("INSERT INTO thread_content (thread_id, content_id, position) SELECT t.id, c.id, 1 FROM threads t "
                    + "CROSS JOIN LATERAL (SELECT id FROM content_items ORDER BY random() LIMIT 15) c");
            st.execute("CREATE TABLE numbered (id integer PRIMARY KEY, name text)");
            st.execute("INSERT INTO numbered SELECT g, 'n' || g FROM generate_series(1, 20) g");
            st.execute("CREATE TABLE stock (store text, n integer, qty integer, PRIMARY KEY (store, n))");
            st.execute("CREATE TABLE wide (id integer PRIMARY KEY, filler text)");
            st.execute("INSERT INTO wide SELECT g, repeat('x', 200) FROM generate_series(1, " + WIDE_ROWS + ") g");
        }
        // Per column, "a" < "a!" < "a#"; as identities ["a!",..] < ["a",..] < ["a#",..] (a quote sorts between ! and #).
        // U+FFFD and U+1F600 are in code point order here, the reverse of their UTF-16 order.
        List<Object[]> stock = List.of(new Object[] {"a", 1}, new Object[] {"a", 10}, new Object[] {"a", 2}, new Object[] {"a!", 5},
                new Object[] {"a#", 3}, new Object[] {"b\"q", 1}, new Object[] {"\uFFFD", 1}, new Object[] {"\uD83D\uDE00", 1},
                new Object[] {"é", 7});
        for (Object[] row : stock) {
            env.sql("INSERT INTO stock VALUES (?, ?, 0)", row[0], row[1]);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        env.close();
    }

    @Test
    void shouldScanTheContractsUuidTablesAndTheirJoinTableInKeyOrder() throws Exception {
        for (Subject subject : Subject.of(contract, null)) {
            List<String> keys = scanKeys(contractSource, subject);
            long rows = (Long) env.query("SELECT count(*) AS n FROM " + subject.table()).get(0).get("n");
            assertThat(keys).as(subject.table() + " in key order").hasSize((int) rows).isSortedAccordingTo(EntityKeys.ORDER);
            assertThat(keys).as(subject.table() + " keys are unique").doesNotHaveDuplicates();
        }
        assertThat(scanKeys(contractSource, subject(contract, THREAD_CONTENT))).hasSize(40 * 15);
    }

    @Test
    void shouldScanIntegerKeysInTheirTextsOrder() {
        List<String> expected = IntStream.rangeClosed(1, 20).mapToObj(Integer::toString).sorted(EntityKeys.ORDER).toList();
        assertThat(expected).startsWith("1", "10", "11");
        assertThat(scanKeys(ownSource, subject(own, new TableId("public", "numbered")))).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldScanCompositeKeysInTheOrderOfTheirJsonIdentity() throws Exception {
        Subject stock = subject(own, new TableId("public", "stock"));
        List<String> keys = scanKeys(ownSource, stock);
        List<String> expected = new ArrayList<>(keys);
        expected.sort(EntityKeys.ORDER);
        assertThat(keys).hasSize(9).containsExactlyElementsOf(expected);
        assertThat(keys.subList(0, 4)).containsExactly("[\"a!\",\"5\"]", "[\"a\",\"1\"]", "[\"a\",\"10\"]", "[\"a\",\"2\"]");
        assertThat(keys).endsWith("[\"é\",\"7\"]", "[\"\uFFFD\",\"1\"]", "[\"\uD83D\uDE00\",\"1\"]");
        // The case the JSON order exists for: ordering column by column would give another order.
        List<String> byColumns = new ArrayList<>();
        for (Map<String, Object> row : env.query("SELECT store, n::text AS n FROM stock ORDER BY store COLLATE \"C\", n::text COLLATE \"C\"")) {
            byColumns.add(EntityKeys.of(stock, Map.of("store", row.get("store"), "n", row.get("n"))));
        }
        assertThat(byColumns).containsExactlyInAnyOrderElementsOf(keys).isNotEqualTo(keys);
    }

    /**
     * The scan reads through a cursor: once the first row is in, the server's session is ended; a scan that had fetched
     * the whole table would go on to its end, a cursor's runs out after at most one fetch.
     */
    @Test
    void shouldStreamAScanAFetchAtATimeRatherThanHoldTheTable() throws Exception {
        PgVerifySource source = new PgVerifySource(PgConnectionSource.direct(env.config().postgres(), "verify-streaming-test"), own);
        int read = 0;
        try (RowScan scan = source.scan(subject(own, new TableId("public", "wide")))) {
            scan.next();
            read++;
            env.query("SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE application_name = 'nexus-sync verify-streaming-test'");
            try {
                while (scan.hasNext()) {
                    scan.next();
                    read++;
                }
            } catch (SyncException expected) {
                assertThat(expected.isRetryable()).as("a lost connection can be retried").isTrue();
            }
        }
        assertThat(read).as("rows the client had when its server session ended").isLessThanOrEqualTo(PgVerifySource.FETCH_SIZE).isLessThan(WIDE_ROWS);
    }

    @Test
    void shouldReadExactlyTheRowsOfTheKeysThatExist() throws Exception {
        Subject items = subject(contract, CONTENT_ITEMS);
        List<String> existing = new ArrayList<>();
        for (Map<String, Object> row : env.query("SELECT id::text AS id FROM content_items ORDER BY random() LIMIT 1200")) {
            existing.add((String) row.get("id"));
        }
        List<String> asked = new ArrayList<>(existing);
        asked.add(UUID.randomUUID().toString());
        asked.add("not-a-uuid");
        asked.add(existing.get(0).toUpperCase());
        KeyedRows rows = contractSource.read(items, asked);
        assertThat(rows.rows()).extracting(row -> EntityKeys.of(items, row)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(existing);
        assertThat(rows.rows().get(0)).as("converted as the stream converts").containsKeys("id", "title", "metadata", "pg_version");

        Subject numbered = subject(own, new TableId("public", "numbered"));
        assertThat(ownSource.read(numbered, List.of("3", "03", "x", "99", "20")).rows()).extracting(row -> EntityKeys.of(numbered, row))
                .containsExactlyInAnyOrder("3", "20");

        Subject stock = subject(own, new TableId("public", "stock"));
        assertThat(ownSource.read(stock, List.of("[\"a!\",\"5\"]", "[\"\uD83D\uDE00\",\"1\"]", "[\"a\",\"99\"]", "[oops", "[\"a\"]", "[\"a\",\"x\"]"))
                .rows()).extracting(row -> EntityKeys.of(stock, row)).containsExactlyInAnyOrder("[\"a!\",\"5\"]", "[\"\uD83D\uDE00\",\"1\"]");

        Subject includes = subject(contract, THREAD_CONTENT);
        List<String> pairs = scanKeys(contractSource, includes).subList(0, 3);
        List<String> askedPairs = new ArrayList<>(pairs);
        askedPairs.add(EntityKeys.pair(UUID.randomUUID().toString(), UUID.randomUUID().toString()));
        askedPairs.add("no pair at all");
        assertThat(contractSource.read(includes, askedPairs).rows()).extracting(row -> EntityKeys.of(includes, row))
                .containsExactlyInAnyOrderElementsOf(pairs);
        assertThat(contractSource.read(includes, List.of()).rows()).isEmpty();
    }

    /** Every transaction the view holds committed before the position; one that commits after the view is not in it. */
    @Test
    void shouldTakeThePositionAfterTheViewSoThatItCoversEveryTransactionInIt() throws Exception {
        Subject numbered = subject(own, new TableId("public", "numbered"));
        Lsn afterLater;
        env.sql("INSERT INTO numbered VALUES (100, 'before')");
        Lsn afterBefore = insertPosition();
        try (RowScan scan = ownSource.scan(numbered); Connection later = env.connect()) {
            later.setAutoCommit(false);
            SyncEnvironment.execute(later, "INSERT INTO numbered VALUES (101, 'after')");
            Lsn beforeLaterCommits = insertPosition(later);
            later.commit();
            afterLater = insertPosition();
            List<String> keys = new ArrayList<>();
            scan.forEachRemaining(row -> keys.add(EntityKeys.of(numbered, row)));
            assertThat(keys).contains("100").doesNotContain("101");
            assertThat(afterBefore).as("the view's transaction committed before the position").isLessThanOrEqualTo(scan.position());
            assertThat(beforeLaterCommits).as("the later transaction commits after the position").isGreaterThanOrEqualTo(scan.position());
        }
        KeyedRows read = ownSource.read(numbered, List.of("100", "101"));
        assertThat(read.rows()).hasSize(2);
        assertThat(read.position()).as("a read's position covers what it read").isGreaterThanOrEqualTo(afterLater);
    }

    @Test
    void shouldEstimateRows() {
        assertThat(ownSource.estimatedRows(subject(own, new TableId("public", "numbered")))).isBetween(20L, 22L);
        assertThat(contractSource.estimatedRows(subject(contract, CONTENT_ITEMS))).isPositive();
    }

    @Test
    void shouldRefuseATableTheMappingDoesNotMap() {
        assertThatThrownBy(() -> contractSource.scan(subject(own, new TableId("public", "numbered")))).isInstanceOf(IllegalArgumentException.class);
    }

    private static Lsn insertPosition() throws Exception {
        try (Connection c = env.connect()) {
            return insertPosition(c);
        }
    }

    private static Lsn insertPosition(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.valueOf(rs.getString(1));
        }
    }

    private static List<String> scanKeys(PgVerifySource source, Subject subject) {
        List<String> keys = new ArrayList<>();
        try (RowScan scan = source.scan(subject)) {
            scan.forEachRemaining(row -> keys.add(EntityKeys.of(subject, row)));
        }
        return keys;
    }

    private static Subject subject(Mapping mapping, TableId table) {
        return Subject.of(mapping, table).get(0);
    }
}
