package io.nexussync.postgres.writeback;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the cross-references the rows hold ({@code neo4j_node_id}), page by page, for a refresh against the graph.
 * Streams rows with a cursor: memory stays flat whatever the table's size.
 */
public final class CrossReferenceRows {
    public static final int PAGE = 1_000;

    /** Told each page of one node table's rows: identity to the cross-reference the row holds (null when empty). */
    @FunctionalInterface
    public interface PageHandler {
        void page(NodeMapping node, Map<String, String> crossReferenceById);
    }

    private CrossReferenceRows() {}

    /**
     * Every node table with a cross-reference column, in mapping order.
     *
     * @param onlyEmpty only the rows whose cross-reference is empty
     */
    public static void scan(PgConnectionSource connections, Mapping mapping, boolean onlyEmpty, PageHandler handler) {
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            for (NodeMapping node : mapping.nodes()) {
                if (node.crossReferenceColumn() != null) {
                    scan(c, node, onlyEmpty, handler);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw PgErrors.translate("refreshing cross-references", connections.settings(), e);
        }
    }

    private static void scan(Connection c, NodeMapping node, boolean onlyEmpty, PageHandler handler) throws SQLException {
        String xref = quote(node.crossReferenceColumn());
        try (Statement st = c.createStatement()) {
            st.setFetchSize(PAGE);
            List<String> keys = node.keyColumns();
            String keyText = keys.stream().map(k -> quote(k) + "::text").collect(Collectors.joining(", "));
            try (ResultSet rs = st.executeQuery("SELECT " + xref + ", " + keyText + " FROM " + quote(node.table())
                    + (onlyEmpty ? " WHERE " + xref + " IS NULL" : ""))) {
                Map<String, String> page = new HashMap<>(PAGE * 2);
                List<String> parts = new ArrayList<>(keys.size());
                while (rs.next()) {
                    parts.clear();
                    for (int i = 0; i < keys.size(); i++) {
                        parts.add(rs.getString(i + 2));
                    }
                    page.put(NodeIdentity.encode(parts), rs.getString(1));
                    if (page.size() == PAGE) {
                        handler.page(node, page);
                        page.clear();
                    }
                }
                handler.page(node, page);
            }
        }
    }
}
