package io.nexussync.app.wiring;

import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.verify.VerifyGraph;
import java.util.Collection;
import java.util.List;

/**
 * Verify's graph reads behind the Neo4j circuit, as the stream's writes are: while Neo4j is taken as down, a verify
 * fails fast instead of piling timeouts on a server that is away. A scan passes through the circuit when it opens
 * (its first pull); a failure later in the scan ends the verify run with the driver's error.
 */
final class CircuitBreakingVerifyGraph implements VerifyGraph {
    private final VerifyGraph delegate;
    private final CircuitBreaker circuit;

    CircuitBreakingVerifyGraph(VerifyGraph delegate, CircuitBreaker circuit) {
        this.delegate = delegate;
        this.circuit = circuit;
    }

    @Override
    public GraphScan<GraphNode> scanNodes(NodeMapping mapping) {
        return circuit.call(() -> delegate.scanNodes(mapping));
    }

    @Override
    public List<GraphNode> nodes(NodeMapping mapping, Collection<String> ids) {
        return circuit.call(() -> delegate.nodes(mapping, ids));
    }

    @Override
    public List<UnidentifiedNode> unidentified(NodeMapping mapping, int limit) {
        return circuit.call(() -> delegate.unidentified(mapping, limit));
    }

    @Override
    public GraphScan<GraphPair> scanRelationships(RelationshipMapping mapping) {
        return circuit.call(() -> delegate.scanRelationships(mapping));
    }

    @Override
    public List<GraphPair> pairs(RelationshipMapping mapping, Collection<String> pairKeys) {
        return circuit.call(() -> delegate.pairs(mapping, pairKeys));
    }

    @Override
    public long countNodes(NodeMapping mapping) {
        return circuit.call(() -> delegate.countNodes(mapping));
    }

    @Override
    public long countRelationships(RelationshipMapping mapping) {
        return circuit.call(() -> delegate.countRelationships(mapping));
    }

    @Override
    public boolean repairCommitted(String repairId) {
        return circuit.call(() -> delegate.repairCommitted(repairId));
    }
}
