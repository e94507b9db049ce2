package io.nexussync.postgres.reverse;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.RowRef;
import io.nexussync.core.reverse.RowState;
import io.nexussync.core.reverse.RowWrite;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Carries out the decider's row writes in the reverse applier's transaction, one statement each, every value bound as
 * text and cast to its column's type ({@link CastText}). Each UPDATE bumps the row's version by exactly one (the
 * transaction has the version trigger leave it to the statement), a second write of a row in the same transaction too:
 * the stream sees each UPDATE as a change of its own, and writes a node only from a row version newer than the one it
 * holds, so two records at one version would have the second dropped (ReverseCrashIT: nodes left with the graph's values
 * while their rows had the application's). The version each UPDATE returns is checked, so a trigger that does not leave
 * it (one installed before reverse sync) fails the batch instead of bumping twice or not at all.
 *
 * <p>Which rows the transaction wrote is kept here, with a {@link #mark()} to go back to when a savepoint is rolled back.
 */
final class RowWriter implements RowWrite.Visitor<Integer> {

    /** A write's statement failed: the caller decides whether PostgreSQL refused the data or the batch fails. */
    static final class Failed extends RuntimeException {
        final TableId table;
        final SQLException cause;

        Failed(TableId table, SQLException cause) {
            super(cause.getMessage(), cause, false, false);
            this.table = table;
            this.cause = cause;
        }
    }

    /** The layouts the transaction read, one read per table. */
    @FunctionalInterface
    interface Layouts {
        TableLayout of(TableId table) throws SQLException;
    }

    /** A row as the transaction tracks it: its table and its key columns' text forms, in key order. */
    record RowKey(TableId table, List<String> key) {}

    private final Connection c;
    private final Map<TableId, MappedTable> tables;
    private final Layouts layouts;
    /** Rows written so far in this transaction, with the version each holds now (null: a table without one). */
    private Map<RowKey, Long> written = new HashMap<>();
    /** The rows as the decision being carried out read them. */
    private Map<RowRef, RowState> rows = Map.of();

    RowWriter(Connection c, Map<TableId, MappedTable> tables, Layouts layouts) {
        this.c = c;
        this.tables = tables;
        this.layouts = layouts;
    }

    /** What the transaction has written so far, for {@link #reset} after a rollback to a savepoint taken now. */
    Map<RowKey, Long> mark() {
        return new HashMap<>(written);
    }

    void reset(Map<RowKey, Long> mark) {
        written = new HashMap<>(mark);
    }

    /**
     * @param read the rows the decision was made on
     * @return how many rows the writes changed
     * @throws Failed when a statement fails
     */
    int execute(List<RowWrite> writes, Map<RowRef, RowState> read) {
        rows = read;
        int count = 0;
        for (RowWrite write : writes) {
            count += write.accept(this);
        }
        return count;
    }

    @Override
    public Integer update(RowWrite.Update write) {
        MappedTable mapped = mapped(write.table());
        RowKey key = rowKey(mapped, write.row().key());
        boolean again = written.containsKey(key);
        List<String> sets = new ArrayList<>();
        List<Binding> values = new ArrayList<>();
        try {
            TableLayout layout = layout(write.table());
            for (Map.Entry<String, Object> column : write.columns().entrySet()) {
                String type = layout.column(column.getKey()).sqlType();
                sets.add(quote(column.getKey()) + " = CAST(? AS " + type + ")");
                values.add(ps -> ps.text(CastText.of(column.getValue(), type)));
            }
            if (write.graphVersion() != null && mapped.graphVersionColumn() != null) {
                sets.add(quote(mapped.graphVersionColumn()) + " = ?");
                values.add(ps -> ps.number(write.graphVersion()));
            }
            if (mapped.versionColumn() != null) {
                String version = quote(mapped.versionColumn());
                sets.add(version + " = " + version + " + 1");
            }
            if (sets.isEmpty()) {
                return 0;
            }
            String sql = "UPDATE " + quote(write.table()) + " SET " + String.join(", ", sets) + " WHERE " + keyCondition(mapped, layout)
                    + (mapped.versionColumn() == null ? "" : " RETURNING " + quote(mapped.versionColumn()));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Params params = new Params(ps);
                for (Binding value : values) {
                    value.bind(params);
                }
                bindKey(params, mapped, write.row().key());
                if (mapped.versionColumn() == null) {
                    int updated = ps.executeUpdate();
                    written.put(key, null);
                    return updated;
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return 0;
                    }
                    long now = rs.getLong(1);
                    RowState read = rows.get(write.row());
                    Long expected = again ? Long.valueOf(written.get(key) + 1) : read == null ? null : read.pgVersion() + 1;
                    if (expected != null && now != expected) {
                        throw SyncException.persistent("the version of a row of " + write.table() + " went from "
                                + (again ? expected - 1 : read.pgVersion()) + " to " + now + " in a write of the reverse applier, which bumps it "
                                + "by exactly one: the table's version trigger predates reverse sync; run nexus-sync setup to replace it", null);
                    }
                    written.put(key, now);
                    return 1;
                }
            }
        } catch (SQLException e) {
            throw new Failed(write.table(), e);
        }
    }

    @Override
    public Integer insert(RowWrite.Insert write) {
        MappedTable mapped = mapped(write.table());
        List<String> names = new ArrayList<>();
        List<String> placeholders = new ArrayList<>();
        List<Binding> values = new ArrayList<>();
        try {
            TableLayout layout = layout(write.table());
            for (Map.Entry<String, Object> column : write.columns().entrySet()) {
                String type = layout.column(column.getKey()).sqlType();
                names.add(quote(column.getKey()));
                placeholders.add("CAST(? AS " + type + ")");
                values.add(ps -> ps.text(CastText.of(column.getValue(), type)));
            }
            if (write.graphVersion() != null && mapped.graphVersionColumn() != null && !write.columns().containsKey(mapped.graphVersionColumn())) {
                names.add(quote(mapped.graphVersionColumn()));
                placeholders.add("?");
                values.add(ps -> ps.number(write.graphVersion()));
            }
            if (write.crossReference() != null && mapped.crossReferenceColumn() != null
                    && !write.columns().containsKey(mapped.crossReferenceColumn())) {
                names.add(quote(mapped.crossReferenceColumn()));
                placeholders.add("?");
                values.add(ps -> ps.text(write.crossReference()));
            }
            String sql = "INSERT INTO " + quote(write.table()) + " (" + String.join(", ", names) + ") VALUES ("
                    + String.join(", ", placeholders) + ")"
                    + (mapped.versionColumn() == null ? "" : " RETURNING " + quote(mapped.versionColumn()));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Params params = new Params(ps);
                for (Binding value : values) {
                    value.bind(params);
                }
                RowKey key = rowKey(mapped, write.columns());
                if (mapped.versionColumn() == null) {
                    ps.executeUpdate();
                    written.put(key, null);
                } else {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        written.put(key, rs.getLong(1));
                    }
                }
                return 1;
            }
        } catch (SQLException e) {
            throw new Failed(write.table(), e);
        }
    }

    @Override
    public Integer delete(RowWrite.Delete write) {
        MappedTable mapped = mapped(write.table());
        try {
            TableLayout layout = layout(write.table());
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + quote(write.table()) + " WHERE " + keyCondition(mapped, layout))) {
                bindKey(new Params(ps), mapped, write.row().key());
                int deleted = ps.executeUpdate();
                written.remove(rowKey(mapped, write.row().key()));
                return deleted;
            }
        } catch (SQLException e) {
            throw new Failed(write.table(), e);
        }
    }

    private MappedTable mapped(TableId table) {
        MappedTable mapped = tables.get(table);
        if (mapped == null) {
            throw new IllegalArgumentException(table + " is not a mapped table");
        }
        return mapped;
    }

    private TableLayout layout(TableId table) throws SQLException {
        return layouts.of(table);
    }

    /** The key's columns, each equal to its text cast to the column's type. */
    private static String keyCondition(MappedTable mapped, TableLayout layout) {
        List<String> terms = new ArrayList<>();
        for (String column : mapped.keyColumns()) {
            terms.add(quote(column) + " = CAST(? AS " + layout.column(column).sqlType() + ")");
        }
        return String.join(" AND ", terms);
    }

    private static void bindKey(Params params, MappedTable mapped, Map<String, Object> key) throws SQLException {
        for (String column : mapped.keyColumns()) {
            Object value = key.get(column);
            params.text(value == null ? null : String.valueOf(value));
        }
    }

    private static RowKey rowKey(MappedTable mapped, Map<String, Object> values) {
        List<String> key = new ArrayList<>();
        for (String column : mapped.keyColumns()) {
            Object value = values.get(column);
            key.add(value == null ? null : String.valueOf(value));
        }
        return new RowKey(mapped.table(), key);
    }

    /** Parameters bound in order. */
    private static final class Params {
        private final PreparedStatement ps;
        private int next = 1;

        Params(PreparedStatement ps) {
            this.ps = ps;
        }

        void text(String value) throws SQLException {
            ps.setString(next++, value);
        }

        void number(long value) throws SQLException {
            ps.setLong(next++, value);
        }
    }

    @FunctionalInterface
    private interface Binding {
        void bind(Params params) throws SQLException;
    }
}
