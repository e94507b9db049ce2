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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes elementIds back to {@code neo4j_node_id}: one UPDATE per table per batch, in one transaction
 * that starts with a transactional logical message, so capture recognises the transaction as its own
 * echo and drops it. The version trigger ignores the cross-reference column, so no version moves.
 */
public final class PgCrossReferenceWriter implements CrossReferenceWriter {
    private final PgConnectionSource connections;
    private final Map<NodeMapping, List<String>> keyTypes = new HashMap<>();

    public PgCrossReferenceWriter(PgConnectionSource connections) {
        this.connections = connections;
    }

    @Override
    public void write(List<CrossReference> references) {
        Map<NodeMapping, List<CrossReference>> byTable = new LinkedHashMap<>();
        for (CrossReference r : references) {
            // A mapping may name no cross-reference column for a table: its nodes have nothing to write back.
            if (r.mapping().crossReferenceColumn() != null) {
                byTable.computeIfAbsent(r.mapping(), m -> new ArrayList<>()).add(r);
            }
        }
        if (byTable.isEmpty()) {
            return;
        }
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            try {
                try (var tag = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, '')")) {
                    tag.setString(1, TransactionReader.ECHO_PREFIX);
                    tag.execute();
                }
                for (var entry : byTable.entrySet()) {
                    update(c, entry.getKey(), entry.getValue());
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
        } catch (SQLException e) {
            throw PgErrors.translate("writing back " + references.size() + " cross-references", connections.settings(), e);
        }
    }

    private void update(Connection c, NodeMapping mapping, List<CrossReference> references) throws SQLException {
        // Sorted so that two write-backs (or a write-back and an application batch in key order) lock rows in one order.
        List<CrossReference> sorted = new ArrayList<>(references);
        sorted.sort(Comparator.comparing(CrossReference::id));
        List<String> keys = mapping.keyColumns();
        List<String> types = keyTypes(c, mapping);
        String xref = quote(mapping.crossReferenceColumn());
        StringBuilder sql = new StringBuilder("UPDATE " + quote(mapping.table()) + " t SET " + xref + " = x.eid FROM unnest(");
        StringBuilder names = new StringBuilder();
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            sql.append("?::text[], ");
            names.append("k").append(i).append(", ");
            where.append("t.").append(quote(keys.get(i))).append(" = x.k").append(i).append("::").append(types.get(i)).append(" AND ");
        }
        sql.append("?::text[]) AS x(").append(names).append("eid) WHERE ").append(where).append("t.").append(xref).append(" IS DISTINCT FROM x.eid");
        // A composite key's identity is the JSON array of its columns' text forms: split it back into them.
        String[][] columns = new String[keys.size()][sorted.size()];
        for (int row = 0; row < sorted.size(); row++) {
            List<String> parts = NodeIdentity.decode(sorted.get(row).id(), keys.size());
            for (int i = 0; i < keys.size(); i++) {
                columns[i][row] = parts.get(i);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < keys.size(); i++) {
                ps.setArray(i + 1, c.createArrayOf("text", columns[i]));
            }
            ps.setArray(keys.size() + 1, c.createArrayOf("text", sorted.stream().map(CrossReference::elementId).toArray()));
            ps.executeUpdate();
        }
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
