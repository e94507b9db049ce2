package io.nexussync.core.snapshot;

import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The check at the end of a snapshot, before the stream moves anything: per node table, the graph
 * holds as many nodes as the view has rows; per join table, as many current relationships as rows.
 * Both sides are read at the same point (the view, and a graph nothing else writes yet), so any
 * difference is a real one.
 */
public record SnapshotVerification(List<String> mismatches) {

    public boolean agrees() {
        return mismatches.isEmpty();
    }

    /** @param rowCounts each mapped table's rows in the snapshot's view */
    static SnapshotVerification run(Mapping mapping, Map<TableId, Long> rowCounts, GraphInventory graph) {
        List<String> mismatches = new ArrayList<>();
        for (NodeMapping node : mapping.nodes()) {
            compare(mismatches, node.table(), rowCounts.get(node.table()), ":" + node.label() + " nodes", graph.countNodes(node));
        }
        for (RelationshipMapping relationship : mapping.relationships()) {
            compare(mismatches, relationship.table(), rowCounts.get(relationship.table()),
                    (relationship.temporal() ? "current " : "") + ":" + relationship.type() + " relationships",
                    graph.countCurrentRelationships(relationship));
        }
        return new SnapshotVerification(List.copyOf(mismatches));
    }

    private static void compare(List<String> mismatches, TableId table, long rows, String what, long inGraph) {
        if (rows != inGraph) {
            mismatches.add(table + " has " + rows + " rows but the graph " + inGraph + " " + what);
        }
    }
}
