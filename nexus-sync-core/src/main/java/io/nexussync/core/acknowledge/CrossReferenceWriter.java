package io.nexussync.core.acknowledge;

import java.util.List;

/**
 * Writes node elementIds back to the rows that own them, in a way that the capture recognises and
 * skips (so the write-back is never synced again) and that does not bump the row version.
 */
public interface CrossReferenceWriter {
    void write(List<CrossReference> references);
}
