package io.nexussync.bench;

import io.nexussync.demo.ContextNexusWorkload;
import io.nexussync.postgres.PgSettings;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The contract workload ({@link ContextNexusWorkload}: inserts, edits with hot entities, deletes,
 * link churn) at a steady rate: several application connections share one schedule of row changes
 * per second, and a connection starts its next transaction only when the row changes committed so far
 * are behind the schedule. Unlike {@link WorkloadWriter} it never runs flat out; a connection that
 * cannot keep up shows as an achieved rate below the target.
 */
final class PacedWorkload implements AutoCloseable {
    /** A worker whose transactions all roll back is not writing; stop rather than spin. */
    private static final int MAX_FAILURES_IN_A_ROW = 1_000;
    /** Longest a worker sleeps before it looks at the schedule again. */
    private static final long MAX_PARK_NANOS = 2_000_000;

    /** What one run wrote: row changes the statements reported, transactions committed and rolled back, its duration. */
    record Written(long rowChanges, long transactions, long rolledBack, long nanos) {
        double rate() {
            return rowChanges / (nanos / 1e9);
        }
    }

    private final List<ContextNexusWorkload> workloads = new ArrayList<>();

    /** @param connections application connections; about one per 1,500 changes/s is enough on loopback */
    PacedWorkload(PgSettings settings, int connections, long seed) throws SQLException {
        ContextNexusWorkload.SharedIds ids = new ContextNexusWorkload.SharedIds();
        try {
            for (int i = 0; i < connections; i++) {
                workloads.add(new ContextNexusWorkload(settings, ids, seed + i));
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** Connections for a target rate: one per 1,500 changes/s, 1 to 4. */
    static int connectionsFor(double rate) {
        return (int) Math.max(1, Math.min(4, Math.ceil(rate / 1_500)));
    }

    /** Sample rows for the workload to edit, link and delete (one transaction). */
    void seed(int contentItems, int threads, int tags) throws SQLException {
        workloads.get(0).seedSample(contentItems, threads, tags);
    }

    /** Writes at {@code rate} row changes per second for {@code duration}, then returns. */
    Written run(double rate, Duration duration) throws Exception {
        long before = rowChanges();
        AtomicLong written = new AtomicLong();
        AtomicLong transactions = new AtomicLong();
        AtomicLong rolledBack = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        PaceSchedule schedule = new PaceSchedule(rate, start);
        List<Thread> threads = new ArrayList<>();
        for (ContextNexusWorkload workload : workloads) {
            Thread t = new Thread(() -> {
                try {
                    int failuresInARow = 0;
                    while (failure.get() == null) {
                        long now = System.nanoTime();
                        if (now >= end) {
                            return;
                        }
                        long early = schedule.nanosUntilNext(written.get(), now);
                        if (early > 0) {
                            // ahead of the schedule: sleep until the next change is due, at most 2 ms (another worker may write it)
                            LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, early));
                            continue;
                        }
                        long changesBefore = workload.rowChanges();
                        if (workload.transaction()) {
                            failuresInARow = 0;
                            transactions.incrementAndGet();
                        } else {
                            failuresInARow++;
                            rolledBack.incrementAndGet();
                        }
                        written.addAndGet(workload.rowChanges() - changesBefore);
                        if (failuresInARow >= MAX_FAILURES_IN_A_ROW) {
                            throw new IllegalStateException(failuresInARow + " workload transactions in a row rolled back");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-paced-writer-" + threads.size());
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long nanos = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("a workload writer failed: " + failure.get().getMessage(), failure.get());
        }
        return new Written(rowChanges() - before, transactions.get(), rolledBack.get(), nanos);
    }

    private long rowChanges() {
        return workloads.stream().mapToLong(ContextNexusWorkload::rowChanges).sum();
    }

    @Override
    public void close() throws SQLException {
        for (ContextNexusWorkload workload : workloads) {
            workload.close();
        }
    }
}
