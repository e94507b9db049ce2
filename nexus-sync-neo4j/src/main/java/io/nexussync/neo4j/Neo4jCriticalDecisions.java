package io.nexussync.neo4j;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalDecisions;
import io.nexussync.core.critical.PreparedTransactions;
import java.time.Instant;
import java.util.Collection;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;

/**
 * The graph's record of critical decisions, {@code (:_SyncDecision {key: <slot>/<gid>/<xid>})} (unique), as recovery reads
 * and writes it. The stream records its decisions with the writes they decide ({@link Neo4jGraphWriter#applyCritical}).
 */
public final class Neo4jCriticalDecisions implements CriticalDecisions {
    private final Driver driver;
    private final SessionConfig session;
    private final String slot;

    public Neo4jCriticalDecisions(Driver driver, String database, String slot) {
        this.driver = driver;
        this.session = database == null ? SessionConfig.defaultConfig() : SessionConfig.forDatabase(database);
        this.slot = slot;
    }

    @Override
    public Map<String, CriticalDecision> read(Collection<PreparedTransactions.Prepared> transactions) {
        if (transactions.isEmpty()) {
            return Map.of();
        }
        List<String> keys = transactions.stream().map(t -> DecisionRecords.key(slot, t.gid(), t.xid())).toList();
        try (Session s = driver.session(session)) {
            return s.executeRead(tx -> {
                Map<String, CriticalDecision> decisions = new HashMap<>();
                for (Record r : tx.run(DecisionRecords.READ, Map.of("keys", keys)).list()) {
                    CriticalDecision decision = DecisionRecords.of(r);
                    decisions.put(decision.gid(), decision);
                }
                return decisions;
            }, Neo4jTransactions.config(Neo4jTransactions.CRITICAL));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("reading critical decisions", e);
        }
    }

    @Override
    public CriticalDecision decideIfAbsent(CriticalDecision decision) {
        try (Session s = driver.session(session)) {
            return s.executeWrite(tx -> DecisionRecords.of(tx.run(DecisionRecords.DECIDE, DecisionRecords.decide(slot, decision)).single()),
                    Neo4jTransactions.config(Neo4jTransactions.CRITICAL));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("recording the decision for critical write " + decision.gid(), e);
        }
    }

    @Override
    public int forgetDecidedBefore(Instant before, Collection<String> stillPrepared) {
        try (Session s = driver.session(session)) {
            return s.executeWrite(tx -> tx.run(DecisionRecords.FORGET, Map.of("slot", slot, "before", before.atOffset(ZoneOffset.UTC),
                    "keep", List.copyOf(stillPrepared))).single().get("forgotten").asInt(), Neo4jTransactions.config(Neo4jTransactions.CRITICAL));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("forgetting old critical decisions", e);
        }
    }
}
