package io.nexussync.core.schedule;

import io.nexussync.core.model.SourceChange;
import io.nexussync.core.mapping.Lane;
import java.time.Instant;
import java.util.List;

/**
 * A batch the scheduler handed out: its changes in stream order (coalesced per entity where they
 * could be), the ordinals of every stream change it covers, and per ordinal the change's lane and
 * PostgreSQL commit time (for the visibility metrics).
 *
 * @param id      1 or more; what the ledger knows it by while in flight
 * @param covered per entry of {@code changes}, the ordinals of the stream changes it stands for (several when coalesced)
 * @param lane    the highest lane among its changes
 * @param barrier a TRUNCATE, alone in its batch
 */
public record ScheduledBatch(int id, List<SourceChange> changes, List<long[]> covered, long[] ordinals, Lane[] lanes,
                             Instant[] committedAt, Lane lane, boolean barrier) {

    public int size() {
        return ordinals.length;
    }
}
