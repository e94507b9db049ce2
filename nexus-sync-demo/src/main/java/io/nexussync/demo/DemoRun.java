package io.nexussync.demo;

import io.nexussync.app.service.SyncService;
import io.nexussync.app.components.ReverseComponent;
import io.nexussync.app.components.VerifyComponent;
import io.nexussync.app.config.ReverseSettings;
import io.nexussync.postgres.PgConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.neo4j.driver.Session;
import org.neo4j.driver.TransactionConfig;
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
    /** Without the service's metadata: the edit is a graph user's, which the plugin records and reverse sync carries to PostgreSQL. */
    private static final TransactionConfig AS_A_GRAPH_USER = TransactionConfig.empty();
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
            showReverseSync(pg);
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

    /**
     * Reverse sync at work: one content item's title edited in the graph with Cypher, as a graph user would, and the row
     * followed in PostgreSQL (its pg_version bumped once, neo4j_version set to the node's). Polling needs the writer to
     * raise neo4jVersion itself; the plugin does that for it.
     */
    private void showReverseSync(PgSettings pg) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        ReverseComponent.Status status = service.reverse().status();
        String id = null;
        while ((status.mode() == null || id == null) && Instant.now().isBefore(deadline) && !stopping) {
            Thread.sleep(200);
            status = service.reverse().status();
            try (Session session = service.driver().session()) {
                id = session.run("MATCH (c:ContentItem) WHERE c.id >= '' RETURN c.id AS id ORDER BY c.id LIMIT 1", Map.of(), AS_A_GRAPH_USER).list().stream()
                        .map(r -> r.get("id").asString()).findFirst().orElse(null);
            }
        }
        if (status.mode() == null || id == null || status.mode() == ReverseSettings.Mode.OFF) {
            out.println("reverse sync: " + (status.mode() == ReverseSettings.Mode.OFF ? "off (NEXUS_SYNC_REVERSE_MODE=off)" : "not running yet"));
            return;
        }
        String title = "edited in the graph at " + java.time.LocalTime.now().withNano(0);
        String raise = status.mode() == ReverseSettings.Mode.POLL ? ", c.neo4jVersion = coalesce(c.neo4jVersion, 0) + 1" : "";
        Instant edited = Instant.now();
        try (Session session = service.driver().session()) {
            session.run("MATCH (c:ContentItem {id: $id}) SET c.title = $title" + raise, Map.of("id", id, "title", title), AS_A_GRAPH_USER).consume();
        }
        try (Connection c = PgConnections.open(pg, "demo");
             PreparedStatement read = c.prepareStatement("SELECT title, pg_version, neo4j_version FROM content_items WHERE id = ?::uuid")) {
            read.setString(1, id);
            Instant until = Instant.now().plusSeconds(15);
            while (Instant.now().isBefore(until)) {
                try (ResultSet row = read.executeQuery()) {
                    if (row.next() && title.equals(row.getString(1))) {
                        out.printf("reverse sync (%s): content item %s's title, edited in the graph with Cypher, reached PostgreSQL in %d ms "
                                        + "(pg_version %d, neo4j_version %d)%n", status.mode().external(), id,
                                Duration.between(edited, Instant.now()).toMillis(), row.getLong(2), row.getLong(3));
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        out.println("reverse sync: the title edited in the graph did not reach PostgreSQL within 15 s (the workload may have changed the row "
                + "meanwhile: nexus-sync conflicts list --all; /status shows reverse sync's state)");
    }

    private void report(ContextNexusWorkload app) throws SQLException {
        var p = service.progress();
        Map<String, Long> graph = GraphCounts.of(service.driver());
        var last = p.lastBatch();
        ReverseComponent.Status reverse = service.reverse().status();
        out.printf("[%s] app wrote %d row changes | synced %d changes in %d batches%s | graph %s | graph edits to PostgreSQL: %d row writes (%s)%n",
                p.stateName(), app.rowChanges(), p.changesApplied(), p.batchesApplied(),
                last == null ? "" : " (last: " + last.changes() + " changes in " + Duration.from(last.duration()).toMillis() + " ms)",
                graph, reverse.appliedByEntity().values().stream().mapToLong(Long::longValue).sum(), reverse.mode() == null ? "starting" : reverse.mode().external());
    }
}
