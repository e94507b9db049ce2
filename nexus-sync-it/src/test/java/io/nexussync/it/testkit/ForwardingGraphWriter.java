package io.nexussync.it.testkit;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.CriticalApplied;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;

/** A graph writer that hands everything to another: tests override what they watch or hold up. */
public abstract class ForwardingGraphWriter implements GraphWriter {
    protected final GraphWriter delegate;

    protected ForwardingGraphWriter(GraphWriter delegate) {
        this.delegate = delegate;
    }

    @Override
    public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
        return delegate.apply(plan, checkpoint);
    }

    @Override
    public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
        return delegate.applySnapshot(plan, mark);
    }

    @Override
    public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
        return delegate.applyRepair(plan, repairId);
    }

    @Override
    public CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
        return delegate.applyCritical(plan, checkpoint, decision);
    }

    @Override
    public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
        return delegate.applyConsumed(plan, offsets);
    }
}
