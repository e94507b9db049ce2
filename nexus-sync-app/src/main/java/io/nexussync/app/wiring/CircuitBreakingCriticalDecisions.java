package io.nexussync.app.wiring;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalDecisions;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.fault.CircuitBreaker;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Recovery's reads and writes of critical decisions behind the Neo4j circuit, as the stream's writes are: while Neo4j is
 * taken as down, a recovery pass fails fast instead of waiting for a connection timeout every interval.
 */
final class CircuitBreakingCriticalDecisions implements CriticalDecisions {
    private final CriticalDecisions delegate;
    private final CircuitBreaker circuit;

    CircuitBreakingCriticalDecisions(CriticalDecisions delegate, CircuitBreaker circuit) {
        this.delegate = delegate;
        this.circuit = circuit;
    }

    @Override
    public Map<String, CriticalDecision> read(Collection<PreparedTransactions.Prepared> transactions) {
        return circuit.call(() -> delegate.read(transactions));
    }

    @Override
    public CriticalDecision decideIfAbsent(CriticalDecision decision) {
        return circuit.call(() -> delegate.decideIfAbsent(decision));
    }

    @Override
    public int forgetDecidedBefore(Instant before, Collection<String> stillPrepared) {
        return circuit.call(() -> delegate.forgetDecidedBefore(before, stillPrepared));
    }
}
