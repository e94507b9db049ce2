package io.nexussync.core.apply;

import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;

/** Checkpoint reads and resets go through the graph's circuit too: while it is open, they fail fast. */
public final class CircuitBreakingCheckpointStore implements CheckpointStore {
    private final CheckpointStore delegate;
    private final CircuitBreaker circuit;

    public CircuitBreakingCheckpointStore(CheckpointStore delegate, CircuitBreaker circuit) {
        this.delegate = delegate;
        this.circuit = circuit;
    }

    @Override
    public Checkpoint loadCheckpoint() {
        return circuit.call(delegate::loadCheckpoint);
    }

    @Override
    public SnapshotMark loadSnapshotMark() {
        return circuit.call(delegate::loadSnapshotMark);
    }

    @Override
    public void resetCheckpoint() {
        circuit.run(delegate::resetCheckpoint);
    }
}
