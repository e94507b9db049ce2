package io.nexussync.core.reverse;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code nexus_sync.conflict_log} for people: what was decided, and the conflicts that wait for a decision ({@code manual}). */
public interface ConflictLog {

    /** A logged conflict. {@code status}: settled (by its rule), open (waits for a person), resolved (a person decided). */
    record LoggedConflict(long id, Instant detectedAt, String table, String entityKey, String entity, String kind, String property,
                          String rule, String decision, String status, Long rowPgVersion, Long rowGraphVersion, Long basePgVersion,
                          Long graphVersion, String postgresValue, String graphValue, Instant postgresCommittedAt,
                          Instant graphCommittedAt, long outboxSeq, String reason, String resolvedBy, Instant resolvedAt,
                          String resolution) {}

    /** Newest first; {@code all}: settled and resolved ones too, else only the open ones. */
    List<LoggedConflict> list(boolean all, int limit);

    Optional<LoggedConflict> find(long id);

    /**
     * A person's decision on an open conflict, in one PostgreSQL transaction: {@code GRAPH} writes the graph's value to the
     * row (a property) or deletes the row (a delete) as an ordinary change, which the stream mirrors; {@code POSTGRES}
     * keeps the row (the graph already shows it). Throws an {@code IllegalArgumentException} naming the problem for an
     * unknown id, a conflict not open, or a side the conflict's kind cannot take.
     */
    LoggedConflict resolve(long id, ConflictRecord.Side take, String by, String reason);

    long openCount();
}
