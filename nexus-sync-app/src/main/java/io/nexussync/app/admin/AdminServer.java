package io.nexussync.app.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexussync.app.service.Backfills;
import io.nexussync.app.service.StatusReport;
import io.nexussync.core.pipeline.ApplyQueue;
import io.nexussync.core.plan.Lane;
import io.nexussync.core.apply.SyncException;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.snapshot.SnapshotProgress;
import io.nexussync.postgres.slot.SlotHealth;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin HTTP API: {@code /health} (for orchestrators, {@link Health}: 200 when ready, 503 otherwise),
 * {@code /status} (JSON) and {@code /metrics} (Prometheus). The JDK's own server: Neo4j's
 * and Javalin's Jetty versions clash on one classpath.
 */
public final class AdminServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final SyncProgress progress;
    private final PrometheusMeterRegistry metrics;
    private final Supplier<SlotHealth> slot;
    private final long walWarnBytes;
    private final Backfills backfills;
    private volatile List<CircuitBreaker> circuits = List.of();

    public AdminServer(int port, SyncProgress progress, PrometheusMeterRegistry metrics) {
        this(port, progress, metrics, () -> null, Long.MAX_VALUE, null);
    }

    /**
     * @param slot      the slot monitor's latest reading (null before the first), shown under {@code slot} in {@code /status}
     * @param backfills where {@code /backfill} queues and lists jobs; null leaves that endpoint out
     */
    public AdminServer(int port, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot, long walWarnBytes,
                       Backfills backfills) {
        this.progress = progress;
        this.backfills = backfills;
        this.metrics = metrics;
        this.slot = slot;
        this.walWarnBytes = walWarnBytes;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("the admin HTTP port " + port + " cannot be opened (" + e.getMessage()
                    + "): choose another with NEXUS_SYNC_ADMIN_PORT, or -1 to turn it off", e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nexus-sync-admin");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", this::health);
        server.createContext("/status", this::status);
        server.createContext("/metrics", exchange -> send(exchange, 200, "text/plain; version=0.0.4", metrics.scrape()));
        if (backfills != null) {
            server.createContext("/backfill", this::backfill);
        }
        server.start();
    }

    /** GET lists the jobs; POST {"table": "...", "where": "..."} queues one (202 with its id, 400 with the reason). */
    private void backfill(HttpExchange exchange) throws IOException {
        try {
            if ("POST".equals(exchange.getRequestMethod())) {
                Map<?, ?> request = JSON.readValue(exchange.getRequestBody(), Map.class);
                Object table = request.get("table");
                if (!(table instanceof String name) || name.isBlank()) {
                    send(exchange, 400, "application/json", JSON.writeValueAsString(Map.of("error", "the body needs \"table\", e.g. {\"table\": \"public.content_items\"}")));
                    return;
                }
                Object where = request.get("where");
                long id = backfills.request(name, where instanceof String w ? w : null, "http " + exchange.getRemoteAddress().getAddress().getHostAddress());
                send(exchange, 202, "application/json", JSON.writeValueAsString(Map.of("id", id, "table", name)));
            } else {
                send(exchange, 200, "application/json", JSON.writeValueAsString(backfills.list(100)));
            }
        } catch (SyncException | com.fasterxml.jackson.core.JacksonException e) {
            send(exchange, 400, "application/json", JSON.writeValueAsString(Map.of("error", String.valueOf(e.getMessage()))));
        }
    }

    /** Serves {@code path} with {@code handler} too (the dead-letter operations, which need PostgreSQL). */
    public AdminServer route(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    /** The circuits whose state {@code /health} and {@code /status} report (none unless given). */
    public AdminServer withCircuits(List<CircuitBreaker> shown) {
        circuits = List.copyOf(shown);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void health(HttpExchange exchange) throws IOException {
        Health health = Health.of(progress, circuits.stream().map(CircuitBreaker::status).toList());
        send(exchange, health.httpStatus(), "application/json", JSON.writeValueAsString(health.body()));
    }

    private void status(HttpExchange exchange) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", progress.state());
        body.put("graphCheckpoint", progress.checkpoint().committedEnd().toString());
        body.put("changesApplied", progress.changesApplied());
        body.put("batchesApplied", progress.batchesApplied());
        body.put("retries", progress.retries());
        body.put("deadLetters", Map.of("recordedSinceStart", progress.deadLettered(), "parkedSinceStart", progress.parked()));
        body.put("lastBatchAt", progress.lastBatchAt() == null ? null : progress.lastBatchAt().toString());
        body.put("lastError", progress.lastError());
        ApplyQueue queue = progress.queue();
        Map<String, Object> queueView = new LinkedHashMap<>();
        Map<String, Object> pending = new LinkedHashMap<>();
        for (Lane lane : Lane.values()) {
            pending.put(lane.yamlName(), queue.pendingByLane().getOrDefault(lane, 0L));
        }
        queueView.put("pendingByLane", pending);
        queueView.put("readAheadBytes", queue.pendingBytes());
        queueView.put("batchesInFlight", queue.batchesInFlight());
        queueView.put("batchSize", queue.batchSize());
        queueView.put("rangesAhead", queue.runsAhead());
        body.put("queue", queueView);
        body.put("circuits", circuitsView(circuits));
        SlotHealth health = slot.get();
        if (health != null) {
            Map<String, Object> slotStatus = new LinkedHashMap<>();
            slotStatus.put("name", health.slot());
            slotStatus.put("readAt", health.readAt().toString());
            StatusReport.putSlot(slotStatus, health, walWarnBytes);
            body.put("slot", slotStatus);
        }
        SnapshotProgress snapshot = progress.snapshot();
        if (snapshot != null) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("phase", snapshot.phase());
            view.put("table", snapshot.table() == null ? null : snapshot.table().toString());
            view.put("rowsDone", snapshot.rowsDone());
            view.put("rowsTotal", snapshot.rowsTotal());
            view.put("rowsPerSecond", Math.round(snapshot.rowsPerSecond()));
            view.put("etaSeconds", snapshot.eta() == null || snapshot.isFinished() ? null : snapshot.eta().toSeconds());
            view.put("elapsedSeconds", snapshot.elapsed().toSeconds());
            body.put("snapshot", view);
        }
        send(exchange, 200, "application/json", JSON.writeValueAsString(body));
    }

    /** Per target: state, since (went down, or came back), lastError, nextProbeAt (while open), timesOpened. */
    static Map<String, Object> circuitsView(List<CircuitBreaker> circuits) {
        Map<String, Object> view = new LinkedHashMap<>();
        for (CircuitBreaker circuit : circuits) {
            CircuitBreaker.Status status = circuit.status();
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("state", status.state().name());
            one.put("since", status.since().toString());
            one.put("lastError", status.lastError());
            one.put("nextProbeAt", status.nextProbeAt() == null ? null : status.nextProbeAt().toString());
            one.put("timesOpened", status.timesOpened());
            view.put(status.target(), one);
        }
        return view;
    }

    private static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
