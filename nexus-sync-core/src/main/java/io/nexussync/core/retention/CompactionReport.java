package io.nexussync.core.retention;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one compaction did (or, for a dry run, would do): the cut, and per temporal relationship of the mapping how many
 * closed versions that ended before it were removed (counted), in how many transactions and how long it took.
 *
 * @param stopped    the service stopped it before every type was done: the counts are what was removed until then
 * @param tombstones per node table that keeps tombstones, how many deleted before the cut went once their history had
 */
public record CompactionReport(Instant cut, boolean dryRun, List<TypeResult> types, List<TypeResult> tombstones, boolean stopped) {

    /**
     * One mapped temporal relationship ({@code type} and the join table it mirrors, {@code versions} removed) or, in
     * {@link #tombstones}, one node table (its label as {@code type}, {@code versions} the tombstones removed).
     */
    public record TypeResult(String type, String table, long versions, int transactions, Duration took) {}

    public CompactionReport {
        types = List.copyOf(types);
        tombstones = List.copyOf(tombstones);
    }

    /** Every node table's tombstones removed together. */
    public long tombstonesRemoved() {
        return tombstones.stream().mapToLong(TypeResult::versions).sum();
    }

    /** Every type's versions together. */
    public long versions() {
        return types.stream().mapToLong(TypeResult::versions).sum();
    }
}
