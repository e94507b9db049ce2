package io.nexussync.core.verify;

import java.time.Instant;

/**
 * A row of {@code nexus_sync.reconciliation_log}: a finding and what became of it.
 *
 * @param rule      the precedence rule that decided the repair (or {@code person})
 * @param decidedBy who asked: {@code verify} (a command), {@code schedule}, {@code admin-api}, or a person's name
 * @param repairId  the id of the repair that carries it out (a graph-side repair records it in the graph), or null
 */
public record LoggedFinding(long id, Finding finding, FindingStatus status, RepairAction action, String rule, String decidedBy,
                            String reason, Instant detectedAt, Instant settledAt, String repairId) {}
