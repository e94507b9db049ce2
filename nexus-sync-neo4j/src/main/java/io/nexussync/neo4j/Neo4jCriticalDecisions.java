package io.nexussync.neo4j;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalDecisions;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.SessionConfig;

/**
 * The graph's record of critical decisions, {@code (:_SyncDecision {key: <slot>/<gid>})} (unique), as recovery reads
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
    public Map<String, CriticalDecision> read(Collection<String> gids) {
        throw new UnsupportedOperationException("in progress");
    }

    @Override
    public CriticalDecision decideIfAbsent(CriticalDecision decision) {
        throw new UnsupportedOperationException("in progress");
    }

    @Override
    public int forgetDecidedBefore(Instant before, Collection<String> stillPrepared) {
        throw new UnsupportedOperationException("in progress");
    }
}
