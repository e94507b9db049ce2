package io.nexussync.postgres.verify;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.Subject;
import io.nexussync.core.verify.VerifySource;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.snapshot.ChunkReader;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verify's reader of the mapped tables. A scan is one REPEATABLE READ, read-only transaction on a connection of its
 * own, read through a server-side cursor ({@link #FETCH_SIZE} rows at a time, so memory does not grow with the table),
 * ordered by the entity key in {@link EntityKeys#ORDER}: a node table by its identity, a join table by its from
 * identity, then its to identity. Values are read as text and converted by {@link ChunkReader#convert}, as the stream
 * and the snapshot convert them.
 *
 * <p>The order is built in SQL so that PostgreSQL's order is the key string's code point order: a key's text under
 * {@code COLLATE "C"} (UTF-8 byte order is code point order); a composite key as the exact JSON array text
 * {@link io.nexussync.core.mapping.NodeIdentity} makes; a single uuid column by the uuid itself, whose byte order is the
 * order of its lower-case text, so that the planner may walk the primary key index (the first row comes at once) or
 * sort 16-byte values rather than 36-character texts. Where a type's text form differs from the
 * converted value's (a timestamp key, say), the orders may differ on some rows: verify re-reads such suspects by key,
 * so that costs time, never a wrong answer.
 */
public final class PgVerifySource implements VerifySource {
    /** Rows per round trip of a scan's cursor: what the client holds of a table at most. */
    public static final int FETCH_SIZE = 2_000;
    /** Keys per statement when reading by key. */
    public static final int KEYS_PER_STATEMENT = 1_000;
    private static final int UUID_OID = 2950;
    private static final String ROW = "verified";

    private final PgConnectionSource connections;
    private final Mapping mapping;

    public PgVerifySource(PgConnectionSource connections, Mapping mapping) {
        this.connections = connections;
        this.mapping = mapping;
    }

    @Override
    public RowScan scan(Subject subject) {
        TableId table = mapped(subject);
        Connection c = null;
        try {
            c = connections.connection();
            beginView(c);
            Lsn position = viewPosition(c);
            TableLayout layout = TableLayout.read(c, table, keyColumns(subject));
            PreparedStatement statement = c.prepareStatement(select(layout) + " ORDER BY " + keyOrder(subject, layout),
                    ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            statement.setFetchSize(FETCH_SIZE);
            ResultSet rows = statement.executeQuery();
            return new Scan(c, statement, rows, layout, position);
        } catch (SQLException e) {
            end(c);
            throw PgErrors.translate("reading " + table + " for verify", connections.settings(), e);
        } catch (RuntimeException e) {
            end(c);
            throw e;
        }
    }

    @Override
    public KeyedRows read(Subject subject, Collection<String> keys) {
        TableId table = mapped(subject);
        List<String> columns = keyColumns(subject);
        // Keys the graph holds need not be keys the table could hold (a stray node's pgId): those name no row.
        List<Map<String, Object>> wanted = new ArrayList<>();
        Set<String> asked = new HashSet<>();
        for (String key : keys) {
            Map<String, Object> values = keyValues(subject, key);
            if (values != null && asked.add(key)) {
                wanted.add(values);
            }
        }
        try (Connection c = connections.connection()) {
            try {
                beginView(c);
                Lsn position = viewPosition(c);
                ChunkReader.preferCustomPlansInTransaction(c);
                TableLayout layout = TableLayout.read(c, table, columns);
                List<Map<String, Object>> rows = new ArrayList<>();
                Set<String> returned = new HashSet<>();
                for (int from = 0; from < wanted.size(); from += KEYS_PER_STATEMENT) {
                    List<Map<String, Object>> batch = wanted.subList(from, Math.min(wanted.size(), from + KEYS_PER_STATEMENT));
                    for (Map<String, Object> row : readBatch(c, subject, layout, columns, batch)) {
                        // A key the cast made canonical ("0042", an upper-case uuid) names no row: its row has another key
                        // (and may come in another batch too, by its own key).
                        String key = EntityKeys.of(subject, row);
                        if (asked.contains(key) && returned.add(key)) {
                            rows.add(row);
                        }
                    }
                }
                return new KeyedRows(rows, position);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw PgErrors.translate("reading rows of " + table + " by key for verify", connections.settings(), e);
        }
    }

    @Override
    public long estimatedRows(Subject subject) {
        TableId table = mapped(subject);
        try (Connection c = connections.connection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = CAST(? AS regclass)")) {
                ps.setString(1, quote(table));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getLong(1) >= 0) {
                        return rs.getLong(1);
                    }
                }
            }
            // Never vacuumed nor analysed: the planner does not know yet.
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quote(table))) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw PgErrors.translate("estimating the rows of " + table, connections.settings(), e);
        }
    }

    private TableId mapped(Subject subject) {
        TableId table = subject.table();
        boolean known = subject.match(nodes -> mapping.node(table).isPresent(), relationships -> mapping.relationship(table).isPresent());
        if (!known) {
            throw new IllegalArgumentException(table + " is not mapped as " + subject.graphName());
        }
        return table;
    }

    private static List<String> keyColumns(Subject subject) {
        return subject.match(nodes -> nodes.mapping().keyColumns(), relationships -> relationships.mapping().keyColumns());
    }

    /** The key's column values, or null when the key cannot name a row of this subject (it does not decode). */
    private static Map<String, Object> keyValues(Subject subject, String key) {
        try {
            return EntityKeys.keyValues(subject, key);
        } catch (IllegalArgumentException notAKeyOfThisTable) {
            return null;
        }
    }

    private static void beginView(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
    }

    /**
     * The transaction's first statement: it takes the view, then reads the WAL insert position, so every transaction
     * the view holds committed before that position.
     */
    private static Lsn viewPosition(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.valueOf(rs.getString(1));
        }
    }

    /** Every column as text, from the table under the alias {@link #ROW}. */
    private static String select(TableLayout layout) {
        return "SELECT " + layout.columns().keySet().stream().map(column -> column(column) + "::text").collect(Collectors.joining(", "))
                + " FROM " + quote(layout.table()) + " AS " + ROW;
    }

    /**
     * A column of the table, qualified: in ORDER BY a bare name means the output column of that name first, which is
     * the column's text under the database's collation, not the column.
     */
    private static String column(String name) {
        return ROW + "." + quote(name);
    }

    /** ORDER BY terms that sort the rows in {@link EntityKeys#ORDER} of their keys. */
    static String keyOrder(Subject subject, TableLayout layout) {
        // A pair is from + NUL + to, and NUL sorts before every character: by from identity, then to identity.
        return subject.match(nodes -> identityOrder(layout, nodes.mapping().keyColumns()),
                relationships -> identityOrder(layout, relationships.mapping().from().columns()) + ", "
                        + identityOrder(layout, relationships.mapping().to().columns()));
    }

    private static String identityOrder(TableLayout layout, List<String> columns) {
        if (columns.size() == 1) {
            String column = columns.get(0);
            return layout.column(column).typeOid() == UUID_OID ? column(column) : column(column) + "::text COLLATE \"C\"";
        }
        // NodeIdentity's compact JSON array: ["7","A-100"].
        return "('[' || " + columns.stream().map(column -> "to_json(" + column(column) + "::text)::text").collect(Collectors.joining(" || ',' || "))
                + " || ']') COLLATE \"C\"";
    }

    /**
     * One statement for up to {@link #KEYS_PER_STATEMENT} keys. A key whose text the column's type refuses (a stray node's
     * pgId that is no uuid) names no row; PostgreSQL refuses the whole statement for it, so then the batch is read key by
     * key, each under a savepoint that keeps the view.
     */
    private List<Map<String, Object>> readBatch(Connection c, Subject subject, TableLayout layout, List<String> columns,
                                                List<Map<String, Object>> batch) throws SQLException {
        Savepoint beforeBatch = c.setSavepoint();
        try {
            List<Map<String, Object>> rows = readKeys(c, subject, layout, columns, batch);
            c.releaseSavepoint(beforeBatch);
            return rows;
        } catch (SQLException e) {
            if (!refusedValue(e)) {
                throw e;
            }
            c.rollback(beforeBatch);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> key : batch) {
            Savepoint beforeKey = c.setSavepoint();
            try {
                rows.addAll(readKeys(c, subject, layout, columns, List.of(key)));
                c.releaseSavepoint(beforeKey);
            } catch (SQLException e) {
                if (!refusedValue(e)) {
                    throw e;
                }
                c.rollback(beforeKey);
            }
        }
        return rows;
    }

    /** Class 22, data exception: the text is no value of the column's type (or out of its range). */
    private static boolean refusedValue(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("22");
    }

    private static List<Map<String, Object>> readKeys(Connection c, Subject subject, TableLayout layout, List<String> columns,
                                                      List<Map<String, Object>> keys) throws SQLException {
        String tuple = columns.stream().map(PgVerifySource::column).collect(Collectors.joining(", "));
        String arrays = columns.stream().map(column -> "CAST(? AS " + layout.column(column).sqlType() + "[])").collect(Collectors.joining(", "));
        String sql = select(layout) + " WHERE (" + tuple + ") IN (SELECT * FROM unnest(" + arrays + ")) ORDER BY " + keyOrder(subject, layout);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < columns.size(); i++) {
                String column = columns.get(i);
                ps.setArray(i + 1, c.createArrayOf("text", keys.stream().map(key -> (Object) String.valueOf(key.get(column))).toArray()));
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs, layout));
                }
            }
            return rows;
        }
    }

    private static Map<String, Object> row(ResultSet rs, TableLayout layout) throws SQLException {
        Map<String, String> text = new LinkedHashMap<>();
        int index = 1;
        for (String column : layout.columns().keySet()) {
            text.put(column, rs.getString(index++));
        }
        return ChunkReader.convert(layout, text, layout.keyColumns().stream().map(text::get).toList());
    }

    /** Ends the view and gives the connection back. */
    private static void end(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed below all the same
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing left to do with it
        }
    }

    private final class Scan implements RowScan {
        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet rows;
        private final TableLayout layout;
        private final Lsn position;
        private Map<String, Object> next;
        private boolean done;

        Scan(Connection connection, PreparedStatement statement, ResultSet rows, TableLayout layout, Lsn position) {
            this.connection = connection;
            this.statement = statement;
            this.rows = rows;
            this.layout = layout;
            this.position = position;
        }

        @Override
        public Lsn position() {
            return position;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                try {
                    if (rows.next()) {
                        next = row(rows, layout);
                    } else {
                        done = true;
                    }
                } catch (SQLException e) {
                    done = true;
                    throw PgErrors.translate("reading " + layout.table() + " for verify", connections.settings(), e);
                }
            }
            return next != null;
        }

        @Override
        public Map<String, Object> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Map<String, Object> row = next;
            next = null;
            return row;
        }

        @Override
        public void close() {
            done = true;
            next = null;
            try {
                rows.close();
                statement.close();
            } catch (SQLException ignored) {
                // ending the transaction closes the cursor anyway
            }
            end(connection);
        }
    }
}
