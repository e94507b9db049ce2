package io.nexussync.it.testkit;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;

/** Wraps the service's graph writer and tells {@code observer} about each plan once the graph has committed it. */
final class ObservedGraphWriter extends ForwardingGraphWriter {

    @FunctionalInterface
    interface Observer {
        /** @param fromSnapshot the plan was a snapshot chunk, not a streamed batch */
        void committed(GraphWritePlan plan, boolean fromSnapshot);
    }

    private final Observer observer;

    ObservedGraphWriter(GraphWriter delegate, Observer observer) {
        super(delegate);
        this.observer = observer;
    }

    @Override
    public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
        ApplyResult result = delegate.apply(plan, checkpoint);
        observer.committed(plan, false);
        return result;
    }

    @Override
    public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
        ApplyResult result = delegate.applySnapshot(plan, mark);
        observer.committed(plan, true);
        return result;
    }

    @Override
    public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
        ApplyResult result = delegate.applyConsumed(plan, offsets);
        observer.committed(plan, false);
        return result;
    }
}
