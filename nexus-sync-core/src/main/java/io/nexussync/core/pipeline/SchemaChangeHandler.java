package io.nexussync.core.pipeline;

import io.nexussync.core.model.CaptureEvent.SchemaChange;

/**
 * Told when a published table's shape changes while streaming, in stream order, before the first
 * change in the new shape is applied. Throwing stops the pipeline with that error.
 */
@FunctionalInterface
public interface SchemaChangeHandler {
    SchemaChangeHandler IGNORE = change -> { };

    void schemaChanged(SchemaChange change);
}
