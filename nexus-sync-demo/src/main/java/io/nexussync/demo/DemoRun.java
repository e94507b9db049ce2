package io.nexussync.demo;

import io.nexussync.app.service.SyncService;
import io.nexussync.app.components.VerifyComponent;
import io.nexussync.core.verify.VerifyReport;
import io.nexussync.core.verify.Verifier;
import io.nexussync.postgres.PgSettings;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** The demo's live part: the sync service on one thread, an application workload on another, and a running account on this one. */
public final class DemoRun {
    private final SyncService service;
    private final PrintStream out;
    private final int rate;
    private final int durationSeconds;
    private volatile boolean stopping;

    public DemoRun(SyncService service, PrintStream out, int rate, int durationSeconds) {
        this.service = service;
        this.out = out;
        this.rate = Math.max(1, rate);
        this.durationSeconds = durationSeconds;
    }

    public int run() throws Exception {
        service.setup();
        PgSettings pg = service.config().postgres();
        ContextNexusWorkload.SharedIds ids = new ContextNexusWorkload.SharedIds();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread sync = new Thread(() -> {
            try {
                service.run();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
        }, "nexus-sync-service");
        sync.start();

        Thread mainThread = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stopping = true;
            try {
                mainThread.join(20_000);
            } catch (InterruptedException ignored) {
                // going down anyway
            }
        }, "nexus-sync-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        try (ContextNexusWorkload app = new ContextNexusWorkload(pg, ids, 42)) {
            app.seedSample(200, 40, 30);
            out.println("Loaded sample data: 200 content items, 40 threads with 120 messages, 30 tags, links. Live workload: " + rate + " transactions/s.");
            Instant end = durationSeconds > 0 ? Instant.now().plusSeconds(durationSeconds) : Instant.MAX;
            Instant nextReport = Instant.now().plusSeconds(2);
            long interval = 1_000_000_000L / rate;
            long next = System.nanoTime();
            while (!stopping && Instant.now().isBefore(end) && done.getCount() > 0) {
                app.transaction();
                next += interval;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
                if (Instant.now().isAfter(nextReport)) {
                    report(app);
                    nextReport = Instant.now().plusSeconds(2);
                }
            }
            out.println("Stopping: letting the last changes reach the graph...");
            Thread.sleep(Math.min(2_000, service.config().batchDelay().toMillis() * 10));
            report(app);
            if (failure.get() == null) {
                verify();
            }
        } finally {
            service.stop();
            done.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        if (failure.get() != null) {
            throw failure.get() instanceof Exception e ? e : new RuntimeException(failure.get());
        }
        out.println("Demo stopped cleanly.");
        return 0;
    }

    /** Proves the two sides agree, as {@code nexus-sync verify} does, before the demo ends. */
    private void verify() throws InterruptedException {
        if (!service.verify().start(new Verifier.Request(null, false, false, "demo"))) {
            return;
        }
        Instant deadline = Instant.now().plusSeconds(60);
        while (service.verify().running() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        VerifyComponent.Outcome last = service.verify().last();
        if (last == null || last.report() == null) {
            out.println("verify: " + (last == null ? "did not finish within 60 s" : last.error()));
            return;
        }
        VerifyReport report = last.report();
        out.printf("verify: %s (%d entities compared on both sides in %d ms, %d findings, %d unsettled)%n",
                report.agrees() ? "the graph agrees with PostgreSQL" : "the graph does NOT agree with PostgreSQL: nexus-sync verify findings",
                report.entities(), report.took().toMillis(), report.findingCount(), report.unsettled() + report.unconfirmed());
    }

    private void report(ContextNexusWorkload app) throws SQLException {
        var p = service.progress();
        Map<String, Long> graph = GraphCounts.of(service.driver());
        var last = p.lastBatch();
        out.printf("[%s] app wrote %d row changes | synced %d changes in %d batches%s | graph %s%n",
                p.stateName(), app.rowChanges(), p.changesApplied(), p.batchesApplied(),
                last == null ? "" : " (last: " + last.changes() + " changes in " + Duration.from(last.duration()).toMillis() + " ms)",
                graph);
    }
}
