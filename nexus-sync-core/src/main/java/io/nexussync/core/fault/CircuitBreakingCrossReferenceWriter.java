package io.nexussync.core.fault;

import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import java.util.List;

/** Write-back to PostgreSQL through its own circuit, so that the after-commit stage does not hammer a PostgreSQL that is away. */
public final class CircuitBreakingCrossReferenceWriter implements CrossReferenceWriter {
    private final CrossReferenceWriter delegate;
    private final CircuitBreaker circuit;

    public CircuitBreakingCrossReferenceWriter(CrossReferenceWriter delegate, CircuitBreaker circuit) {
        this.delegate = delegate;
        this.circuit = circuit;
    }

    @Override
    public void write(List<CrossReference> references) {
        circuit.run(() -> delegate.write(references));
    }
}
