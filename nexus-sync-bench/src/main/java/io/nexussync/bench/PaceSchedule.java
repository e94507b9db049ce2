package io.nexussync.bench;

/**
 * A fixed rate of events (row changes, probe writes) from a start instant, on {@link System#nanoTime()}'s scale: the
 * {@code n}th event (counting from 1) is due {@code n / rate} seconds after the start. Open-loop: how long the events
 * before took does not move the ones after, so a writer that fell behind catches up instead of slowing the rate down.
 * Immutable; shared by any number of threads.
 */
record PaceSchedule(double perSecond, long startNanos) {
    PaceSchedule {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a pace needs a positive, finite rate per second, not " + perSecond);
        }
    }

    /** When the {@code n}th event (from 1) is due: rounded up, so it is never early. */
    long dueNanos(long n) {
        return startNanos + (long) Math.ceil(n * 1e9 / perSecond);
    }

    /** How long, from {@code nowNanos}, until the event after the first {@code done} is due; 0 if it is due now or overdue. */
    long nanosUntilNext(long done, long nowNanos) {
        return Math.max(0, dueNanos(done + 1) - nowNanos);
    }
}
