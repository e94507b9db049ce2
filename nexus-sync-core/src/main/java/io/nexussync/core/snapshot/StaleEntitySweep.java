package io.nexussync.core.snapshot;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes from the graph what the snapshot's view no longer has: nodes whose row is gone, and the
 * current join-table relationships whose row is gone (a temporal one is closed, keeping its history).
 * It pages through the graph and asks the view about each page, so it costs one pass over the graph
 * and memory for one page. Deletions go through the planner like any streamed delete.
 */
final class StaleEntitySweep {

    /** Writes a page of deletions to the graph. */
    @FunctionalInterface
    interface DeletionWriter {
        void write(List<RowChange> deletions) throws InterruptedException;
    }

    private final Mapping mapping;
    private final SnapshotSource source;
    private final GraphInventory inventory;
    private final int pageSize;
    private final SnapshotProgress progress;

    StaleEntitySweep(Mapping mapping, SnapshotSource source, GraphInventory inventory, int pageSize, SnapshotProgress progress) {
        this.mapping = mapping;
        this.source = source;
        this.inventory = inventory;
        this.pageSize = pageSize;
        this.progress = progress;
    }

    void run(DeletionWriter writer) throws InterruptedException {
        // Relationships first: a node sweep would take a stale relationship with it, but not close its history.
        for (RelationshipMapping relationship : mapping.relationships()) {
            sweepRelationships(relationship, writer);
        }
        for (NodeMapping node : mapping.nodes()) {
            sweepNodes(node, writer);
        }
    }

    private void sweepNodes(NodeMapping node, DeletionWriter writer) throws InterruptedException {
        progress.sweeping(node.table());
        String after = null;
        while (true) {
            List<String> ids = inventory.nodeIds(node, after, pageSize);
            if (ids.isEmpty()) {
                return;
            }
            Set<String> existing = source.existingNodeIds(node, ids);
            List<RowChange> deletions = new ArrayList<>();
            for (String id : ids) {
                if (!existing.contains(id)) {
                    deletions.add(new RowChange.Delete(node.table(), node.keyValues(id)));
                }
            }
            if (!deletions.isEmpty()) {
                writer.write(deletions);
            }
            after = ids.get(ids.size() - 1);
        }
    }

    /** The endpoint's key columns with the text forms its identity encodes: a row image with that endpoint. */
    private static void putKey(Map<String, Object> row, List<String> columns, String identity) {
        List<String> parts = NodeIdentity.decode(identity, columns.size());
        for (int i = 0; i < columns.size(); i++) {
            row.put(columns.get(i), parts.get(i));
        }
    }

    private void sweepRelationships(RelationshipMapping relationship, DeletionWriter writer) throws InterruptedException {
        progress.sweeping(relationship.table());
        String afterFrom = null;
        while (true) {
            GraphInventory.RelationshipPage page = inventory.currentRelationships(relationship, afterFrom, pageSize);
            if (page.lastFromId() == null) {
                return;
            }
            List<RelationshipKey> pairs = page.pairs();
            Set<RelationshipKey> existing = source.existingPairs(relationship, pairs);
            List<RowChange> deletions = new ArrayList<>();
            for (RelationshipKey pair : pairs) {
                if (!existing.contains(pair)) {
                    Map<String, Object> oldKey = new HashMap<>();
                    putKey(oldKey, relationship.from().columns(), pair.fromId());
                    putKey(oldKey, relationship.to().columns(), pair.toId());
                    deletions.add(new RowChange.Delete(relationship.table(), oldKey));
                }
            }
            if (!deletions.isEmpty()) {
                writer.write(deletions);
            }
            afterFrom = page.lastFromId();
        }
    }
}
