package io.nexussync.core.pipeline;

import io.nexussync.core.mapping.Lane;
import java.time.Instant;
import java.util.Map;

/**
 * The scheduler's state as status and metrics show it.
 *
 * @param pendingByLane   changes read and waiting for a worker, per lane
 * @param pendingBytes    their estimated heap, against the read-ahead bound
 * @param batchesInFlight batches being written by workers now
 * @param batchSize       the adaptive batch size now
 * @param runsAhead       runs of changes applied out of stream order that the checkpoint carries
 * @param oldestPendingCommittedAt PostgreSQL's commit time of the oldest change read and waiting (null when none waits):
 *                        now minus it is how far the graph is behind what was read
 * @param caughtUp        the stream session has read everything the stream had at least once
 */
public record ApplyQueue(Map<Lane, Long> pendingByLane, long pendingBytes, int batchesInFlight, int batchSize, int runsAhead,
                         Instant oldestPendingCommittedAt, boolean caughtUp) {
    public static final ApplyQueue EMPTY = new ApplyQueue(Map.of(), 0, 0, 0, 0, null, false);

    public ApplyQueue(Map<Lane, Long> pendingByLane, long pendingBytes, int batchesInFlight, int batchSize, int runsAhead) {
        this(pendingByLane, pendingBytes, batchesInFlight, batchSize, runsAhead, null, false);
    }
}
