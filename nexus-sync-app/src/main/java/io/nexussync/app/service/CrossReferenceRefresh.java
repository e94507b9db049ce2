package io.nexussync.app.service;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.neo4j.Neo4jGraphReader;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Brings {@code neo4j_node_id} back in line with the nodes' elementIds. At every start it fills the
 * ones a crash between the graph commit and the write-back left empty ({@link Scope#MISSING}); on
 * demand it checks every row ({@link Scope#ALL}), for after a Neo4j restore, where element ids change
 * but {@code id}/{@code pgId} stay the join key. Streams rows with a cursor: memory stays flat.
 */
final class CrossReferenceRefresh {
    private static final int PAGE = 1_000;

    enum Scope { MISSING, ALL }

    private CrossReferenceRefresh() {}

    static CrossReferenceReport run(Scope scope, PgSettings settings, Mapping mapping, Neo4jGraphReader graph, CrossReferenceWriter writer) {
        long[] totals = new long[3];
        try (Connection c = PgConnections.open(settings, "cross-reference refresh")) {
            c.setAutoCommit(false);
            for (NodeMapping node : mapping.nodes()) {
                if (node.crossReferenceColumn() != null) {
                    refresh(c, scope, node, graph, writer, totals);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw PgErrors.translate("refreshing cross-references", settings, e);
        }
        return new CrossReferenceReport(totals[0], totals[1], totals[2]);
    }

    private static void refresh(Connection c, Scope scope, NodeMapping node, Neo4jGraphReader graph, CrossReferenceWriter writer,
                                long[] totals) throws SQLException {
        String xref = quote(node.crossReferenceColumn());
        try (Statement st = c.createStatement()) {
            st.setFetchSize(PAGE);
            List<String> keys = node.keyColumns();
            String keyText = keys.stream().map(k -> quote(k) + "::text").collect(java.util.stream.Collectors.joining(", "));
            try (ResultSet rs = st.executeQuery("SELECT " + xref + ", " + keyText + " FROM " + quote(node.table())
                    + (scope == Scope.MISSING ? " WHERE " + xref + " IS NULL" : ""))) {
                Map<String, String> page = new HashMap<>(PAGE * 2);
                List<String> parts = new ArrayList<>(keys.size());
                while (rs.next()) {
                    parts.clear();
                    for (int i = 0; i < keys.size(); i++) {
                        parts.add(rs.getString(i + 2));
                    }
                    page.put(NodeIdentity.encode(parts), rs.getString(1));
                    if (page.size() == PAGE) {
                        writePage(node, page, graph, writer, totals);
                        page.clear();
                    }
                }
                writePage(node, page, graph, writer, totals);
            }
        }
    }

    private static void writePage(NodeMapping node, Map<String, String> rows, Neo4jGraphReader graph, CrossReferenceWriter writer, long[] totals) {
        if (rows.isEmpty()) {
            return;
        }
        Map<String, String> found = graph.elementIds(node.label(), node.idProperty(), List.copyOf(rows.keySet()));
        List<CrossReference> stale = new ArrayList<>();
        found.forEach((id, elementId) -> {
            if (!Objects.equals(rows.get(id), elementId)) {
                stale.add(new CrossReference(node, id, elementId));
            }
        });
        if (!stale.isEmpty()) {
            writer.write(stale);
        }
        totals[0] += rows.size();
        totals[1] += stale.size();
        totals[2] += rows.size() - found.size();
    }
}
