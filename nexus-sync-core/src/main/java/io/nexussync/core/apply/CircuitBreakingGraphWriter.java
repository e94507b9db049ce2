package io.nexussync.core.apply;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;

/** Every write to the graph goes through the graph's circuit: while it is open, calls fail fast without reaching the server. */
public final class CircuitBreakingGraphWriter implements GraphWriter {
    private final GraphWriter delegate;
    private final CircuitBreaker circuit;

    public CircuitBreakingGraphWriter(GraphWriter delegate, CircuitBreaker circuit) {
        this.delegate = delegate;
        this.circuit = circuit;
    }

    @Override
    public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
        return circuit.call(() -> delegate.apply(plan, checkpoint));
    }

    @Override
    public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
        return circuit.call(() -> delegate.applySnapshot(plan, mark));
    }

    @Override
    public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
        return circuit.call(() -> delegate.applyRepair(plan, repairId));
    }

    @Override
    public CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
        return circuit.call(() -> delegate.applyCritical(plan, checkpoint, decision));
    }

    @Override
    public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
        return circuit.call(() -> delegate.applyConsumed(plan, offsets));
    }
}
