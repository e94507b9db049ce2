package io.nexussync.core.verify;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph's side of verify: what the graph holds for a mapped label or relationship type, in
 * {@link EntityKeys#ORDER key order}, streamed. Property values are plain Java values (String, Long, Double,
 * Boolean, java.time values, lists of them; anything else in a form {@link CanonicalValue} names by its class).
 */
public interface VerifyGraph {

    /** Every node of the label that has the identity property, in identity order. */
    GraphScan<GraphNode> scanNodes(NodeMapping mapping);

    /** The nodes with these identities (absent ones left out). */
    List<GraphNode> nodes(NodeMapping mapping, Collection<String> ids);

    /** Up to {@code limit} nodes of the label without the identity property (the seed's own query, widened). */
    List<UnidentifiedNode> unidentified(NodeMapping mapping, int limit);

    /**
     * Every pair of nodes (start with the from label, end with the to label, both with their identity property)
     * joined by at least one relationship of the type, in pair key order, each with every such relationship
     * between them (so a duplicate, or a temporal relationship's whole history, is there).
     */
    GraphScan<GraphPair> scanRelationships(RelationshipMapping mapping);

    /** The pairs with these {@link EntityKeys#pair pair keys} that have at least one relationship of the type. */
    List<GraphPair> pairs(RelationshipMapping mapping, Collection<String> pairKeys);

    /** The nodes of the mapping's label that mirror a row now (tombstones left out). */
    long countNodes(NodeMapping mapping);

    long countRelationships(RelationshipMapping mapping);

    /** Whether a repair with this id was committed ({@link io.nexussync.core.apply.CommitRecord.Repair}). */
    boolean repairCommitted(String repairId);

    interface GraphScan<T> extends Iterator<T>, AutoCloseable {
        @Override
        void close();
    }

    /**
     * @param properties every property of the node
     * @param parents    per {@link NodeMapping#parentLinks() parent link}, in the mapping's order, the identity of the
     *                   node at the other end of each relationship of the link's type and direction (one entry per
     *                   relationship, so a duplicate shows twice; null for a node there without the identity property)
     */
    record GraphNode(String id, String elementId, Map<String, Object> properties, List<List<String>> parents) {}

    /** @param relationships the properties of each relationship of the type between the two nodes */
    record GraphPair(String fromId, String toId, List<Map<String, Object>> relationships) {
        public String key() {
            return EntityKeys.pair(fromId, toId);
        }
    }

    record UnidentifiedNode(String elementId, Set<String> propertyNames) {}
}
