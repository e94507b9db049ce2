package io.nexussync.app.components;

import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.neo4j.Neo4jGraphReader;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.writeback.CrossReferenceRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Brings {@code neo4j_node_id} back in line with the nodes' elementIds. At every start it fills the
 * ones a crash between the graph commit and the write-back left empty ({@link Scope#MISSING}); on
 * demand it checks every row ({@link Scope#ALL}), for after a Neo4j restore, where element ids change
 * but {@code id}/{@code pgId} stay the join key. Rows are read page by page ({@link CrossReferenceRows}): memory stays flat.
 */
public final class CrossReferenceRefresh {

    public enum Scope { MISSING, ALL }

    private CrossReferenceRefresh() {}

    public static CrossReferenceReport run(Scope scope, PgConnectionSource postgres, Mapping mapping, Neo4jGraphReader graph,
                                           CrossReferenceWriter writer) {
        long[] totals = new long[3];
        CrossReferenceRows.scan(postgres, mapping, scope == Scope.MISSING, (node, rows) -> writePage(node, rows, graph, writer, totals));
        return new CrossReferenceReport(totals[0], totals[1], totals[2]);
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
