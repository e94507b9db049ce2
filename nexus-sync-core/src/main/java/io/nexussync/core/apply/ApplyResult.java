package io.nexussync.core.apply;

import io.nexussync.core.acknowledge.CrossReference;
import java.util.List;

/** What one committed batch did in the graph. */
public record ApplyResult(List<CrossReference> crossReferences, long nodeRows, long relationshipRows) {
    public static final ApplyResult NOTHING = new ApplyResult(List.of(), 0, 0);
}
