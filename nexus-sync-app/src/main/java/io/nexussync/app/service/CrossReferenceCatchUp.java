package io.nexussync.app.service;

import static io.nexussync.postgres.setup.SqlNames.quote;

import io.nexussync.core.apply.CrossReference;
import io.nexussync.core.apply.CrossReferenceWriter;
import io.nexussync.core.plan.Mapping;
import io.nexussync.core.plan.NodeMapping;
import io.nexussync.neo4j.Neo4jGraphReader;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the cross-references that a crash between the graph commit and the write-back left
 * missing: rows without {@code neo4j_node_id} whose node exists. Streams the rows with a cursor, so
 * memory stays flat whatever the table size.
 */
final class CrossReferenceCatchUp {
    private static final Logger log = LoggerFactory.getLogger(CrossReferenceCatchUp.class);
    private static final int PAGE = 1_000;

    private CrossReferenceCatchUp() {}

    static long run(PgSettings settings, Mapping mapping, Neo4jGraphReader graph, CrossReferenceWriter writer) {
        long written = 0;
        try (Connection c = PgConnections.open(settings, "cross-reference catch-up")) {
            c.setAutoCommit(false);
            for (NodeMapping node : mapping.nodes()) {
                if (node.crossReferenceColumn() != null) {
                    written += catchUp(c, node, graph, writer);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw PgErrors.translate("the cross-reference catch-up", settings, e);
        }
        if (written > 0) {
            log.info("wrote {} missing cross-references", written);
        }
        return written;
    }

    private static long catchUp(Connection c, NodeMapping node, Neo4jGraphReader graph, CrossReferenceWriter writer) throws SQLException {
        long written = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(PAGE);
            try (ResultSet rs = st.executeQuery("SELECT " + quote(node.keyColumn()) + "::text FROM " + quote(node.table())
                    + " WHERE " + quote(node.crossReferenceColumn()) + " IS NULL")) {
                List<String> ids = new ArrayList<>(PAGE);
                while (rs.next()) {
                    ids.add(rs.getString(1));
                    if (ids.size() == PAGE) {
                        written += writePage(node, ids, graph, writer);
                        ids.clear();
                    }
                }
                written += writePage(node, ids, graph, writer);
            }
        }
        return written;
    }

    private static int writePage(NodeMapping node, List<String> ids, Neo4jGraphReader graph, CrossReferenceWriter writer) {
        if (ids.isEmpty()) {
            return 0;
        }
        Map<String, String> found = graph.elementIds(node.label(), ids);
        List<CrossReference> references = new ArrayList<>(found.size());
        found.forEach((id, elementId) -> references.add(new CrossReference(node, id, elementId)));
        if (!references.isEmpty()) {
            writer.write(references);
        }
        return references.size();
    }
}
