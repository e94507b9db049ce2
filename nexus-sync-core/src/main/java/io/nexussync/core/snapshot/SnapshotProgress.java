package io.nexussync.core.snapshot;

import io.nexussync.core.model.TableId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** How far a running snapshot has got, for the console, {@code status} and metrics. Written by the snapshot only. */
public final class SnapshotProgress {
    private final Clock clock;
    private final Instant startedAt;
    private final AtomicLong rowsDone = new AtomicLong();
    private volatile long rowsTotal;
    private volatile TableId table;
    private volatile String phase = "counting rows";
    private volatile Instant finishedAt;
    private final AtomicLong readingNanos = new AtomicLong();
    private final AtomicLong readWaitNanos = new AtomicLong();
    private final AtomicLong graphWriteNanos = new AtomicLong();
    private final AtomicLong writeBackWaitNanos = new AtomicLong();

    public SnapshotProgress(Clock clock) {
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    void estimated(long total) {
        rowsTotal = total;
    }

    void reading(TableId current) {
        table = current;
        phase = "reading";
    }

    void rowsWritten(long rows) {
        rowsDone.addAndGet(rows);
    }

    /** Time the reader spent reading a chunk from PostgreSQL and converting its values (on its own thread, beside the writes). */
    void timeReading(long nanos) {
        readingNanos.addAndGet(nanos);
    }

    /** Time the writer waited for the next chunk: what reading added to the snapshot's time. */
    void timeReadWait(long nanos) {
        readWaitNanos.addAndGet(nanos);
    }

    void timeGraphWrite(long nanos) {
        graphWriteNanos.addAndGet(nanos);
    }

    void timeWriteBackWait(long nanos) {
        writeBackWaitNanos.addAndGet(nanos);
    }

    /** Where the snapshot's time went so far. */
    public TimeSpent timeSpent() {
        return new TimeSpent(Duration.ofNanos(readingNanos.get()), Duration.ofNanos(readWaitNanos.get()),
                Duration.ofNanos(graphWriteNanos.get()), Duration.ofNanos(writeBackWaitNanos.get()));
    }

    /**
     * @param reading       PostgreSQL reads and value conversion, on the reader's thread (overlapping the writes)
     * @param readWait      the part of it the writer waited for
     * @param graphWrite    the Neo4j transactions (each chunk's and the marks)
     * @param writeBackWait waiting for the cross-reference write-back (its queue full, or draining at the end)
     */
    public record TimeSpent(Duration reading, Duration readWait, Duration graphWrite, Duration writeBackWait) {
        @Override
        public String toString() {
            return String.format("%.1f s reading from PostgreSQL (%.1f s of it waited for), %.1f s in Neo4j writes, "
                    + "%.1f s waiting for the cross-reference write-back", reading.toNanos() / 1e9, readWait.toNanos() / 1e9,
                    graphWrite.toNanos() / 1e9, writeBackWait.toNanos() / 1e9);
        }
    }

    void sweeping(TableId current) {
        table = current;
        phase = "removing what PostgreSQL no longer has";
    }

    void finished() {
        phase = "done";
        finishedAt = clock.instant();
    }

    public long rowsDone() {
        return rowsDone.get();
    }

    public long rowsTotal() {
        return rowsTotal;
    }

    public TableId table() {
        return table;
    }

    public String phase() {
        return phase;
    }

    public boolean isFinished() {
        return finishedAt != null;
    }

    public Duration elapsed() {
        return Duration.between(startedAt, finishedAt != null ? finishedAt : clock.instant());
    }

    public double rowsPerSecond() {
        double seconds = elapsed().toMillis() / 1000.0;
        return seconds <= 0 ? 0 : rowsDone.get() / seconds;
    }

    /** Time left at the rate so far; null before there is a rate. */
    public Duration eta() {
        double rate = rowsPerSecond();
        if (rate <= 0 || rowsTotal <= 0) {
            return null;
        }
        long left = Math.max(0, rowsTotal - rowsDone.get());
        return Duration.ofMillis((long) (left / rate * 1000));
    }

    /** One line for the console: rows done of the estimate, rate and time left. */
    public String describe() {
        long done = rowsDone.get();
        long total = Math.max(rowsTotal, done);
        int percent = total == 0 ? 100 : (int) (done * 100 / total);
        Duration eta = eta();
        return String.format("snapshot %s%s: %,d / %,d rows (%d%%), %,.0f rows/s%s", phase,
                table == null ? "" : " " + table, done, total, percent, rowsPerSecond(),
                eta == null || isFinished() ? "" : ", about " + eta.toSeconds() + " s left");
    }
}
