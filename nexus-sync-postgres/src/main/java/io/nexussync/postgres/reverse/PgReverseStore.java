package io.nexussync.postgres.reverse;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.reverse.Decision;
import io.nexussync.core.reverse.EditDecider;
import io.nexussync.core.reverse.EntityEdit;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.PropertyChange;
import io.nexussync.core.reverse.ReverseBatch;
import io.nexussync.core.reverse.ReverseDecisions;
import io.nexussync.core.reverse.ReverseStore;
import io.nexussync.core.reverse.RowRef;
import io.nexussync.core.reverse.RowState;
import io.nexussync.core.reverse.RowWrite;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.setup.VersionTrigger;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's side of reverse sync. {@link #apply} is one transaction per batch of outbox entries: it locks the
 * position row of its graph, skips what that row says is applied, and for each edit locks the rows the decider names,
 * asks it, and writes what it decided under a savepoint, so that a write PostgreSQL refuses for its data (a constraint,
 * a value the column cannot hold) costs that edit only: the decider decides again knowing why. Conflicts and the new
 * position are written in the same transaction, so an entry's writes, its conflicts and the record that it is applied
 * commit together or not at all.
 *
 * <p>Every row written is bumped by exactly one (per row and transaction, however many edits of the batch write it), so
 * that the stream carries the decided state back to the graph, even where no data column changed (a graph edit
 * PostgreSQL refused, a value both sides already agree on). The version trigger would bump only for a data column, so
 * the transaction turns {@link VersionTrigger#WRITER_SETS_VERSION} on and the statements set the version themselves;
 * each UPDATE returns the version it left, and one that is not the expected one (a trigger from before reverse sync,
 * which setup replaces) fails the batch rather than bump twice or not at all.
 *
 * <p>Values from the graph are bound as text and cast to each column's type ({@link CastText}); rows read are converted
 * as the stream converts them ({@link ChunkReader#convert}), so the decider compares what the planner would make of them.
 */
public final class PgReverseStore implements ReverseStore {
    private static final Logger log = LoggerFactory.getLogger(PgReverseStore.class);
    /** Keys per statement when asking which rows exist. */
    static final int KEYS_PER_STATEMENT = 1_000;

    private final PgConnectionSource connections;
    private final Map<TableId, MappedTable> tables;
    private final String graph;

    /**
     * @param graph the name of the graph whose outbox this store applies (the service's slot name): the key of its
     *              position row in {@code nexus_sync.reverse_position}
     */
    public PgReverseStore(PgConnectionSource connections, Mapping mapping, String graph) {
        this.connections = connections;
        this.tables = MappedTable.of(mapping);
        this.graph = graph;
    }

    @Override
    public long appliedThrough() {
        try (Connection c = connections.connection();
             PreparedStatement ps = c.prepareStatement("SELECT applied_seq FROM nexus_sync.reverse_position WHERE graph = ?")) {
            ps.setString(1, graph);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw PgErrors.translate("reading the reverse position of " + graph, connections.settings(), e);
        }
    }

    @Override
    public ReverseBatch apply(List<GraphEdit> entries, EditDecider decider, boolean positioned) {
        if (entries.isEmpty()) {
            return ReverseBatch.NONE;
        }
        List<GraphEdit> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparingLong(GraphEdit::seq));
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            try {
                ReverseBatch batch = new Round(c, decider).run(ordered, positioned);
                c.commit();
                return batch;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw PgErrors.translate("applying graph edits", connections.settings(), e);
        }
    }

    /**
     * Evaluates the key column's default ({@code gen_random_uuid()}, {@code nextval(...)}) or takes the next value of its
     * identity sequence: PostgreSQL owns ID generation.
     */
    @Override
    public String newKey(TableId table, String keyColumn) {
        try (Connection c = connections.connection()) {
            String expression;
            boolean identity;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '', a.attgenerated <> '' "
                    + "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                    + "WHERE a.attrelid = CAST(? AS regclass) AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped")) {
                ps.setString(1, quote(table));
                ps.setString(2, keyColumn);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw SyncException.persistent("table " + table + " has no column " + keyColumn + " (the mapping's key): fix the mapping or the table", null);
                    }
                    boolean generated = rs.getBoolean(3);
                    expression = generated ? null : rs.getString(1);
                    identity = rs.getBoolean(2);
                }
            }
            String sql;
            if (identity) {
                sql = "SELECT nextval(pg_get_serial_sequence(?, ?))::text";
            } else if (expression != null) {
                sql = "SELECT (" + expression + ")::text";
            } else {
                String label = tables.containsKey(table) && tables.get(table).label() != null ? tables.get(table).label() : "its label";
                throw SyncException.persistent("key column " + keyColumn + " of " + table + " has no default, so PostgreSQL cannot make a key for a node "
                        + "created in the graph: nodes of " + label + " created in the graph must carry their key, or give the column a default "
                        + "(ALTER TABLE " + table + " ALTER COLUMN " + keyColumn + " SET DEFAULT ...)", null);
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (identity) {
                    ps.setString(1, quote(table));
                    ps.setString(2, keyColumn);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String key = rs.getString(1);
                    if (key == null) {
                        throw SyncException.persistent("the default of key column " + keyColumn + " of " + table + " gave NULL: "
                                + "give the column a default that makes a key", null);
                    }
                    return key;
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate("making a key for " + table, connections.settings(), e);
        }
    }

    @Override
    public Set<RowRef> existing(Collection<RowRef> rows) {
        Set<RowRef> existing = new HashSet<>();
        readByTable(rows, List.of(), (ref, text) -> existing.add(ref), "which rows of %s exist");
        return existing;
    }

    @Override
    public Map<RowRef, Long> graphVersions(Collection<RowRef> rows) {
        Map<RowRef, Long> versions = new HashMap<>();
        Map<TableId, List<RowRef>> versioned = new LinkedHashMap<>();
        for (RowRef ref : rows) {
            MappedTable table = mapped(ref.table());
            if (table.graphVersionColumn() != null) {
                versioned.computeIfAbsent(ref.table(), t -> new ArrayList<>()).add(ref);
            }
        }
        for (List<RowRef> refs : versioned.values()) {
            String column = mapped(refs.get(0).table()).graphVersionColumn();
            readByTable(refs, List.of(column), (ref, text) -> {
                String version = text.get(column);
                if (version != null) {
                    versions.put(ref, Long.parseLong(version));
                }
            }, "graph versions of %s");
        }
        return versions;
    }

    private interface FoundRow {
        void found(RowRef ref, Map<String, String> text);
    }

    /** Auto-commit reads, by table, {@link #KEYS_PER_STATEMENT} keys a statement; a key that is no value of its column names no row. */
    private void readByTable(Collection<RowRef> rows, List<String> columns, FoundRow consumer, String what) {
        Map<TableId, List<RowRef>> byTable = new LinkedHashMap<>();
        for (RowRef ref : rows) {
            byTable.computeIfAbsent(ref.table(), t -> new ArrayList<>()).add(ref);
        }
        for (Map.Entry<TableId, List<RowRef>> table : byTable.entrySet()) {
            try (Connection c = connections.connection()) {
                TableLayout layout = TableLayout.read(c, table.getKey(), mapped(table.getKey()).keyColumns());
                List<RowRef> refs = table.getValue();
                for (int from = 0; from < refs.size(); from += KEYS_PER_STATEMENT) {
                    List<RowRef> batch = refs.subList(from, Math.min(refs.size(), from + KEYS_PER_STATEMENT));
                    try {
                        RowsByKey.read(c, layout, batch, columns, false, false).forEach(row -> consumer.found(batch.get(row.index()), row.text()));
                    } catch (SQLException e) {
                        if (!RowsByKey.badKey(e)) {
                            throw e;
                        }
                        // Auto-commit: the failed statement took nothing else with it.
                        for (RowRef ref : batch) {
                            try {
                                RowsByKey.read(c, layout, List.of(ref), columns, false, false).forEach(row -> consumer.found(ref, row.text()));
                            } catch (SQLException one) {
                                if (!RowsByKey.badKey(one)) {
                                    throw one;
                                }
                            }
                        }
                    }
                }
            } catch (SQLException e) {
                throw PgErrors.translate("reading " + String.format(what, table.getKey()), connections.settings(), e);
            }
        }
    }

    private MappedTable mapped(TableId table) {
        MappedTable mapped = tables.get(table);
        if (mapped == null) {
            throw new IllegalArgumentException(table + " is not a mapped table");
        }
        return mapped;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed (or dropped by the pool) all the same
        }
    }

    /** A row as the transaction tracks it: its table and its key columns' text forms, in key order. */
    private record RowKey(TableId table, List<String> key) {}

    /** A write PostgreSQL refused for its data, carried out of the visitor. */
    private static final class Refused extends RuntimeException {
        final SyncException error;

        Refused(SyncException error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }
    }

    /** Any other failure of a write, carried out of the visitor to fail the batch. */
    private static final class WriteFailed extends RuntimeException {
        final SQLException cause;

        WriteFailed(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }

    /** One {@link #apply} transaction. */
    private final class Round {
        private final Connection c;
        private final EditDecider decider;
        private final Map<TableId, TableLayout> layouts = new HashMap<>();
        /** Rows written so far in this transaction, with the version each holds now (null: a table without one). */
        private Map<RowKey, Long> written = new HashMap<>();
        private final Map<String, Integer> writesByEntity = new LinkedHashMap<>();
        private final List<ConflictRows.Pending> conflicts = new ArrayList<>();

        Round(Connection c, EditDecider decider) {
            this.c = c;
            this.decider = decider;
        }

        ReverseBatch run(List<GraphEdit> entries, boolean positioned) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, 'on', true)")) {
                ps.setString(1, VersionTrigger.WRITER_SETS_VERSION);
                ps.execute();
            }
            long appliedSeq = positioned ? lockPosition() : Long.MIN_VALUE;
            int applied = 0;
            long last = appliedSeq;
            for (GraphEdit entry : entries) {
                if (positioned && entry.seq() <= appliedSeq) {
                    continue;
                }
                for (EntityEdit edit : entry.edits()) {
                    applyEdit(entry, edit);
                }
                applied++;
                last = entry.seq();
            }
            if (applied == 0) {
                return ReverseBatch.NONE;
            }
            ConflictRows.insert(c, conflicts);
            if (positioned) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.reverse_position SET applied_seq = ?, applied_at = now() WHERE graph = ?")) {
                    ps.setLong(1, last);
                    ps.setString(2, graph);
                    ps.executeUpdate();
                }
            }
            return new ReverseBatch(applied, writesByEntity, conflicts.stream().map(ConflictRows.Pending::record).toList());
        }

        /** Locks the graph's position row (made at 0 the first time) for the transaction: one applier at a time, and its seq. */
        private long lockPosition() throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.reverse_position AS p (graph, applied_seq) VALUES (?, 0) "
                    + "ON CONFLICT (graph) DO UPDATE SET graph = p.graph RETURNING p.applied_seq")) {
                ps.setString(1, graph);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        private void applyEdit(GraphEdit entry, EntityEdit edit) throws SQLException {
            List<RowRef> refs = decider.rowsOf(edit);
            String entity = ReverseDecisions.entityName(edit);
            Map<RowKey, Long> writtenBefore = new HashMap<>(written);
            Savepoint savepoint = c.setSavepoint();
            Map<RowRef, RowState> rows = lock(refs, savepoint);
            Decision decision = decider.decide(entry, edit, rows);
            try {
                int writes = execute(decision, rows);
                keep(entity, writes, decision, edit);
            } catch (Refused refused) {
                c.rollback(savepoint);
                written = writtenBefore;
                // The rollback released the locks taken after the savepoint: the refusal is decided on the rows locked again.
                Map<RowRef, RowState> again = lock(refs, savepoint);
                Decision refusal = decider.refused(entry, edit, again, refused.error);
                Map<RowKey, Long> beforeRefusal = new HashMap<>(written);
                try {
                    keep(entity, execute(refusal, again), refusal, edit);
                } catch (Refused alsoRefused) {
                    // Not even the bump that shows the row's state again: the conflict is logged, the row left as it is.
                    c.rollback(savepoint);
                    written = beforeRefusal;
                    log.warn("PostgreSQL refused the graph edit of {} {} and then the version bump of its refusal too: {}", entity,
                            refs.isEmpty() ? "" : refs.get(0).entityKey(), alsoRefused.error.getMessage());
                    List<ConflictRecord> records = refusal.conflicts().stream().map(r -> withReason(r, r.reason()
                            + "; the row's version bump was refused too (" + alsoRefused.error.getMessage() + ")")).toList();
                    keep(entity, 0, new Decision(List.of(), records), edit);
                }
            }
            c.releaseSavepoint(savepoint);
        }

        private void keep(String entity, int writes, Decision decision, EntityEdit edit) {
            if (writes > 0) {
                writesByEntity.merge(entity, writes, Integer::sum);
            }
            for (ConflictRecord record : decision.conflicts()) {
                conflicts.add(new ConflictRows.Pending(record, graphValueCast(record, edit)));
            }
        }

        /**
         * The rows the edit names, locked, as the stream would carry them. A key that is no value of its column (a node
         * whose key the graph made up) names no row: the savepoint undoes the failed read, and the keys are read one by one.
         */
        private Map<RowRef, RowState> lock(List<RowRef> refs, Savepoint savepoint) throws SQLException {
            Map<RowRef, RowState> rows = new LinkedHashMap<>();
            Map<TableId, List<RowRef>> byTable = new LinkedHashMap<>();
            for (RowRef ref : refs) {
                byTable.computeIfAbsent(ref.table(), t -> new ArrayList<>()).add(ref);
            }
            for (List<RowRef> sameTable : byTable.values()) {
                try {
                    lockInto(sameTable, rows);
                } catch (SQLException e) {
                    if (!RowsByKey.badKey(e)) {
                        throw e;
                    }
                    c.rollback(savepoint);
                    rows.clear();
                    return lockOneByOne(refs);
                }
            }
            return rows;
        }

        private Map<RowRef, RowState> lockOneByOne(List<RowRef> refs) throws SQLException {
            Map<RowRef, RowState> rows = new LinkedHashMap<>();
            for (RowRef ref : refs) {
                Savepoint one = c.setSavepoint();
                try {
                    lockInto(List.of(ref), rows);
                    c.releaseSavepoint(one);
                } catch (SQLException e) {
                    if (!RowsByKey.badKey(e)) {
                        throw e;
                    }
                    c.rollback(one);
                }
            }
            return rows;
        }

        private void lockInto(List<RowRef> refs, Map<RowRef, RowState> rows) throws SQLException {
            TableId table = refs.get(0).table();
            MappedTable mapped = mapped(table);
            TableLayout layout = layout(table);
            List<String> columns = List.copyOf(layout.columns().keySet());
            for (RowsByKey.Found found : RowsByKey.read(c, layout, refs, columns, true, true)) {
                Map<String, String> text = found.text();
                Map<String, Object> values = ChunkReader.convert(layout, text, layout.keyColumns().stream().map(text::get).toList());
                String pgVersion = mapped.versionColumn() == null ? null : text.get(mapped.versionColumn());
                String graphVersion = mapped.graphVersionColumn() == null ? null : text.get(mapped.graphVersionColumn());
                rows.put(refs.get(found.index()), new RowState(values, pgVersion == null ? 0 : Long.parseLong(pgVersion), graphVersion == null ? null : Long.parseLong(graphVersion),
                        found.lastCommitted()));
            }
        }

        private TableLayout layout(TableId table) throws SQLException {
            TableLayout layout = layouts.get(table);
            if (layout == null) {
                layout = TableLayout.read(c, table, mapped(table).keyColumns());
                layouts.put(table, layout);
            }
            return layout;
        }

        /** @return the rows written */
        private int execute(Decision decision, Map<RowRef, RowState> rows) throws SQLException {
            int count = 0;
            Writer writer = new Writer(rows);
            for (RowWrite write : decision.writes()) {
                try {
                    count += write.accept(writer);
                } catch (WriteFailed failed) {
                    SyncException translated = PgErrors.translateWrite("the write to " + write.table(), connections.settings(), failed.cause);
                    if (translated.rejectsData()) {
                        throw new Refused(translated);
                    }
                    throw failed.cause;
                }
            }
            return count;
        }

        private final class Writer implements RowWrite.Visitor<Integer> {
            private final Map<RowRef, RowState> rows;

            Writer(Map<RowRef, RowState> rows) {
                this.rows = rows;
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
                        sets.add(version + " = " + version + (again ? "" : " + 1"));
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
                            Long expected = again ? written.get(key) : read == null ? null : read.pgVersion() + 1;
                            if (expected != null && now != expected) {
                                throw SyncException.persistent("the version of a row of " + write.table() + " went from "
                                        + (again ? expected : read.pgVersion()) + " to " + now + " in a write of the reverse applier, which bumps it "
                                        + "by exactly one: the table's version trigger predates reverse sync; run nexus-sync setup to replace it", null);
                            }
                            written.put(key, now);
                            return 1;
                        }
                    }
                } catch (SQLException e) {
                    throw new WriteFailed(e);
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
                    throw new WriteFailed(e);
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
                    throw new WriteFailed(e);
                }
            }
        }

        /** The graph's proposed value of a property conflict's column, as the column's type reads it (null: unknown or none). */
        private String graphValueCast(ConflictRecord record, EntityEdit edit) {
            if (record.kind() != ConflictRecord.Kind.PROPERTY || record.property() == null) {
                return null;
            }
            MappedTable mapped = tables.get(record.row().table());
            TableLayout layout = layouts.get(record.row().table());
            if (mapped == null || layout == null || !layout.columns().containsKey(record.property())) {
                return null;
            }
            String property = mapped.propertyName(record.property());
            Object proposed = edit.accept(new ProposedValue(property));
            return proposed == null ? null : CastText.of(proposed, layout.column(record.property()).sqlType());
        }
    }

    private static ConflictRecord withReason(ConflictRecord r, String reason) {
        return new ConflictRecord(r.row(), r.entity(), r.kind(), r.property(), r.rule(), r.decision(), r.rowPgVersion(), r.rowGraphVersion(),
                r.basePgVersion(), r.graphVersion(), r.postgresValue(), r.graphValue(), r.postgresCommittedAt(), r.graphCommittedAt(),
                r.outboxSeq(), reason);
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

    /** The value an edit gives a property (its new value), or null when the edit does not name it. */
    private static final class ProposedValue implements EntityEdit.Visitor<Object> {
        private final String property;

        ProposedValue(String property) {
            this.property = property;
        }

        private Object changed(Map<String, PropertyChange> changes) {
            PropertyChange change = changes.get(property);
            return change == null ? null : change.newValue();
        }

        @Override
        public Object nodeUpdated(EntityEdit.NodeUpdated edit) {
            return changed(edit.changes());
        }

        @Override
        public Object nodeCreated(EntityEdit.NodeCreated edit) {
            return edit.properties().get(property);
        }

        @Override
        public Object nodeDeleted(EntityEdit.NodeDeleted edit) {
            return null;
        }

        @Override
        public Object relationshipCreated(EntityEdit.RelationshipCreated edit) {
            return edit.properties().get(property);
        }

        @Override
        public Object relationshipDeleted(EntityEdit.RelationshipDeleted edit) {
            return null;
        }

        @Override
        public Object relationshipUpdated(EntityEdit.RelationshipUpdated edit) {
            return changed(edit.changes());
        }
    }
}
