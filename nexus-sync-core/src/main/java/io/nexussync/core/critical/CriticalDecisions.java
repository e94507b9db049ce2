package io.nexussync.core.critical;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * The graph's record of critical decisions ({@code (:_SyncDecision {gid})}, unique by gid). The stream records a
 * commit together with the writes it decides ({@code GraphWriter.applyCritical}); this port is for everyone else:
 * recovery reads decisions and records a rollback when a prepared transaction timed out undecided.
 */
public interface CriticalDecisions {

    /**
     * The decisions recorded for these prepared transactions (each named by global id and transaction id: a global id
     * reused later names another transaction), by global id; one without a decision is absent from the map.
     */
    Map<String, CriticalDecision> read(Collection<PreparedTransactions.Prepared> transactions);

    /**
     * Records {@code decision} unless one is already recorded for its transaction (gid and xid) (two deciders racing: the graph's uniqueness
     * constraint lets one win), and returns the one that stands.
     */
    CriticalDecision decideIfAbsent(CriticalDecision decision);

    /**
     * Removes decisions taken before {@code before} except those of {@code stillPrepared}, so that the graph does not
     * keep one node per critical write for ever. Returns how many went. ({@code before} lies far enough back that the
     * stream has long acknowledged their transactions and never reads them again.)
     */
    int forgetDecidedBefore(Instant before, Collection<String> stillPrepared);
}
