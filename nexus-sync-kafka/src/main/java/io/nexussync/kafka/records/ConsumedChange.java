package io.nexussync.kafka.records;

import io.nexussync.core.model.Position;
import io.nexussync.core.model.SourceChange;

/** A change as the apply side reads it back: what the planner takes and where it sat in the stream. */
public record ConsumedChange(SourceChange change, Position position) {}
