package io.nexussync.core.reverse;

import java.util.List;

/** What one graph edit does to PostgreSQL: the row writes, and the conflicts to log with their decisions. */
public record Decision(List<RowWrite> writes, List<ConflictRecord> conflicts) {
    public static final Decision NOTHING = new Decision(List.of(), List.of());

    public Decision {
        writes = List.copyOf(writes);
        conflicts = List.copyOf(conflicts);
    }
}
