package io.nexussync.core.snapshot;

import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.List;

/**
 * What the graph holds, read page by page, so that a snapshot over a graph that already has data
 * (a resync, or a snapshot interrupted and begun again) can find what PostgreSQL no longer has.
 */
public interface GraphInventory {

    boolean holdsAnyNode(List<String> labels);

    /** Up to {@code limit} identities of the node's label (tombstones left out) greater than {@code afterId} (null: from the start), in order. */
    List<String> nodeIds(NodeMapping node, String afterId, int limit);

    /**
     * The current relationships of {@code mapping} (for a temporal one, the open versions) of the next
     * {@code startNodes} start nodes (by id, after {@code afterFromId}; null: from the start).
     */
    RelationshipPage currentRelationships(RelationshipMapping mapping, String afterFromId, int startNodes);

    /** The nodes of the mapping's label that mirror a row now (tombstones left out). */
    long countNodes(NodeMapping node);

    /** Relationships of {@code mapping} (for a temporal one, the open versions only). */
    long countCurrentRelationships(RelationshipMapping mapping);

    /** @param lastFromId the last start node id looked at, to page on from; null when there were none */
    record RelationshipPage(List<RelationshipKey> pairs, String lastFromId) {}
}
