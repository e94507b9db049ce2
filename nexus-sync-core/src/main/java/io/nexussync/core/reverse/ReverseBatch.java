package io.nexussync.core.reverse;

import java.util.List;
import java.util.Map;

/**
 * What one reverse transaction did.
 *
 * @param appliedEntries  outbox entries applied now (not counting those the position already covered)
 * @param appliedByEntity row writes by entity (label or relationship type)
 * @param conflicts       the conflicts logged, with their decisions
 */
public record ReverseBatch(int appliedEntries, Map<String, Integer> appliedByEntity, List<ConflictRecord> conflicts) {
    public static final ReverseBatch NONE = new ReverseBatch(0, Map.of(), List.of());

    public ReverseBatch {
        appliedByEntity = Map.copyOf(appliedByEntity);
        conflicts = List.copyOf(conflicts);
    }
}
