package io.nexussync.bench;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.bench.LagChart.Marker;
import io.nexussync.bench.LagChart.Panel;
import io.nexussync.bench.LagChart.Buckets;
import io.nexussync.bench.LagChart.Series;
import io.nexussync.bench.LatencyRecorder.Samples;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.mapping.Lane;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.postgres.PgSettings;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The lane benchmark ({@code bench/run-lanes.sh [BACKLOG]}), the contract's lane rules under load
 * (shared/contract/schema.md, "Lanes"): with the service stopped, BACKLOG low-lane changes (updates
 * touching only {@code content_items.view_count}) are committed; then the service starts and, while it
 * drains them, the application commits critical changes at a steady rate ({@code access_level} updates
 * on rows the backlog touched, deletes of messages and of tags) until the backlog is visible. Reports
 * per-lane commit-to-visible latency, as the pipeline's listener reports lanes and as the benchmark
 * intended them (a change committed before the service started is a backlog one), how long the backlog
 * took, and a PNG of lag over time per lane.
 */
public final class LaneBenchmark {
    private static final Duration DRAIN_LIMIT = Duration.ofHours(1);
    /** A second slot on the lanes database: the backlog read alone after the run, to compare with the service's reading. */
    private static final String RAW_SLOT = "lanes_raw";

