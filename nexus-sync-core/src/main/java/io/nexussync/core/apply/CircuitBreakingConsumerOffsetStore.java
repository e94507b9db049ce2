package io.nexussync.core.apply;

import io.nexussync.core.fault.CircuitBreaker;
import java.util.Map;

/** A consumer group's offset reads and resets go through the graph's circuit too: while it is open, they fail fast. */
public final class CircuitBreakingConsumerOffsetStore implements ConsumerOffsetStore {
    private final ConsumerOffsetStore delegate;
    private final CircuitBreaker circuit;

    public CircuitBreakingConsumerOffsetStore(ConsumerOffsetStore delegate, CircuitBreaker circuit) {
        this.delegate = delegate;
        this.circuit = circuit;
    }

    @Override
    public Map<Integer, Long> loadOffsets(String group, String topic) {
        return circuit.call(() -> delegate.loadOffsets(group, topic));
    }

    @Override
    public void resetOffsets(String group) {
        circuit.run(() -> delegate.resetOffsets(group));
    }
}
