package io.nexussync.bench;

import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.neo4j.driver.Driver;

/**
 * Commit-to-visible latency seen from outside the service, for sync processes in other JVMs (capture and apply roles)
 * that {@link LatencyRecorder} cannot hook into, and for {@code run} the same way so the figures compare. A writer
 * commits probe UPDATEs of {@code content_type} (a normal-lane column) at a fixed rate ({@link PaceSchedule}, open loop:
 * it never waits for the graph, so a backlog does not thin the samples out), round robin over a few content items of
 * its own, each value {@code probe-N}; a reader polls the graph for those items every {@value #POLL_MS} ms. A probe's
 * latency runs from its commit's return to the return of the first read showing it or a later probe of its row
 * ({@link ProbeLedger}); the read's own duration and the gap between reads bound the error, and {@link Result} reports them.
 */
final class VisibilityProbe implements AutoCloseable {
    static final int POLL_MS = 5;
    private static final String PREFIX = "probe-";

    /** The probes' samples, those never seen before {@link #stop} gave up, and the time between graph reads (the resolution). */
    record Result(List<ProbeLedger.Sample> samples, int unresolved, Percentiles readGaps) {}

    private final ProbeLedger ledger;
    private final Thread writer;
    private final Thread reader;
    private final List<Long> readGapMicros = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean writing = true;
    private volatile boolean reading = true;

    private VisibilityProbe(PgSettings settings, Driver driver, List<String> rows, double perSecond) {
        ledger = new ProbeLedger(rows.size());
        writer = new Thread(() -> write(settings, rows, perSecond), "bench-probe-writer");
        reader = new Thread(() -> read(driver, rows), "bench-probe-reader");
    }

    /** Starts writing {@code perSecond} probes over {@code rows} (content item ids already in the graph) and reading the graph. */
    static VisibilityProbe start(PgSettings settings, Driver driver, List<String> rows, double perSecond) {
        VisibilityProbe probe = new VisibilityProbe(settings, driver, rows, perSecond);
        probe.reader.start();
        probe.writer.start();
        return probe;
    }

    private void write(PgSettings settings, List<String> rows, double perSecond) {
        try (Connection c = PgConnections.open(settings, "bench probe writer");
             PreparedStatement update = c.prepareStatement("UPDATE content_items SET content_type = ? WHERE id = ?::uuid")) {
            PaceSchedule schedule = new PaceSchedule(perSecond, System.nanoTime());
            for (long n = 0; writing; n++) {
                long early;
                while (writing && (early = schedule.nanosUntilNext(n, System.nanoTime())) > 0) {
                    LockSupport.parkNanos(early);
                }
                if (!writing) {
                    return;
                }
                int row = (int) (n % rows.size());
                update.setString(1, PREFIX + n);
                update.setString(2, rows.get(row));
                if (update.executeUpdate() != 1) {
                    throw new IllegalStateException("probe row " + rows.get(row) + " is gone from content_items");
                }
                ledger.committed(row, n, System.nanoTime());
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private void read(Driver driver, List<String> rows) {
        Map<String, Integer> rowOf = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            rowOf.put(rows.get(i), i);
        }
        try (var session = driver.session()) {
            long previous = 0;
            while (reading) {
                var records = session.run("MATCH (c:ContentItem) WHERE c.id IN $ids RETURN c.id AS id, c.contentType AS t", Map.of("ids", rows)).list();
                long now = System.nanoTime();
                for (var r : records) {
                    String value = r.get("t").asString(null);
                    if (value != null && value.startsWith(PREFIX)) {
                        ledger.seen(rowOf.get(r.get("id").asString()), Long.parseLong(value.substring(PREFIX.length())), now);
                    }
                }
                if (previous != 0) {
                    readGapMicros.add((now - previous) / 1_000);
                }
                previous = now;
                Thread.sleep(POLL_MS);
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /**
     * Stops writing, waits up to {@code drainLimit} for the graph to show every probe written, then stops reading.
     *
     * @throws IllegalStateException if the writer or the reader failed
     */
    Result stop(Duration drainLimit) throws InterruptedException {
        writing = false;
        writer.join();
        long deadline = System.nanoTime() + drainLimit.toNanos();
        while (ledger.pending() > 0 && System.nanoTime() - deadline < 0 && failure.get() == null) {
            Thread.sleep(POLL_MS);
        }
        reading = false;
        reader.join();
        if (failure.get() != null) {
            throw new IllegalStateException("the latency probe failed: " + failure.get().getMessage(), failure.get());
        }
        return new Result(ledger.samples(), ledger.pending(), Percentiles.of(readGapMicros.stream().mapToLong(Long::longValue).toArray()));
    }

    @Override
    public void close() throws InterruptedException {
        writing = false;
        reading = false;
        writer.join();
        reader.join();
    }
}
