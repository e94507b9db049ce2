package io.nexussync.postgres.writeback;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.capture.TransactionReader;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes elementIds back to {@code neo4j_node_id}: one statement per table per batch, in one transaction
 * that starts with a transactional logical message, so capture recognises the transaction as its own
 * echo and drops it. The version trigger ignores the cross-reference column, so no version moves.
 *
 * <p>It waits for a row lock at most {@link #LOCK_WAIT}. An application's transaction holds a row for moments, and
 * waiting for it keeps the write-back done before the acknowledgement that follows it (verify counts on that). A
 * lock held longer, typically by a prepared transaction, which only the apply loop commits while the loop may be
 * waiting for this write-back (the after-commit stage's backlog is bounded), is passed over: its row is skipped
 * ({@code SKIP LOCKED}) and its cross-reference kept for the next call.
 */
public final class PgCrossReferenceWriter implements CrossReferenceWriter {
    private static final Logger log = LoggerFactory.getLogger(PgCrossReferenceWriter.class);
    /** The longest the write-back waits for a locked row before it passes it over for a later call. */
    static final java.time.Duration LOCK_WAIT = java.time.Duration.ofMillis(500);
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final PgConnectionSource connections;
    private final Map<NodeMapping, List<String>> keyTypes = new ConcurrentHashMap<>();
    /** Cross-references whose rows were locked when last written, by table and identity: few, and written with the next call. */
    private final Map<NodeMapping, Map<String, CrossReference>> waiting = new LinkedHashMap<>();

    public PgCrossReferenceWriter(PgConnectionSource connections) {
        this.connections = connections;
    }

    @Override
    public void write(List<CrossReference> references) {
        Map<NodeMapping, Map<String, CrossReference>> byTable = takeWaiting();
        List<CrossReference> taken = byTable.values().stream().flatMap(table -> table.values().stream()).toList();
        for (CrossReference r : references) {
            // A mapping may name no cross-reference column for a table: its nodes have nothing to write back.
            if (r.mapping().crossReferenceColumn() != null) {
                // One write per row, the latest (a waiting one is older than any given now).
                byTable.computeIfAbsent(r.mapping(), m -> new LinkedHashMap<>()).put(r.id(), r);
            }
        }
        if (byTable.isEmpty()) {
            return;
        }
        List<CrossReference> locked = new ArrayList<>();
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            try {
                try (var tag = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, '')")) {
                    tag.setString(1, TransactionReader.ECHO_PREFIX);
                    tag.execute();
                }
                try (var wait = c.createStatement()) {
                    wait.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT.toMillis() + "ms'");
                }
                for (var entry : byTable.entrySet()) {
                    locked.addAll(update(c, entry.getKey(), List.copyOf(entry.getValue().values())));
                }
                c.commit();
            } catch (SQLException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    // A connection given up after a socket timeout cannot roll back: keep the timeout as the reason.
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            // The waiting ones are not lost with this call (the caller's own are its to retry): a later call writes them.
            taken.forEach(r -> keepWaiting(r, false));
            if (e instanceof SQLException sql) {
                throw PgErrors.translate("writing back " + references.size() + " cross-references", connections.settings(), sql);
            }
            throw (RuntimeException) e;
        }
        locked.forEach(r -> keepWaiting(r, true));
        if (!locked.isEmpty()) {
            log.info("{} cross-references wait for their rows, which another transaction holds locked (a prepared one, perhaps): "
                    + "written with a later write-back", locked.size());
        }
    }

    /** How many cross-references wait for their locked rows. */
    public synchronized int waiting() {
        return waiting.values().stream().mapToInt(Map::size).sum();
    }

    private synchronized Map<NodeMapping, Map<String, CrossReference>> takeWaiting() {
        Map<NodeMapping, Map<String, CrossReference>> taken = new LinkedHashMap<>();
        waiting.forEach((mapping, table) -> taken.put(mapping, new LinkedHashMap<>(table)));
        waiting.clear();
        return taken;
    }

    /** @param replace whether {@code reference} is newer than one a concurrent call left waiting for the same row */
    private synchronized void keepWaiting(CrossReference reference, boolean replace) {
        Map<String, CrossReference> table = waiting.computeIfAbsent(reference.mapping(), m -> new LinkedHashMap<>());
        if (replace) {
            table.put(reference.id(), reference);
        } else {
            table.putIfAbsent(reference.id(), reference);
        }
    }

    /**
     * One statement: the rows that need the write and can be locked now are locked ({@code SKIP LOCKED}) and written; the
     * rest that need it are answered (a row that is gone, or already holds the elementId, needs nothing).
     *
     * @return the cross-references whose rows another transaction holds
     */
    private List<CrossReference> update(Connection c, NodeMapping mapping, List<CrossReference> references) throws SQLException {
        // Sorted so that two write-backs (or a write-back and an application batch in key order) lock rows in one order.
        List<CrossReference> sorted = new ArrayList<>(references);
        sorted.sort(Comparator.comparing(CrossReference::id));
        List<String> keys = mapping.keyColumns();
        List<String> types = keyTypes(c, mapping);
        String table = quote(mapping.table());
        String xref = quote(mapping.crossReferenceColumn());
        StringBuilder arrays = new StringBuilder();
        StringBuilder names = new StringBuilder();
        StringBuilder join = new StringBuilder();
        StringBuilder lockedKeys = new StringBuilder();
        StringBuilder order = new StringBuilder();
        StringBuilder lockedJoin = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            String column = "t." + quote(keys.get(i));
            arrays.append("?::text[], ");
            names.append("k").append(i).append(", ");
            join.append(i == 0 ? "" : " AND ").append(column).append(" = x.k").append(i).append("::").append(types.get(i));
            lockedKeys.append(column).append(" AS t").append(i).append(", ");
            order.append(i == 0 ? "" : ", ").append(column);
            lockedJoin.append(" AND ").append(column).append(" = l.t").append(i);
        }
        String sql = "WITH x AS MATERIALIZED (SELECT * FROM unnest(" + arrays + "?::text[]) WITH ORDINALITY AS x(" + names + "eid, n)), "
                + "l AS MATERIALIZED (SELECT " + lockedKeys + "x.eid, x.n FROM " + table + " t JOIN x ON " + join
                + " WHERE t." + xref + " IS DISTINCT FROM x.eid ORDER BY " + order + " FOR UPDATE OF t SKIP LOCKED), "
                + "w AS (UPDATE " + table + " t SET " + xref + " = l.eid FROM l WHERE true" + lockedJoin + ") "
                // The statement's one snapshot: rows written here still show their old value, and are set aside by l.
                + "SELECT x.n FROM " + table + " t JOIN x ON " + join + " WHERE t." + xref + " IS DISTINCT FROM x.eid "
                + "AND x.n NOT IN (SELECT n FROM l)";
        // A composite key's identity is the JSON array of its columns' text forms: split it back into them.
        String[][] columns = new String[keys.size()][sorted.size()];
        for (int row = 0; row < sorted.size(); row++) {
            List<String> parts = NodeIdentity.decode(sorted.get(row).id(), keys.size());
            for (int i = 0; i < keys.size(); i++) {
                columns[i][row] = parts.get(i);
            }
        }
        // First waiting for the locks (up to the transaction's lock_timeout); only a lock held longer is passed over.
        Savepoint waited = c.setSavepoint();
        try {
            List<CrossReference> locked = run(c, sql.replace(" SKIP LOCKED", ""), columns, sorted);
            c.releaseSavepoint(waited);
            return locked;
        } catch (SQLException e) {
            if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(waited);
            return run(c, sql, columns, sorted);
        }
    }

    /** Runs the write-back statement; returns the cross-references whose rows it passed over, locked. */
    private static List<CrossReference> run(Connection c, String sql, String[][] columns, List<CrossReference> sorted) throws SQLException {
        List<CrossReference> locked = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < columns.length; i++) {
                ps.setArray(i + 1, c.createArrayOf("text", columns[i]));
            }
            ps.setArray(columns.length + 1, c.createArrayOf("text", sorted.stream().map(CrossReference::elementId).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    locked.add(sorted.get((int) rs.getLong(1) - 1));
                }
            }
        }
        return locked;
    }

    private List<String> keyTypes(Connection c, NodeMapping mapping) throws SQLException {
        List<String> known = keyTypes.get(mapping);
        if (known != null) {
            return known;
        }
        List<String> types = new ArrayList<>();
        for (String column : mapping.keyColumns()) {
            try (var ps = c.prepareStatement("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ?::regclass AND attname = ? AND NOT attisdropped")) {
                ps.setString(1, quote(mapping.table()));
                ps.setString(2, column);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("key column " + column + " not found in " + mapping.table(), "42703");
                    }
                    types.add(rs.getString(1));
                }
            }
        }
        keyTypes.put(mapping, List.copyOf(types));
        return types;
    }

}
