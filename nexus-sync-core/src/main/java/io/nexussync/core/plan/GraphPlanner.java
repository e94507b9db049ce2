package io.nexussync.core.plan;

import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep.TruncateNodes;
import io.nexussync.core.plan.GraphStep.TruncateRelationships;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a batch of row changes, in commit order, into the graph writes that leave the graph as if
 * each change had been applied one by one. Changes to one entity coalesce into its last state; a
 * TRUNCATE splits the batch into segments so that nothing before it survives it. Stateless and
 * thread-safe.
 */
public final class GraphPlanner {
    private final Mapping mapping;

    public GraphPlanner(Mapping mapping) {
        this.mapping = mapping;
    }

    public Mapping mapping() {
        return mapping;
    }

    /**
     * The properties the writer gives the node of a whole row (what a refresh sets: null values leave a property
     * out), the identity and {@code pgId} included: what verify expects the node to hold besides graph-only ones.
     */
    public static Map<String, Object> nodeProperties(NodeMapping node, Map<String, Object> row) {
        return BatchSegment.nodeProperties(node, node.identity(row), row);
    }

    /** The properties the writer gives the relationship of a whole join row (for a temporal one, its current version's, without its interval). */
    public static Map<String, Object> relationshipProperties(RelationshipMapping relationship, Map<String, Object> row) {
        return BatchSegment.relationshipProperties(relationship, row, relationship.from().identity(row), relationship.to().identity(row));
    }

    public GraphWritePlan plan(List<SourceChange> changes) {
        List<GraphStep> steps = new ArrayList<>();
        BatchSegment segment = new BatchSegment(mapping);
        for (SourceChange sourceChange : changes) {
            RowChange change = sourceChange.change();
            if (change instanceof RowChange.Truncate truncate) {
                segment.appendStepsTo(steps);
                segment = new BatchSegment(mapping);
                appendTruncate(truncate, sourceChange, steps);
            } else {
                if (segment.mustEndBefore(change)) {
                    segment.appendStepsTo(steps);
                    segment = new BatchSegment(mapping);
                }
                add(segment, change, sourceChange);
            }
        }
        segment.appendStepsTo(steps);
        return new GraphWritePlan(List.copyOf(steps), changes.size());
    }

    private void add(BatchSegment segment, RowChange change, SourceChange source) {
        TableId table = RowChange.tableOf(change);
        var node = mapping.node(table);
        if (node.isPresent()) {
            if (change instanceof RowChange.Insert insert) {
                segment.upsertNode(node.get(), null, insert.newValues(), source.commitTime());
            } else if (change instanceof RowChange.Update update) {
                segment.upsertNode(node.get(), update.oldKey(), update.newValues(), source.commitTime());
            } else if (change instanceof RowChange.Delete delete && node.get().tombstones()) {
                segment.tombstoneNode(node.get(), delete.oldKey(), source.commitTime());
            } else if (change instanceof RowChange.Delete delete) {
                segment.deleteNode(node.get(), delete.oldKey(), source.commitTime());
            } else {
                throw RowChange.unhandled(change);
            }
            return;
        }
        var relationship = mapping.relationship(table);
        if (relationship.isEmpty()) {
            return;
        }
        if (change instanceof RowChange.Insert insert) {
            segment.upsertRelationship(relationship.get(), null, insert.newValues(), source.commitTime());
        } else if (change instanceof RowChange.Update update) {
            segment.upsertRelationship(relationship.get(), update.oldKey(), update.newValues(), source.commitTime());
        } else if (change instanceof RowChange.Delete delete) {
            segment.deleteRelationship(relationship.get(), delete.oldKey(), source.commitTime());
        } else {
            throw RowChange.unhandled(change);
        }
    }

    private void appendTruncate(RowChange.Truncate truncate, SourceChange source, List<GraphStep> steps) {
        for (TableId table : truncate.tables()) {
            mapping.relationship(table).ifPresent(r -> steps.add(new TruncateRelationships(r, source.commitTime())));
        }
        for (TableId table : truncate.tables()) {
            mapping.node(table).ifPresent(n -> steps.add(new TruncateNodes(n, mapping.historyTypes(n.label()), source.commitTime())));
        }
    }
}
