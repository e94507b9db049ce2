package io.nexussync.core.pipeline;

import java.time.Duration;

/**
 * How changes are cut into batches and applied.
 *
 * @param maxChanges      the most stream changes in one batch; the adaptive size never exceeds it
 * @param maxDelay        a batch goes out at the latest this long after its oldest change was read
 * @param maxBytes        a batch stops taking changes at about this many bytes of row data
 * @param targetCommit    the graph commit time the batch size adapts to (smaller when commits take longer, larger when shorter)
 * @param workers         apply workers writing batches of disjoint entities at once
 * @param readAheadBytes  the memory bound on changes read and not yet applied: reading from the slot stops at it
 * @param laneCacheEntries how many entities' last images the lane classifier remembers
 */
public record BatchPolicy(int maxChanges, Duration maxDelay, long maxBytes, Duration targetCommit, int workers,
                          long readAheadBytes, int laneCacheEntries) {
    public static final BatchPolicy DEFAULT = new BatchPolicy(5_000, Duration.ofMillis(10));

    public BatchPolicy {
        if (maxChanges < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + maxChanges);
        }
        if (maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("batch delay must be positive, got " + maxDelay);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("apply workers must be at least 1, got " + workers);
        }
        if (maxBytes < 1 || readAheadBytes < 1) {
            throw new IllegalArgumentException("byte bounds must be positive, got " + maxBytes + " and " + readAheadBytes);
        }
    }

    /** One worker, 16 MB batches, 128 MB read-ahead, 1 s target commit, 100,000 remembered images. */
    public BatchPolicy(int maxChanges, Duration maxDelay) {
        this(maxChanges, maxDelay, 16L << 20, Duration.ofSeconds(1), 1, 128L << 20, 100_000);
    }

    public BatchPolicy withWorkers(int count) {
        return new BatchPolicy(maxChanges, maxDelay, maxBytes, targetCommit, count, readAheadBytes, laneCacheEntries);
    }

    public BatchPolicy withReadAheadBytes(long bytes) {
        return new BatchPolicy(maxChanges, maxDelay, maxBytes, targetCommit, workers, bytes, laneCacheEntries);
    }

    public BatchPolicy withLaneCacheEntries(int entries) {
        return new BatchPolicy(maxChanges, maxDelay, maxBytes, targetCommit, workers, readAheadBytes, entries);
    }

    public BatchPolicy withTargetCommit(Duration target) {
        return new BatchPolicy(maxChanges, maxDelay, maxBytes, target, workers, readAheadBytes, laneCacheEntries);
    }
}
