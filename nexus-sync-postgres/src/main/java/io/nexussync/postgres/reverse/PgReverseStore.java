package io.nexussync.postgres.reverse;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.EditDecider;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.ReverseBatch;
import io.nexussync.core.reverse.ReverseStore;
import io.nexussync.core.reverse.RowRef;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgreSQL's side of reverse sync. {@link #apply} is one transaction per batch of outbox entries ({@link ReverseRound}): it locks the
 * position row of its graph, skips what that row says is applied, and for each edit locks the rows the decider names,
 * asks it, and writes what it decided under a savepoint, so that a write PostgreSQL refuses for its data (a constraint,
 * a value the column cannot hold) costs that edit only: the decider decides again knowing why. Conflicts and the new
 * position are written in the same transaction, so an entry's writes, its conflicts and the record that it is applied
 * commit together or not at all.
 *
 * <p>Every row written is bumped by exactly one (per row and transaction, however many edits of the batch write it), so
 * that the stream carries the decided state back to the graph, even where no data column changed (a graph edit
 * PostgreSQL refused, a value both sides already agree on). The version trigger would bump only for a data column, so
 * the transaction turns {@link io.nexussync.postgres.setup.VersionTrigger#WRITER_SETS_VERSION} on and the statements set the version themselves
 * ({@link RowWriter}); each UPDATE returns the version it left, and one that is not the expected one (a trigger from
 * before reverse sync, which setup replaces) fails the batch rather than bump twice or not at all.
 *
 * <p>Values from the graph are bound as text and cast to each column's type ({@link CastText}); rows read are converted
 * as the stream converts them ({@link io.nexussync.postgres.snapshot.ChunkReader#convert}), so the decider compares what the planner would make of them.
 */
public final class PgReverseStore implements ReverseStore {
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
                ReverseBatch batch = new ReverseRound(c, decider, tables, graph, connections.settings()).run(ordered, positioned);
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
}
