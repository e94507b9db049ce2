package io.nexussync.bench;

import io.nexussync.demo.ContextNexusWorkload;
import io.nexussync.postgres.PgSettings;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several application connections running {@link ContextNexusWorkload} transactions flat out, on a
 * thread each, until together they have made the target number of row changes. Connections are
 * opened up front so that {@link #writeUntil} times writing only.
 */
final class WorkloadWriter implements AutoCloseable {
    /** A worker whose transactions all roll back is not writing; stop rather than spin forever. */
    private static final int MAX_FAILURES_IN_A_ROW = 1_000;

    record Written(long rowChanges, long rolledBack, long nanos) {}

    private final List<ContextNexusWorkload> workloads = new ArrayList<>();

    WorkloadWriter(PgSettings settings, int connections) throws SQLException {
        ContextNexusWorkload.SharedIds ids = new ContextNexusWorkload.SharedIds();
        try {
            for (int i = 0; i < connections; i++) {
                workloads.add(new ContextNexusWorkload(settings, ids, 1_000 + i));
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** Writes until the workloads' row changes add up to at least {@code target}; the count may overshoot by one transaction per worker. */
    Written writeUntil(long target) throws Exception {
        long before = rowChanges();
        long rolledBackBefore = rolledBack();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (ContextNexusWorkload workload : workloads) {
            Thread t = new Thread(() -> {
                try {
                    int failuresInARow = 0;
                    while (rowChanges() - before < target && failure.get() == null) {
                        failuresInARow = workload.transaction() ? 0 : failuresInARow + 1;
                        if (failuresInARow >= MAX_FAILURES_IN_A_ROW) {
                            throw new IllegalStateException(failuresInARow + " workload transactions in a row rolled back");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-writer-" + threads.size());
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
        return new Written(rowChanges() - before, rolledBack() - rolledBackBefore, nanos);
    }

    private long rowChanges() {
        return workloads.stream().mapToLong(ContextNexusWorkload::rowChanges).sum();
    }

    private long rolledBack() {
        return workloads.stream().mapToLong(ContextNexusWorkload::skipped).sum();
    }

    @Override
    public void close() throws SQLException {
        for (ContextNexusWorkload workload : workloads) {
            workload.close();
        }
    }
}
