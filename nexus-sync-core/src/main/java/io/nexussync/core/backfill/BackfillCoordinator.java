package io.nexussync.core.backfill;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.snapshot.SnapshotSource.Chunk;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works through queued backfill jobs while the stream runs, one chunk at a time: low watermark, read,
 * register, high watermark, then wait until the pipeline has committed the chunk before recording the
 * job's progress. A crash between the graph commit and that record costs one chunk read again, which
 * the watermarks and version guards make harmless. Runs on a thread of its own until {@link #stop()}.
 */
public final class BackfillCoordinator implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BackfillCoordinator.class);
    private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

    private final BackfillStore store;
    private final BackfillReader reader;
    private final WatermarkWindows windows;
    private final RetryPolicy retry;
    private final Clock clock;
    private final int chunkSize;
    private final Duration idlePoll;
    private final Duration chunkTimeout;
    private final AtomicLong chunkSequence = new AtomicLong();
    private volatile boolean stopping;
    private volatile Status status;

    /** What the coordinator is doing, for status. */
    public record Status(long jobId, String table, long rowsDone, Instant startedAt, double rowsPerSecond) {}

    public BackfillCoordinator(BackfillStore store, BackfillReader reader, WatermarkWindows windows, RetryPolicy retry, Clock clock,
                               int chunkSize, Duration idlePoll, Duration chunkTimeout) {
        this.store = store;
        this.reader = reader;
        this.windows = windows;
        this.retry = retry;
        this.clock = clock;
        this.chunkSize = chunkSize;
        this.idlePoll = idlePoll;
        this.chunkTimeout = chunkTimeout;
    }

    public void stop() {
        stopping = true;
    }

    /** The job in progress, or null when idle. */
    public Status status() {
        return status;
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                Optional<BackfillJob> job = retry.call("backfill queue", store::next, this::logRetry);
                if (job.isEmpty()) {
                    Thread.sleep(idlePoll.toMillis());
                } else {
                    runJob(job.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SyncException e) {
            log.error("backfill stopped: {}", e.getMessage());
        } finally {
            status = null;
        }
    }

    private void runJob(BackfillJob queued) throws InterruptedException {
        BackfillJob job;
        try {
            // Checked when queued too; a job queued by an earlier version, or written into the table by hand, was not.
            job = new BackfillJob(queued.id(), queued.table(), WhereCondition.check(queued.where()), queued.lastKey(), queued.rowsDone());
        } catch (SyncException refused) {
            log.error("backfill #{} of {} refused: {}", queued.id(), queued.table(), refused.getMessage());
            store.failed(queued, refused.publicMessage());
            return;
        }
        List<String> after = job.lastKey();
        long rows = job.rowsDone();
        Instant started = clock.instant();
        Instant lastReport = started;
        long rowsThisRun = 0;
        log.info("backfill #{} of {}{} {}", job.id(), job.table(), job.where() == null ? "" : " where " + job.where(),
                after == null ? "begins" : "resumes after key " + after + " (" + rows + " rows done)");
        try {
            while (!stopping) {
                List<String> from = after;
                Chunk chunk = retry.call("backfill read", () -> readBetweenWatermarks(job, from), this::logRetry).chunk();
                if (chunk == null) {
                    continue; // timed out waiting for the pipeline: read the same chunk again
                }
                rows += chunk.rows().size();
                rowsThisRun += chunk.rows().size();
                if (chunk.lastKey() != null) {
                    after = chunk.lastKey();
                }
                List<String> done = after;
                long total = rows;
                retry.call("backfill progress", () -> {
                    store.progressed(job, done, total);
                    return null;
                }, this::logRetry);
                double seconds = Math.max(0.001, Duration.between(started, clock.instant()).toMillis() / 1000.0);
                status = new Status(job.id(), job.table().toString(), rows, started, rowsThisRun / seconds);
                if (Duration.between(lastReport, clock.instant()).compareTo(REPORT_EVERY) >= 0) {
                    lastReport = clock.instant();
                    log.info("backfill #{} of {}: {} rows, {} rows/s", job.id(), job.table(), rows, Math.round(rowsThisRun / seconds));
                }
                if (chunk.rows().size() < chunkSize) {
                    long finalRows = rows;
                    retry.call("backfill progress", () -> {
                        store.finished(job, finalRows);
                        return null;
                    }, this::logRetry);
                    log.info("backfill #{} of {} done: {} rows", job.id(), job.table(), rows);
                    return;
                }
            }
        } catch (SyncException e) {
            log.error("backfill #{} of {} failed: {}", job.id(), job.table(), e.getMessage());
            // The job's error is shown by GET /backfill and nexus-sync status: no server text, no row value (the log has them).
            store.failed(job, e.publicMessage());
        } finally {
            status = null;
        }
    }

    private record ChunkOutcome(Chunk chunk) {}

    /** One chunk between its watermarks; a null chunk when the pipeline did not take it in time. */
    private ChunkOutcome readBetweenWatermarks(BackfillJob job, List<String> after) {
        String chunkId = job.id() + "." + chunkSequence.incrementAndGet();
        reader.emitWatermark(WatermarkWindows.LOW, WatermarkWindows.lowContent(chunkId, job.table()));
        Chunk chunk = reader.readChunk(job.table(), job.where(), after, chunkSize);
        CompletableFuture<Long> applied = windows.register(chunkId, job.table(), chunk.rows());
        try {
            reader.emitWatermark(WatermarkWindows.HIGH, chunkId);
            applied.get(chunkTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new ChunkOutcome(chunk);
        } catch (TimeoutException e) {
            log.warn("backfill #{}: the stream did not take chunk {} within {} s; reading it again", job.id(), chunkId, chunkTimeout.toSeconds());
            return new ChunkOutcome(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SyncException.persistent("backfill interrupted", e);
        } catch (ExecutionException e) {
            throw SyncException.persistent(ErrorText.of(e.getCause()).after("backfill chunk failed: "), e.getCause());
        } finally {
            windows.forget(chunkId);
        }
    }

    private void logRetry(String operation, SyncException failure, int attempt, Duration wait) {
        log.warn("{} failed (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage());
    }
}
