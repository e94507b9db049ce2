package io.nexussync.app.components;

import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.postgres.slot.SlotHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #window()} of the figures {@code /status} shows, one {@link Sample} per {@link #interval()}, for the
 * console's chart ({@code GET /status/history}). Memory is bounded: the oldest sample goes when a new one would exceed
 * {@code window / interval} of them. Thread-safe: one sampler records, any thread reads.
 */
public final class StatusHistory {
    /** Ten minutes at one-second resolution: 600 samples of a few numbers each. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    /**
     * One reading.
     *
     * @param changesPerSecond changes applied since the sample before, per second of the time between them (0 for the first)
     * @param pending          changes read and waiting to be applied, all lanes together
     * @param slotLagBytes     WAL not yet confirmed by the sync, as the slot monitor last read it (null before its first reading)
     */
    public record Sample(Instant at, String state, long changesApplied, double changesPerSecond, long pending, Long slotLagBytes) {}

    private final Duration window;
    private final Duration interval;
    private final int capacity;
    private final ArrayDeque<Sample> samples;

    public StatusHistory() {
        this(DEFAULT_WINDOW, DEFAULT_INTERVAL);
    }

    public StatusHistory(Duration window, Duration interval) {
        if (interval.isZero() || interval.isNegative() || window.compareTo(interval) < 0) {
            throw new IllegalArgumentException("a status history needs a positive interval no longer than its window (window " + window
                    + ", interval " + interval + ")");
        }
        this.window = window;
        this.interval = interval;
        this.capacity = (int) (window.toMillis() / interval.toMillis());
        this.samples = new ArrayDeque<>(capacity);
    }

    /** Records the progress and the slot's last reading as they are at {@code at}. */
    public void sample(Instant at, SyncProgress progress, SlotHealth slot) {
        long applied = progress.changesApplied();
        long pending = progress.queue().pendingByLane().values().stream().mapToLong(Long::longValue).sum();
        Long lag = slot == null || !slot.exists() ? null : slot.lagBytes();
        record(at, progress.stateName(), applied, pending, lag);
    }

    synchronized void record(Instant at, String state, long changesApplied, long pending, Long slotLagBytes) {
        Sample previous = samples.peekLast();
        double perSecond = 0;
        if (previous != null) {
            long millis = Duration.between(previous.at(), at).toMillis();
            // A restarted counter (a new stream session counts from its own start) is no negative throughput.
            long delta = Math.max(0, changesApplied - previous.changesApplied());
            perSecond = millis <= 0 ? 0 : delta * 1000.0 / millis;
        }
        if (samples.size() == capacity) {
            samples.removeFirst();
        }
        samples.addLast(new Sample(at, state, changesApplied, Math.round(perSecond * 10) / 10.0, pending, slotLagBytes));
    }

    /** The samples, oldest first. */
    public synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    public Duration window() {
        return window;
    }

    public Duration interval() {
        return interval;
    }
}
