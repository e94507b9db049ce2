package io.nexussync.app.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.app.service.BackfillRequests;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.postgres.slot.SlotHealth;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API, on the JDK's own server (Neo4j's and Javalin's Jetty versions clash on one classpath).
 * Open: {@code GET /health} (for orchestrators, {@link Health}: 200 when ready, 503 otherwise),
 * {@code /health/live}, {@code /health/ready}, {@code /metrics} (Prometheus) and {@code /status} (JSON, no
 * secrets). Everything else ({@code /backfill}, {@code /dlq}) needs the admin token ({@link AdminAuth}).
 *
 * <p>It listens on {@code 127.0.0.1} unless configured otherwise. Routes match the whole path; a known path
 * with another method is 405 with {@code Allow}; a body over {@value #MAX_BODY_BYTES} bytes is 413; every
 * error is JSON ({@link AdminErrors}). {@value #THREADS} threads serve it, of which at most
 * {@value #SLOW_CALLS} wait on PostgreSQL at once (a further such call is 503 at once), so a slow call never
 * holds up {@code /health}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    static final int THREADS = 4;
    static final int SLOW_CALLS = 2;
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** The actor recorded for what a caller with the admin token does (dead-letter retries and skips, backfills). */
    public static final String ACTOR = "admin-api";

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final AdminAuth auth;
    private final Semaphore slowCalls = new Semaphore(SLOW_CALLS);
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final SyncProgress progress;
    private final Supplier<SlotHealth> slot;
    private final long walWarnBytes;
    private volatile List<CircuitBreaker> circuits = List.of();

    /** On this machine only, on {@code port} (0: a free one), without a token: the mutating endpoints answer 403. */
    public AdminServer(int port, SyncProgress progress, PrometheusMeterRegistry metrics) {
        this(AdminSettings.loopback(port, null), progress, metrics, () -> null, Long.MAX_VALUE, null);
    }

    /**
     * @param slot      the slot monitor's latest reading (null before the first), shown under {@code slot} in {@code /status}
     * @param backfills where {@code /backfill} queues and lists jobs; null leaves that endpoint out
     */
    public AdminServer(AdminSettings settings, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot,
                       long walWarnBytes, BackfillRequests backfills) {
        this.progress = progress;
        this.slot = slot;
        this.walWarnBytes = walWarnBytes;
        this.auth = new AdminAuth(settings.token());
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(settings.bind()), settings.port());
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("the admin HTTP API cannot listen on " + settings.bind() + ":" + settings.port() + " (" + e.getMessage()
                    + "): choose another port with NEXUS_SYNC_ADMIN_PORT (-1 turns it off) or another address with NEXUS_SYNC_ADMIN_BIND", e);
        }
        AtomicInteger threads = new AtomicInteger();
        executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "nexus-sync-admin-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        routes.add(Route.open("GET", "/health", request -> health()));
        routes.add(Route.open("GET", "/health/live", request -> {
            Health health = Health.of(progress, circuitStatuses());
            return Reply.json(health.live() ? 200 : 503, health.body());
        }));
        routes.add(Route.open("GET", "/health/ready", request -> health()));
        routes.add(Route.open("GET", "/metrics", request -> Reply.text(200, "text/plain; version=0.0.4", metrics.scrape())));
        routes.add(Route.open("GET", "/status", request -> Reply.json(200, StatusView.of(progress, circuits, slot.get(), walWarnBytes))));
        if (backfills != null) {
            routes.add(Route.guarded("GET", "/backfill", request -> Reply.json(200, backfills.list(100))));
            routes.add(Route.guarded("POST", "/backfill", request -> queueBackfill(backfills, request)));
        }
        server.createContext("/", this::dispatch);
        server.start();
        log.info("admin API on http://{}:{} ({})", settings.bind(), port(), settings.hasToken()
                ? "/backfill and /dlq need the admin token" : "no admin token: /backfill and /dlq answer 403");
    }

    /** POST {"table": "...", "where": "..."}: 202 with the job's id, 400 with the reason. */
    private static Reply queueBackfill(BackfillRequests backfills, AdminRequest request) throws IOException {
        Map<?, ?> body = request.json();
        String table = AdminRequest.text(body, "table");
        if (table == null) {
            throw new HttpProblem(400, "the body needs \"table\", e.g. {\"table\": \"public.content_items\", \"where\": \"updated_at > now() - interval '1 day'\"}");
        }
        long id = backfills.request(table, AdminRequest.text(body, "where"), ACTOR);
        return Reply.json(202, Map.of("id", id, "table", table));
    }

    /** Serves the dead-letter operations ({@code /dlq...}, all behind the token). */
    public AdminServer withDeadLetters(DeadLetterEndpoint.Operations deadLetters) {
        routes.addAll(DeadLetterEndpoint.routes(deadLetters));
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

    /** The address it listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private Reply health() {
        Health health = Health.of(progress, circuitStatuses());
        return Reply.json(health.httpStatus(), health.body());
    }

    private List<CircuitBreaker.Status> circuitStatuses() {
        return circuits.stream().map(CircuitBreaker::status).toList();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        Reply reply;
        try {
            reply = answer(exchange, method, path);
        } catch (Exception e) {
            reply = AdminErrors.reply(method + " " + path, e);
        }
        send(exchange, method, reply);
    }

    private Reply answer(HttpExchange exchange, String method, String path) throws Exception {
        Set<String> allowed = new LinkedHashSet<>();
        Route route = null;
        Matcher match = null;
        for (Route candidate : routes) {
            Matcher m = candidate.match(path);
            if (m != null) {
                allowed.add(candidate.method());
                if (candidate.method().equals(method)) {
                    route = candidate;
                    match = m;
                }
            }
        }
        if (allowed.isEmpty()) {
            return Reply.error(404, "no such endpoint: " + path + " (" + endpoints() + ")");
        }
        if (route == null) {
            return Reply.error(405, method + " is not allowed on " + path + ": use " + String.join(" or ", allowed))
                    .withHeader("Allow", String.join(", ", allowed));
        }
        if (route.access() == Route.Access.TOKEN) {
            Reply refusal = auth.refusal(exchange.getRequestHeaders().getFirst("Authorization"));
            if (refusal != null) {
                log.warn("admin API: {} {} from {} refused ({})", method, path, exchange.getRemoteAddress().getAddress().getHostAddress(), refusal.status());
                return refusal;
            }
        }
        byte[] body = method.equals("POST") ? body(exchange) : new byte[0];
        if (!route.slow()) {
            return route.action().handle(new AdminRequest(match, exchange.getRequestURI().getRawQuery(), body));
        }
        if (!slowCalls.tryAcquire()) {
            return Reply.error(503, "the admin API is busy with " + SLOW_CALLS + " calls to PostgreSQL; try again in a moment")
                    .withHeader("Retry-After", "1");
        }
        try {
            if (!method.equals("GET")) {
                log.info("admin API: {} {} by {} from {}", method, path, ACTOR, exchange.getRemoteAddress().getAddress().getHostAddress());
            }
            return route.action().handle(new AdminRequest(match, exchange.getRequestURI().getRawQuery(), body));
        } finally {
            slowCalls.release();
        }
    }

    /** The body, read up to the limit: a declared or actual length over it is 413 before anything acts on it. */
    private static byte[] body(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > MAX_BODY_BYTES) {
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw new HttpProblem(400, "Content-Length is not a number");
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return bytes;
        }
    }

    private static HttpProblem tooLarge() {
        return new HttpProblem(413, "the body is larger than " + MAX_BODY_BYTES / 1024 + " KiB");
    }

    private String endpoints() {
        List<String> all = new ArrayList<>();
        for (Route route : routes) {
            all.add(route.method() + " " + route.path().pattern().replace("\\Q", "").replace("\\E", "").replace("(\\d+)", "ID"));
        }
        return String.join(", ", all);
    }

    private static void send(HttpExchange exchange, String method, Reply reply) throws IOException {
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", reply.contentType() + (reply.contentType().contains("charset") ? "" : "; charset=utf-8"));
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        boolean head = method.equals("HEAD");
        exchange.sendResponseHeaders(reply.status(), head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
