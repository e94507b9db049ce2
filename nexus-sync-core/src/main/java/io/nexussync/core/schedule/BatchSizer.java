package io.nexussync.core.schedule;

import java.time.Duration;

/**
 * Adapts the batch size to the graph's measured commit time: a full batch that committed in well under
 * the target grows the next by a quarter, one that took well over it shrinks the next by a third, within
 * [{@code min}, {@code max}]. Bigger batches amortise the per-transaction cost; smaller ones keep a slow
 * graph (a busy cluster, a lock-heavy batch) from stretching every change's latency and retry.
 */
public final class BatchSizer {
    private final int min;
    private final int max;
    private final long targetNanos;
    private int size;

    public BatchSizer(int max, Duration target) {
        this.max = max;
        this.min = Math.min(max, 100);
        this.targetNanos = target.toNanos();
        this.size = max;
    }

    public int size() {
        return size;
    }

    public void observe(int changes, Duration commitTime) {
        long took = commitTime.toNanos();
        if (took > targetNanos * 3 / 2) {
            size = Math.max(min, Math.min(size, changes) * 2 / 3);
        } else if (took < targetNanos / 2 && changes >= size) {
            size = Math.min(max, size + Math.max(1, size / 4));
        }
    }
}