    /** @param live the backlog is written while the service runs (a bulk job), rather than while it is stopped (a restart) */
    record Options(int backlog, int rows, double criticalRate, boolean live) {
        static Options parse(String[] args) {
            int backlog = 200_000;
            int rows = -1;
            double criticalRate = 20;
            boolean live = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rows" -> rows = Integer.parseInt(args[++i].replace("_", ""));
                    case "--critical-rate" -> criticalRate = Double.parseDouble(args[++i]);
                    case "--live" -> live = true;
                    default -> backlog = Integer.parseInt(args[i].replace("_", ""));
                }
            }
            if (backlog < 1 || criticalRate <= 0) {
                throw new IllegalArgumentException("usage: LaneBenchmark [BACKLOG] [--rows N] [--critical-rate N] [--live]");
            }
            // a few thousand to tens of thousands of rows, each updated BACKLOG/rows times
            return new Options(backlog, rows > 0 ? rows : Math.max(2_000, Math.min(20_000, backlog / 20)), criticalRate, live);
        }
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        int status = 1;
        Path neo4jHome = null;
        try {
            Options options = Options.parse(args);
            Path results = Path.of(System.getProperty("bench.results", "bench/results"));
            neo4jHome = Files.createTempDirectory("nexus-sync-bench-lanes");
            try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical();
                 EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(neo4jHome, 0)) {
                run(postgres, neo4j, options, results);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(neo4jHome);
        }
        System.exit(status);
    }

    private static void run(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, Options options, Path results) throws Exception {
        SyncConfig config = BenchEnvironment.freshDatabase(postgres, neo4j, "lanes");
        LatencyRecorder recorder = new LatencyRecorder();
        LaneWorkload workload = new LaneWorkload(config.postgres());

        // 1. set up, snapshot the empty tables, stream the seed rows into the graph; then stop
        try (RunningService service = RunningService.start(config, recorder)) {
            service.awaitStreaming(Duration.ofMinutes(2));
            workload.seed(options.rows());
            CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, DRAIN_LIMIT);
        }

        if (options.live()) {
            runLive(config, workload, recorder, options, results);
            return;
        }

        // 2. the low-lane backlog, committed while the service is stopped; a second slot records it to time reading it alone
        PgSettings rawSlot = ReferenceSlot.create(config.postgres(), RAW_SLOT);
        LaneWorkload.Backlog backlog = workload.writeBacklog(options.backlog());
        Lsn endOfBacklog = CatchUpWait.emitMarker(config.postgres());

        // 3. start the service and the critical writer together; wait until every backlog change is visible
        Instant serviceStart = Instant.now();
        recorder.reset(serviceStart);
        double startUpSeconds;
        double backlogReadSeconds = -1;
        long peakReadAhead = 0;
        int peakRunsAhead = 0;
        LaneWorkload.Critical critical;
        try (RunningService service = RunningService.start(config, recorder);
             LaneWorkload.CriticalWriter writer = workload.startCriticalWriter(options.criticalRate())) {
            long started = System.nanoTime();
            service.awaitStreaming(Duration.ofMinutes(2));
            startUpSeconds = (System.nanoTime() - started) / 1e9;
            long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
            // The backlog is read once the loop has read its changes and commits (critical changes read meanwhile only add).
            long backlogItems = backlog.rowChanges() + backlog.transactions();
            // Drained: the listener has reported every backlog change, or (should a pipeline ever report fewer, say
            // one per coalesced entity) the slot is confirmed past the backlog's end; the report then shows the count.
            for (int polls = 0; recorder.visibleCommittedBeforeBoundary() < backlog.rowChanges(); polls++) {
                peakReadAhead = Math.max(peakReadAhead, service.progress().queue().pendingBytes());
                peakRunsAhead = Math.max(peakRunsAhead, service.progress().queue().runsAhead());
                if (backlogReadSeconds < 0 && service.progress().itemsRead() >= backlogItems) {
                    backlogReadSeconds = (System.nanoTime() - started) / 1e9;
                }
                service.checkAlive();
                writer.checkAlive();
                if (polls % 10 == 9 && CatchUpWait.isConfirmedPast(config.postgres(), endOfBacklog)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the backlog was not visible within " + DRAIN_LIMIT + ": "
                            + recorder.visibleCommittedBeforeBoundary() + " of " + backlog.rowChanges());
                }
                Thread.sleep(10);
            }
            critical = writer.stop();
            // every critical change too, before the service stops
            CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, DRAIN_LIMIT);
        }
        // The same backlog read alone, with the service stopped: PostgreSQL's decoding, pgjdbc and our decoder, nothing else.
        long readStart = System.nanoTime();
        int rawChanges = WalReader.readUntilMarker(rawSlot).size();
        double rawReadSeconds = (System.nanoTime() - readStart) / 1e9;
        ReferenceSlot.drop(rawSlot);
        List<String> readingNotes = List.of(
                String.format("* the same backlog read alone afterwards (a second slot; PostgreSQL's decoding, pgjdbc and the service's "
                        + "decoder, nothing else running): %,d changes in %.2f s (%,.0f changes/s)", rawChanges, rawReadSeconds, rawChanges / rawReadSeconds),
                String.format("* the read-ahead the service held peaked at %,d MB by its own estimate (bound: NEXUS_SYNC_READ_AHEAD), and "
                        + "the checkpoint's runs of changes applied out of stream order at %,d (past %,d batches are cut in stream order)",
                        peakReadAhead >> 20, peakRunsAhead, 1_000));
        print(options, config, backlog, critical, startUpSeconds, backlogReadSeconds, readingNotes, serviceStart, Instant.now(), recorder.samples(),
                results);
    }

    /**
     * The backlog written at full speed while the service runs and is caught up, critical changes committed at the
     * steady rate from just before it until every backlog change is visible. Which change is which lane is what the
     * pipeline reported (the restart run checks that against the intent); the critical writer's count is printed beside.
     */
    private static void runLive(SyncConfig config, LaneWorkload workload, LatencyRecorder recorder, Options options, Path results) throws Exception {
        LaneWorkload.Backlog backlog;
        LaneWorkload.Critical critical;
        Instant backlogStart;
        Instant drained;
        double warmUpSeconds;
        try (RunningService service = RunningService.start(config, recorder)) {
            service.awaitStreaming(Duration.ofMinutes(2));
            CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, DRAIN_LIMIT);
            // Untimed: the same kind of backlog and critical changes at a tenth of the size, so that what is measured is
            // a service that has been running (both JVMs' compilers took more CPU than anything else in a cold run).
            long warmUpStart = System.nanoTime();
            try (LaneWorkload.CriticalWriter writer = workload.startCriticalWriter(options.criticalRate())) {
                workload.writeBacklog(Math.max(1_000, options.backlog() / 10));
                CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, DRAIN_LIMIT);
                writer.stop();
            }
            CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, DRAIN_LIMIT);
            warmUpSeconds = (System.nanoTime() - warmUpStart) / 1e9;
            try (LaneWorkload.CriticalWriter writer = workload.startCriticalWriter(options.criticalRate())) {
                Thread.sleep(500);
                backlogStart = Instant.now();
                recorder.reset(backlogStart);
                backlog = workload.writeBacklog(options.backlog());
                Lsn endOfBacklog = CatchUpWait.emitMarker(config.postgres());
                long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
                while (!CatchUpWait.isConfirmedPast(config.postgres(), endOfBacklog)) {
                    service.checkAlive();
                    writer.checkAlive();
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the backlog was not applied within " + DRAIN_LIMIT);
                    }
                    Thread.sleep(10);
                }
                drained = Instant.now();
                critical = writer.stop();
            }
            CatchUpWait.await(config.postgres(), CatchUpWait.emitMarker(config.postgres()), service, DRAIN_LIMIT);
        }
        Samples samples = recorder.samples();
        long start = LatencyRecorder.micros(backlogStart);
        long drainEnd = LatencyRecorder.micros(drained);
        printHeader("## nexus-sync lanes, live: critical changes while a low-lane backlog is written and drains", config);
        System.out.printf("* after an untimed warm-up pass of the same kind with %,d backlog changes (%.1f s)%n", Math.max(1_000, options.backlog() / 10),
                warmUpSeconds);
        System.out.printf("* low backlog, written while the service ran caught up: %,d updates of `content_items.view_count` only, over %,d rows, "
                + "in %,d transactions, written in %.2f s (%,.0f changes/s)%n", backlog.rowChanges(), backlog.rows(), backlog.transactions(),
                backlog.nanos() / 1e9, backlog.rowChanges() / (backlog.nanos() / 1e9));
        System.out.printf("* critical, committed at %.0f/s from 0.5 s before the backlog until it was applied: %,d transactions "
                        + "(%,d `access_level` updates on backlog rows, %,d message deletes, %,d tag deletes whose content_tags rows cascade)%n",
                options.criticalRate(), critical.transactions(), critical.accessLevelUpdates(), critical.messageDeletes(), critical.tagDeletes());
        System.out.printf("* **backlog applied %.2f s after its first change was committed** (the slot confirmed past it; %,.0f changes/s)%n",
                (drainEnd - start) / 1e6, backlog.rowChanges() / ((drainEnd - start) / 1e6));
        System.out.println("* from the backlog's start until every critical change was visible too: " + BatchLog.between(config.postgres(), backlogStart, Instant.now()));
        System.out.println();
        System.out.println("Commit-to-visible latency by the lane the pipeline reported (VisibilityListener), changes committed from the backlog's start:");
        System.out.println();
        System.out.println("| lane (reported) | changes | p50 ms | p95 ms | p99 ms | max ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (Lane lane : Lane.values()) {
            Percentiles p = latencies(samples, i -> samples.lane(i) == lane && samples.committedMicros()[i] >= start);
            if (p.count() > 0) {
                System.out.printf("| %s | %,d | %s |%n", lane.yamlName(), p.count(), p.cells());
            }
        }
        Percentiles whileDraining = latencies(samples, i -> samples.lane(i) == Lane.CRITICAL && samples.committedMicros()[i] >= start
                && samples.committedMicros()[i] < drainEnd);
        System.out.printf("| **critical, committed while the backlog was written or drained** | %,d | %s |%n", whileDraining.count(), whileDraining.cells());
        System.out.println();
        System.out.println("* the restart run (`bench/run-lanes.sh`) checks the reported lanes against the intended ones; here a critical "
                + "transaction holds one change, or a delete and the rows its cascade removes");
        IntPredicate isLow = i -> samples.lane(i) != Lane.CRITICAL;
        Path plot = results.resolve("lanes-live.png");
        chart(plot, options, samples, start, drainEnd, 0, isLow);
        System.out.println("* plot: " + plot.getFileName() + " (lag over time per lane, by the time each change became visible; x from the backlog's start)");
    }

    private static void print(Options options, SyncConfig config, LaneWorkload.Backlog backlog, LaneWorkload.Critical critical,
                              double startUpSeconds, double backlogReadSeconds, List<String> readingNotes, Instant serviceStart, Instant runEnd, Samples samples,
                              Path results) throws Exception {
        long start = LatencyRecorder.micros(serviceStart);
        IntPredicate isBacklog = i -> samples.committedMicros()[i] < start;
        long drainedAt = start;
        for (int i = 0; i < samples.size(); i++) {
            if (isBacklog.test(i)) {
                drainedAt = Math.max(drainedAt, samples.visibleMicros()[i]);
            }
        }
        long drainEnd = drainedAt;
        double drainSeconds = (drainEnd - start) / 1e6;

        printHeader("## nexus-sync lanes: critical changes while a low-lane backlog drains", config);
        System.out.printf("* low backlog (service stopped): %,d updates of `content_items.view_count` only, over %,d rows, in %,d transactions "
                        + "(written in %.1f s)%n", backlog.rowChanges(), backlog.rows(), backlog.transactions(), backlog.nanos() / 1e9);
        System.out.printf("* critical, committed from the service's start at %.0f/s until the backlog was visible: %,d transactions "
                        + "(%,d `access_level` updates on backlog rows, %,d message deletes, %,d tag deletes whose content_tags rows cascade)%n",
                options.criticalRate(), critical.transactions(), critical.accessLevelUpdates(), critical.messageDeletes(), critical.tagDeletes());
        long backlogReported = select(samples, isBacklog).size();
        if (backlogReported != backlog.rowChanges()) {
            System.out.printf("* **the listener reported %,d backlog changes, not the %,d committed** (the drain ended when the slot was "
                    + "confirmed past the backlog)%n", backlogReported, backlog.rowChanges());
        }
        System.out.printf("* service start to streaming: %.2f s; **backlog drained %.2f s after the service started** (%,.0f backlog changes/s "
                + "including start-up)%n", startUpSeconds, drainSeconds, backlog.rowChanges() / drainSeconds);
        System.out.println(backlogReadSeconds < 0 ? "* the service read the backlog's last change only after it was visible (polled every 10 ms)"
                : String.format("* **the service had read the whole backlog %.2f s after its start** (%,.0f changes/s read; SyncProgress.itemsRead, "
                        + "polled every 10 ms): what a critical change committed behind it waits for at least", backlogReadSeconds,
                        backlog.rowChanges() / backlogReadSeconds));
        readingNotes.forEach(System.out::println);
        System.out.println("* from the service's start until every critical change was visible too: "
                + BatchLog.between(config.postgres(), serviceStart, runEnd));
        System.out.println();

        System.out.println("Commit-to-visible latency by the lane the pipeline reported (VisibilityListener):");
        System.out.println();
        System.out.println("| lane (reported) | changes | p50 ms | p95 ms | p99 ms | max ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (Lane lane : Lane.values()) {
            Percentiles p = latencies(samples, i -> samples.lane(i) == lane);
            if (p.count() > 0) {
                System.out.printf("| %s | %,d | %s |%n", lane.yamlName(), p.count(), p.cells());
            }
        }
        System.out.println();
        System.out.println("By the lane the benchmark intended (a change committed before the service started is a backlog one):");
        System.out.println();
        System.out.println("| intended | changes | p50 ms | p95 ms | p99 ms | max ms | reported as |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|");
        IntPredicate isCritical = isBacklog.negate();
        IntPredicate criticalWhileDraining = i -> isCritical.test(i) && samples.committedMicros()[i] < drainEnd;
        row(samples, "critical, committed while the backlog drained", criticalWhileDraining);
        row(samples, "critical, all", isCritical);
        row(samples, "low (backlog), from its commit: includes the time the service was stopped", isBacklog);
        Percentiles sinceStart = Percentiles.of(select(samples, isBacklog).stream().mapToLong(i -> samples.visibleMicros()[i] - start).toArray());
        System.out.printf("| low (backlog), from the service's start | %,d | %s | %s |%n", sinceStart.count(), sinceStart.cells(), reportedAs(samples, isBacklog));
        System.out.println();
        long criticalVisibleEarly = select(samples, criticalWhileDraining).stream().filter(i -> samples.visibleMicros()[i] < drainEnd).count();
        System.out.printf("* critical changes committed while the backlog drained: %,d, of which %,d were visible before the last backlog change "
                        + "(with lanes, critical changes overtake the backlog; in FIFO order they wait behind it)%n",
                select(samples, criticalWhileDraining).size(), criticalVisibleEarly);
        System.out.println("* the intended lanes follow shared/contract/schema.md: an update's lane is the highest of the columns it changes "
                + "(view_count low, access_level critical); deletes are critical. A \"reported as\" other than the intended lane is a mismatch "
                + "(before the lane scheduler, the pipeline reports every change as normal)");

        Path plot = results.resolve("lanes.png");
        chart(plot, options, samples, start, drainEnd, startUpSeconds, isBacklog);
        System.out.println("* plot: " + plot.getFileName() + " (lag over time per lane, by the time each change became visible)");
    }

    /** The report's title, command and setting, the same for both runs. */
    private static void printHeader(String title, SyncConfig config) {
        System.out.println();
        System.out.println(title);
        System.out.println();
        System.out.println("Command: `" + System.getProperty("bench.command", "java -cp ... " + LaneBenchmark.class.getName()) + "`");
        System.out.println();
        System.out.printf("The service in the benchmark JVM (%s), embedded PostgreSQL 17 and Neo4j 5 (a child JVM, -Xmx2g) on loopback; "
                        + "batch %,d changes / %d ms; NEXUS_SYNC_* settings passed through: %s.%n%n",
                BenchEnvironment.describeJvm(),
                config.batchSize(), config.batchDelay().toMillis(), BenchEnvironment.describePassedThrough());
    }

    private static void row(Samples samples, String name, IntPredicate which) {
        Percentiles p = latencies(samples, which);
        System.out.printf("| %s | %,d | %s | %s |%n", name, p.count(), p.cells(), reportedAs(samples, which));
    }

    private static String reportedAs(Samples samples, IntPredicate which) {
        Map<Lane, Integer> counts = new EnumMap<>(Lane.class);
        for (int i : select(samples, which)) {
            counts.merge(samples.lane(i), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((lane, n) -> parts.add(String.format("%s %,d", lane.yamlName(), n)));
        return String.join(", ", parts);
    }

    private static Percentiles latencies(Samples samples, IntPredicate which) {
        return Percentiles.of(select(samples, which).stream().mapToLong(samples::latencyMicros).toArray());
    }

    private static List<Integer> select(Samples samples, IntPredicate which) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            if (which.test(i)) {
                out.add(i);
            }
        }
        return out;
    }

    private static void chart(Path plot, Options options, Samples samples, long start, long drainEnd, double startUpSeconds,
                              IntPredicate isBacklog) throws Exception {
        Map<Lane, Color> colors = Map.of(Lane.CRITICAL, LagChart.RED, Lane.HIGH, LagChart.ORANGE, Lane.NORMAL, LagChart.BLUE, Lane.LOW, LagChart.GRAY);
        double span = 0;
        for (int i = 0; i < samples.size(); i++) {
            span = Math.max(span, (samples.visibleMicros()[i] - start) / 1e6);
        }
        List<Series> reported = new ArrayList<>();
        for (Lane lane : Lane.values()) {
            Buckets b = buckets(samples, start, span, i -> samples.lane(i) == lane);
            if (!b.isEmpty()) {
                reported.add(new Series(lane.yamlName() + ": max per " + b.per(), colors.get(lane), b.x(), b.max(), false));
                reported.add(new Series(lane.yamlName() + ": p50 per " + b.per(), colors.get(lane), b.x(), b.p50(), true));
            }
        }
        Buckets low = buckets(samples, start, span, isBacklog);
        Buckets critical = buckets(samples, start, span, isBacklog.negate());
        List<Series> intended = new ArrayList<>();
        intended.add(new Series("low (backlog): max per " + low.per(), LagChart.GRAY, low.x(), low.max(), false));
        intended.add(new Series("critical: max per " + critical.per(), LagChart.RED, critical.x(), critical.max(), false));
        intended.add(new Series("critical: p50 per " + critical.per(), LagChart.RED, critical.x(), critical.p50(), true));
        List<Marker> markers = List.of(new Marker(startUpSeconds, "streaming"),
                new Marker((drainEnd - start) / 1e6, String.format("backlog drained (%.1f s)", (drainEnd - start) / 1e6)));
        String xLabel = "seconds since the service started (when the change became visible)";
        if (options.live()) {
            LagChart.write(plot, String.format("nexus-sync lanes, live: %,d low-lane changes written at full speed, critical changes at %.0f/s",
                            options.backlog(), options.criticalRate()),
                    List.of(new Panel("by the lane the pipeline reported", "seconds since the backlog's first change (when the change became visible)",
                            "commit-to-visible latency, ms", true, 0, reported,
                            List.of(new Marker((drainEnd - start) / 1e6, String.format("backlog applied (%.1f s)", (drainEnd - start) / 1e6))))));
            return;
        }
        LagChart.write(plot, String.format("nexus-sync lanes: %,d low-lane changes backlogged, critical changes at %.0f/s while they drain",
                        options.backlog(), options.criticalRate()),
                List.of(new Panel("by the lane the pipeline reported", xLabel, "commit-to-visible latency, ms", true, 0, reported, markers),
                        new Panel("by the lane intended (backlog = committed before the service started; its lag includes the downtime)",
                                xLabel, "commit-to-visible latency, ms", true, 0, intended, markers)));
    }

    private static Buckets buckets(Samples samples, long start, double span, IntPredicate which) {
        List<Integer> chosen = select(samples, which);
        double[] seconds = new double[chosen.size()];
        long[] latencies = new long[chosen.size()];
        for (int k = 0; k < chosen.size(); k++) {
            int i = chosen.get(k);
            seconds[k] = (samples.visibleMicros()[i] - start) / 1e6;
            latencies[k] = samples.latencyMicros(i);
        }
        return Buckets.fitting(span, seconds, latencies);
    }
}
