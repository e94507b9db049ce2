package io.nexussync.core.snapshot;

import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.CommitRecord;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.apply.GraphCommit.AfterCommit;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.mapping.Mapping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors every mapped table as one consistent view tied to a slot position, then hands over to the
 * stream at exactly that position: the view holds every transaction committed before it and the slot
 * every one after, so nothing is missed and nothing is applied twice.
 *
 * <p>Tables go in mapping order (node tables before the join tables that point at them), each in the order
 * the source reads fastest (physical order: a snapshot cut short is taken again, never resumed, so no order
 * needs to outlive its view), a chunk per graph transaction. Each chunk commits with a {@link SnapshotMark} on the graph's
 * checkpoint; only the last one sets the stream checkpoint, so a snapshot cut short is begun again
 * rather than taken for a whole one. When the graph already held mapped data (a resync, or that second
 * attempt), entities PostgreSQL no longer has are removed at the end, from the same view.
 */
public final class InitialSnapshot {
    private static final Logger log = LoggerFactory.getLogger(InitialSnapshot.class);
    private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

    private final Mapping mapping;
    private final GraphPlanner planner;
    private final GraphCommit graph;
    private final Clock clock;
    private final int chunkSize;
    private final SnapshotProgress progress;
    private Instant lastReport;
    private SnapshotVerification verification;

    public InitialSnapshot(Mapping mapping, GraphWriter writer, CrossReferenceWriter crossReferences, RetryPolicy retry,
                           Clock clock, int chunkSize, SnapshotProgress progress, Executor afterCommitExecutor) {
        this(mapping, new GraphCommit(writer, retry, new AfterCommitStage(afterCommitExecutor), crossReferences, SyncLog.NONE,
                GraphCommit.Acknowledger.NONE), clock, chunkSize, progress);
    }

    /** @param graph how chunks go into the graph: it acknowledges nothing (the snapshot reads no stream) */
    public InitialSnapshot(Mapping mapping, GraphCommit graph, Clock clock, int chunkSize, SnapshotProgress progress) {
        this.mapping = mapping;
        this.planner = new GraphPlanner(mapping);
        this.graph = graph;
        this.clock = clock;
        this.chunkSize = chunkSize;
        this.progress = progress;
    }

    /**
     * @param sweep true when the graph may hold entities the view does not (it held mapped data before)
     * @return the checkpoint the stream starts from
     */
    public Checkpoint run(SnapshotSource source, GraphInventory inventory, boolean sweep) throws InterruptedException {
        Lsn consistentPoint = source.consistentPoint();
        // PostgreSQL does not record when a row's current version began; a temporal relationship's current
        // version is dated from the snapshot that first saw it, by the server's clock before the slot existed
        // (this JVM's clock, later and on another host, could date it after a streamed change that closes it).
        Instant seenAt = source.viewTakenNoLaterThan();
        // Counted once: the view does not change, so these are also the counts the verification compares.
        Map<TableId, Long> rowCounts = new HashMap<>();
        long total = 0;
        for (TableId table : mapping.tables()) {
            long rows = source.countRows(table);
            rowCounts.put(table, rows);
            total += rows;
        }
        progress.estimated(total);
        log.info("snapshot of {} rows in {} tables, consistent with slot position {}", total, mapping.tables().size(), consistentPoint);
        lastReport = clock.instant();
        try {
            for (TableId table : mapping.tables()) {
                copyTable(source, table, consistentPoint, seenAt);
            }
            if (sweep) {
                new StaleEntitySweep(mapping, source, inventory, chunkSize, progress).run(
                        changes -> write(changes, consistentPoint, seenAt));
            }
            verification = SnapshotVerification.run(mapping, rowCounts, inventory);
            if (verification.agrees()) {
                log.info("snapshot verified: every mapped table and its nodes and relationships agree in number");
            } else {
                log.warn("snapshot verification found differences (is something else writing these labels?): {}", verification.mismatches());
            }
            graph.write(GraphWritePlan.EMPTY, CommitRecord.of(SnapshotMark.done(consistentPoint, progress.rowsDone())), this::logRetry);
        } finally {
            long drainStart = System.nanoTime();
            graph.drain();
            progress.timeWriteBackWait(System.nanoTime() - drainStart);
        }
        progress.finished();
        log.info("snapshot time: " + progress.timeSpent());
        log.info(progress.describe() + " in " + progress.elapsed().toSeconds() + " s; streaming from " + consistentPoint);
        return Checkpoint.after(consistentPoint);
    }

    /** What the check at the end of {@link #run} found; null before it ran. */
    public SnapshotVerification verification() {
        return verification;
    }

    /** Reads chunk k+1 on a thread of its own while chunk k is written: PostgreSQL and Neo4j work at once. */
    private void copyTable(SnapshotSource source, TableId table, Lsn consistentPoint, Instant seenAt) throws InterruptedException {
        progress.reading(table);
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nexus-sync-snapshot-read");
            t.setDaemon(true);
            return t;
        });
        try (SnapshotSource.RowChunks rows = source.scan(table, chunkSize)) {
            try {
                Future<List<Map<String, Object>>> next = reader.submit(() -> timedRead(rows));
                while (true) {
                    long waitStart = System.nanoTime();
                    List<Map<String, Object>> chunk = await(next);
                    progress.timeReadWait(System.nanoTime() - waitStart);
                    if (chunk.isEmpty()) {
                        return;
                    }
                    // A short chunk is the table's last: nothing to read ahead.
                    next = chunk.size() < chunkSize ? CompletableFuture.completedFuture(List.of()) : reader.submit(() -> timedRead(rows));
                    List<RowChange> inserts = new ArrayList<>(chunk.size());
                    for (Map<String, Object> row : chunk) {
                        inserts.add(new RowChange.Insert(table, row));
                    }
                    write(inserts, consistentPoint, seenAt);
                    progress.rowsWritten(chunk.size());
                    report();
                    if (Thread.interrupted()) {
                        throw new InterruptedException("snapshot stopped");
                    }
                }
            } finally {
                // The scan is closed only once no read of it is running.
                reader.shutdownNow();
                reader.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
    }

    private List<Map<String, Object>> timedRead(SnapshotSource.RowChunks rows) {
        long start = System.nanoTime();
        try {
            return rows.next();
        } finally {
            progress.timeReading(System.nanoTime() - start);
        }
    }

    private static <T> T await(Future<T> chunk) throws InterruptedException {
        try {
            return chunk.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void write(List<RowChange> changes, Lsn consistentPoint, Instant seenAt) throws InterruptedException {
        List<SourceChange> sourceChanges = new ArrayList<>(changes.size());
        for (RowChange change : changes) {
            sourceChanges.add(new SourceChange(change, consistentPoint, seenAt));
        }
        GraphWritePlan plan = planner.plan(sourceChanges).asRefresh();
        SnapshotMark mark = SnapshotMark.running(consistentPoint, progress.rowsDone() + changes.size());
        long writeStart = System.nanoTime();
        ApplyResult result = graph.write(plan, CommitRecord.of(mark), this::logRetry);
        long submitStart = System.nanoTime();
        progress.timeGraphWrite(submitStart - writeStart);
        graph.afterCommit(AfterCommit.of(result, this::logRetry));
        progress.timeWriteBackWait(System.nanoTime() - submitStart);
    }

    private void logRetry(String operation, SyncException failure, int attempt, Duration wait) {
        log.warn("{} failed (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage());
    }

    private void report() {
        Instant now = clock.instant();
        if (Duration.between(lastReport, now).compareTo(REPORT_EVERY) >= 0) {
            lastReport = now;
            log.info(progress.describe());
        }
    }
}
