package io.nexussync.core.verify;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The log of every reconciliation ({@code nexus_sync.reconciliation_log}): what was found, on which entity in both
 * systems, what was done, by which rule, by whom, when. One row per finding: finding the same discrepancy again
 * while its row is open updates that row, so a repair is logged once.
 */
public interface ReconciliationLog {

    /** Logs a finding, or returns the open row of the same kind on the same entity. */
    long found(Finding finding, String by);

    /** The findings of an entity that are open (any kind), oldest first. */
    List<LoggedFinding> openFor(String table, String key);

    /** Asks the service to repair these findings by rule. */
    void requestRepair(Collection<Long> ids, String by);

    /** Open repair requests (and repairs a crash interrupted), oldest first. */
    List<LoggedFinding> repairQueue(int limit);

    /** The service is about to write the repair: {@code repairId} names it in the graph. */
    void repairing(long id, RepairAction action, String rule, String repairId);

    void repaired(long id);

    /**
     * What the repair weighed before it was decided, in words (the seed's first two steps: the times each side last
     * changed, which side is complete): kept beside the finding for the audit.
     */
    void recordEvidence(long id, String evidence);

    /** No rule settles it: a person must. */
    void waiting(long id, String rule, String reason);

    /** Checked again; the two sides agree. */
    void cleared(long id, String reason);

    /**
     * A person's decision: {@code takePostgres} queues a repair by rule {@code person}; otherwise the graph is kept
     * and the row is resolved.
     *
     * @return the row as it now stands, or empty when there is no open finding with that id
     */
    Optional<LoggedFinding> resolve(long id, boolean takePostgres, String reason, String by);

    Optional<LoggedFinding> finding(long id);

    /** The latest findings, newest first; {@code openOnly} for those not yet settled. */
    List<LoggedFinding> findings(boolean openOnly, int limit);
}
