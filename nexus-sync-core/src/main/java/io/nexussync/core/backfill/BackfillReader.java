package io.nexussync.core.backfill;

import io.nexussync.core.model.TableId;
import io.nexussync.core.snapshot.SnapshotSource.Chunk;
import java.util.List;

/** The source side of a backfill: watermarks written into the change stream, and chunks read between them. */
public interface BackfillReader {

    /** Writes a message into the stream, in its own committed transaction, so it arrives in commit order. */
    void emitWatermark(String prefix, String content);

    /** Up to {@code limit} rows of {@code table} matching {@code where} (null: all) after {@code afterKey}, in key order. */
    Chunk readChunk(TableId table, String where, List<String> afterKey, int limit);
}
