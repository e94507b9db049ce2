package io.nexussync.core.pipeline;

import java.time.Duration;

/**
 * When a batch is cut: at {@code maxChanges} changes, or {@code maxDelay} after its first event,
 * whichever comes first. A batch may end inside a transaction; the checkpoint records how far.
 */
public record BatchPolicy(int maxChanges, Duration maxDelay) {
    public static final BatchPolicy DEFAULT = new BatchPolicy(5_000, Duration.ofMillis(50));

    public BatchPolicy {
        if (maxChanges < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + maxChanges);
        }
        if (maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("batch delay must be positive, got " + maxDelay);
        }
    }
}
