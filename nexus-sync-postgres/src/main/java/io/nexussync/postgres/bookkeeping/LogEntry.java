package io.nexussync.postgres.bookkeeping;

import java.time.Instant;

/**
 * One row of {@code nexus_sync.transaction_log} as {@code nexus-sync log} and {@code GET /log} show it. A batch row has the
 * LSNs, counts, duration and {@code summary} (JSON); an operation row the entity in both systems, the change (JSON), the
 * error, the retry count and the next attempt; a person's action ({@code dlq retry}) the actor and reason.
 */
public record LogEntry(long id, Instant loggedAt, String kind, String status, String operation,
                       String entityTable, String entityKey, String graphLabel, String graphId, String elementId, String entityPg,
                       String change, String error, Integer retryCount, Instant nextAttemptAt,
                       String fromLsn, String toLsn, Integer changes, Long durationMs, String summary,
                       Long deadLetterId, String actor, String reason) {}
