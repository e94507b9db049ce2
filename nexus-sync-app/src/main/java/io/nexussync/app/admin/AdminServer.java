package io.nexussync.app.admin;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.router.EndpointNotFound;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.components.StatusHistory;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.app.service.BackfillRequests;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.postgres.slot.SlotHealth;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API, on Javalin (Jetty 12.1). Open: {@code GET /health} (for orchestrators, {@link Health}: 200 when
 * ready, 503 otherwise), {@code /health/live}, {@code /health/ready}, {@code /metrics} (Prometheus) and {@code /status}
 * (JSON, no secrets), {@code GET /status/history} (the last minutes of it, for the chart), {@code GET /verify} (counts only),
 * and the web console at {@code /} ({@link ConsoleEndpoint}), which reads this API as any caller does. Everything else ({@code /backfill}, {@code /dlq}, {@code /conflicts},
 * {@code /critical}, {@code /history}, the rest of {@code /verify}) needs the admin token ({@link AdminAuth}).
 *
 * <p>Everything about HTTP is decided here: it listens on {@code 127.0.0.1} unless configured otherwise. Routes match
 * the whole path; a known path with another method (HEAD included) is 405 with {@code Allow}; a body over
 * {@value #MAX_BODY_BYTES} bytes is 413; every error is JSON ({@link AdminErrors}). {@value #THREADS} threads serve
 * requests, of which at most {@value #SLOW_CALLS} wait on PostgreSQL at once (a further such call is 503 at once), so
 * a slow call never holds up {@code /health}; further requests wait in a queue of {@value #QUEUED}. Jetty reads a
 * request's headers without holding one of those threads, and closes a connection that sends nothing for
 * {@link #READ_TIMEOUT} (in its headers or between requests).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    static final int THREADS = 4;
    static final int SLOW_CALLS = 2;
    static final int QUEUED = 64;
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** Jetty's own threads: one accepts connections, one selects the ready ones. */
    private static final int ACCEPTORS = 1;
    private static final int SELECTORS = 1;
    /** The actor recorded for what a caller with the admin token does (dead-letter retries and skips, backfills). */
    public static final String ACTOR = "admin-api";

    private final Javalin javalin;
    private final String bind;
    private final AdminAuth auth;
    private final Semaphore slowCalls = new Semaphore(SLOW_CALLS);
    private final List<Route> routes = new ArrayList<>();
    private final SyncProgress progress;
    private volatile List<CircuitBreaker> circuits = List.of();
    private volatile StatusHistory history;
    private final Duration readyLag;
    /** Why the process cannot make progress; without a service behind it, only a failed state says so. */
    private volatile Supplier<List<String>> liveness;
    private final CriticalEndpoint.Operations critical;
    /** Sections of {@code /status} beyond the fixed ones, in the order given. */
    private final Map<String, Supplier<Object>> statusSections = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());

    /** On this machine only, on {@code port} (0: a free one), without a token: the mutating endpoints answer 403. */
    public AdminServer(int port, SyncProgress progress, PrometheusMeterRegistry metrics) {
        this(AdminSettings.loopback(port, null), progress, metrics, () -> null, Long.MAX_VALUE, null, null);
    }

    /** Without {@code /dlq}. */
    public AdminServer(AdminSettings settings, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot,
                       long walWarnBytes, BackfillRequests backfills) {
        this(settings, progress, metrics, slot, walWarnBytes, backfills, null);
    }

    /**
     * @param slot        the slot monitor's latest reading (null before the first), shown under {@code slot} in {@code /status}
     * @param backfills   where {@code /backfill} queues and lists jobs; null leaves that endpoint out
     * @param deadLetters what {@code /dlq} does ({@link DeadLetterEndpoint}); null leaves that endpoint out
     */
    public AdminServer(AdminSettings settings, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot,
                       long walWarnBytes, BackfillRequests backfills, DeadLetterEndpoint.Operations deadLetters) {
        this(settings, progress, metrics, slot, walWarnBytes, backfills, deadLetters, null);
    }

    /** @param verify what {@code /verify} does ({@link VerifyEndpoint}); null leaves that endpoint out (and verify out of {@code /status}) */
    public AdminServer(AdminSettings settings, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot,
                       long walWarnBytes, BackfillRequests backfills, DeadLetterEndpoint.Operations deadLetters,
                       VerifyEndpoint.Operations verify) {
        this(settings, progress, metrics, slot, walWarnBytes, backfills, deadLetters, verify, null);
    }

    /**
     * @param conflicts what {@code /conflicts} does ({@link ConflictEndpoint}); null leaves that endpoint out (and reverse sync out of
     *                  {@code /status})
     */
    public AdminServer(AdminSettings settings, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot,
                       long walWarnBytes, BackfillRequests backfills, DeadLetterEndpoint.Operations deadLetters,
                       VerifyEndpoint.Operations verify, ConflictEndpoint.Operations conflicts) {
        this(settings, progress, metrics, slot, walWarnBytes, backfills, deadLetters, verify, conflicts, null);
    }

    /**
     * @param critical what {@code /critical} does ({@link CriticalEndpoint}); null leaves that endpoint out (and critical writes out of
     *                 {@code /status} and {@code /health})
     */
    public AdminServer(AdminSettings settings, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot,
                       long walWarnBytes, BackfillRequests backfills, DeadLetterEndpoint.Operations deadLetters,
                       VerifyEndpoint.Operations verify, ConflictEndpoint.Operations conflicts, CriticalEndpoint.Operations critical) {
        this(settings, progress, metrics, slot, walWarnBytes, backfills, deadLetters, verify, conflicts, critical, null);
    }

    /** @param transactionLog what {@code GET /log} reads ({@link LogEndpoint}); null leaves that endpoint out */
    public AdminServer(AdminSettings settings, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot,
                       long walWarnBytes, BackfillRequests backfills, DeadLetterEndpoint.Operations deadLetters,
                       VerifyEndpoint.Operations verify, ConflictEndpoint.Operations conflicts, CriticalEndpoint.Operations critical,
                       LogEndpoint.Operations transactionLog) {
        this(settings, progress, metrics, slot, walWarnBytes, backfills, deadLetters, verify, conflicts, critical, transactionLog, null);
    }

    /** @param asOf what {@code GET /history/...} reads ({@link HistoryEndpoint}); null leaves those endpoints out */
    public AdminServer(AdminSettings settings, SyncProgress progress, PrometheusMeterRegistry metrics, Supplier<SlotHealth> slot,
                       long walWarnBytes, BackfillRequests backfills, DeadLetterEndpoint.Operations deadLetters,
                       VerifyEndpoint.Operations verify, ConflictEndpoint.Operations conflicts, CriticalEndpoint.Operations critical,
                       LogEndpoint.Operations transactionLog, HistoryEndpoint.Operations asOf) {
        this.progress = progress;
        this.critical = critical;
        this.readyLag = settings.readyLag();
        this.liveness = () -> Health.of(progress, List.of()).live() ? List.of() : List.of("failed since " + progress.stateSince());
        this.bind = settings.bind();
        this.auth = new AdminAuth(settings.token());
        routes.add(Route.open("GET", "/health", request -> health()));
        routes.add(Route.open("GET", "/health/live", request -> probe(Probe.live(liveness.get()))));
        routes.add(Route.open("GET", "/health/ready", request -> probe(Probe.ready(progress, circuitStatuses(),
                critical == null ? List.of() : critical.healthReasons(), readyLag, java.time.Instant.now()))));
        routes.add(Route.open("GET", "/metrics", request -> Reply.text(200, "text/plain; version=0.0.4", metrics.scrape())));
        routes.add(Route.open("GET", "/status", request -> {
            Map<String, Object> status = StatusView.of(progress, circuits, slot.get(), walWarnBytes);
            if (verify != null) {
                status.put("verify", verify.state());
            }
            if (conflicts != null) {
                status.put("reverse", conflicts.state());
            }
            if (critical != null) {
                status.put("critical", critical.state());
            }
            statusSections.forEach((section, view) -> status.put(section, view.get()));
            return Reply.json(200, status);
        }));
        routes.add(Route.open("GET", "/status/history", request -> Reply.json(200, StatusView.history(history))));
        routes.addAll(ConsoleEndpoint.routes());
        if (backfills != null) {
            routes.add(Route.guarded("GET", "/backfill", request -> Reply.json(200, backfills.list(100))));
            routes.add(Route.guarded("POST", "/backfill", request -> queueBackfill(backfills, request)));
        }
        if (deadLetters != null) {
            routes.addAll(DeadLetterEndpoint.routes(deadLetters));
        }
        if (verify != null) {
            routes.addAll(VerifyEndpoint.routes(verify));
        }
        if (conflicts != null) {
            routes.addAll(ConflictEndpoint.routes(conflicts));
        }
        if (critical != null) {
            routes.addAll(CriticalEndpoint.routes(critical));
        }
        if (transactionLog != null) {
            routes.addAll(LogEndpoint.routes(transactionLog, java.time.Clock.systemUTC()));
        }
        if (asOf != null) {
            routes.addAll(HistoryEndpoint.routes(asOf, java.time.Clock.systemUTC()));
        }
        javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.startup.startupWatcherEnabled = false;
            QueuedThreadPool threads = new QueuedThreadPool(ACCEPTORS + SELECTORS + THREADS, ACCEPTORS + SELECTORS + THREADS,
                    60_000, -1, new BlockingArrayQueue<>(QUEUED, 0, QUEUED), null);
            threads.setName("nexus-sync-admin");
            threads.setDaemon(true);
            threads.setReservedThreads(0);
            config.jetty.threadPool = threads;
            config.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, ACCEPTORS, SELECTORS, new HttpConnectionFactory(http));
                connector.setHost(settings.bind());
                connector.setPort(settings.port());
                connector.setIdleTimeout(READ_TIMEOUT.toMillis());
                return connector;
            });
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.http.compressionStrategy = io.javalin.compression.CompressionStrategy.NONE;
            config.router.ignoreTrailingSlashes = false;
            config.router.treatMultipleSlashesAsSingleSlash = false;
            for (Route route : routes) {
                config.routes.addHttpHandler(HandlerType.findOrCreate(route.method()), route.path(), ctx -> send(ctx, serve(route, ctx)));
            }
            // Javalin answers HEAD for every GET route by itself; this API takes only the methods its routes name.
            config.routes.before(ctx -> {
                if (ctx.req().getMethod().equals("HEAD")) {
                    send(ctx, unrouted(ctx));
                    ctx.skipRemainingHandlers();
                }
            });
            config.routes.exception(EndpointNotFound.class, (e, ctx) -> send(ctx, unrouted(ctx)));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> send(ctx, Reply.error(e.getStatus(), e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> send(ctx, AdminErrors.reply(ctx.req().getMethod() + " " + ctx.path(), e)));
        });
        try {
            javalin.start();
        } catch (RuntimeException e) {
            javalin.stop();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new UncheckedIOException("the admin HTTP API cannot listen on " + settings.bind() + ":" + settings.port() + " (" + cause.getMessage()
                    + "): choose another port with NEXUS_SYNC_ADMIN_PORT (-1 turns it off) or another address with NEXUS_SYNC_ADMIN_BIND",
                    cause instanceof IOException io ? io : new IOException(cause));
        }
        log.info("admin API on http://{}:{} ({})", settings.bind(), port(), settings.hasToken()
                ? "/backfill, /dlq, /conflicts, /critical, /history and /verify's mutations and findings need the admin token"
                : "no admin token: /backfill, /dlq, /conflicts, /critical, /history and /verify's mutations and findings answer 403");
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

    /** The circuits whose state {@code /health} and {@code /status} report (none unless given). */
    public AdminServer withCircuits(List<CircuitBreaker> shown) {
        circuits = List.copyOf(shown);
        return this;
    }

    /** The samples {@code /status/history} serves (none unless given). */
    public AdminServer withHistory(StatusHistory shown) {
        history = shown;
        return this;
    }

    /** A further section of {@code /status}, read at each request (e.g. {@code historyRetention}); it must hold no secret. */
    public AdminServer withStatus(String section, Supplier<Object> view) {
        statusSections.put(section, view);
        return this;
    }

    /** What {@code /health/live} reports as keeping the process from making progress ({@code SyncService#livenessProblems}). */
    public AdminServer withLiveness(Supplier<List<String>> problems) {
        liveness = problems;
        return this;
    }

    public int port() {
        return javalin.port();
    }

    /** The address it listens on. */
    public InetSocketAddress address() {
        try {
            return new InetSocketAddress(InetAddress.getByName(bind), port());
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Reply health() {
        Health health = currentHealth();
        return Reply.json(health.httpStatus(), health.body());
    }

    private static Reply probe(Probe probe) {
        return Reply.json(probe.httpStatus(), probe.body());
    }

    private Health currentHealth() {
        return Health.of(progress, circuitStatuses(), critical == null ? List.of() : critical.healthReasons());
    }

    private List<CircuitBreaker.Status> circuitStatuses() {
        return circuits.stream().map(CircuitBreaker::status).toList();
    }

    /** A request Javalin routed to {@code route}: the whole path and the method itself (not an override header) must match too. */
    private Reply serve(Route route, Context ctx) throws Exception {
        String method = ctx.req().getMethod();
        Matcher match = route.match(ctx.path());
        if (match == null || !route.method().equals(method)) {
            return unrouted(ctx);
        }
        if (route.access() == Route.Access.TOKEN) {
            Reply refusal = auth.refusal(ctx.header("Authorization"));
            if (refusal != null) {
                log.warn("admin API: {} {} from {} refused ({})", method, ctx.path(), ctx.req().getRemoteAddr(), refusal.status());
                return refusal;
            }
        }
        byte[] body = method.equals("POST") ? body(ctx) : new byte[0];
        AdminRequest request = new AdminRequest(match, ctx.queryString(), body);
        if (!route.slow()) {
            return route.action().handle(request);
        }
        if (!slowCalls.tryAcquire()) {
            return Reply.error(503, "the admin API is busy with " + SLOW_CALLS + " calls to PostgreSQL; try again in a moment")
                    .withHeader("Retry-After", "1");
        }
        try {
            if (!method.equals("GET")) {
                log.info("admin API: {} {} by {} from {}", method, ctx.path(), ACTOR, ctx.req().getRemoteAddr());
            }
            return route.action().handle(request);
        } finally {
            slowCalls.release();
        }
    }

    /** No route takes this method on this path: 404 when none has the path, else 405 with the methods that do. */
    private Reply unrouted(Context ctx) {
        String method = ctx.req().getMethod();
        String path = ctx.path();
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            if (route.match(path) != null) {
                allowed.add(route.method());
            }
        }
        if (allowed.isEmpty()) {
            return Reply.error(404, "no such endpoint: " + path + " (" + endpoints() + ")");
        }
        return Reply.error(405, method + " is not allowed on " + path + ": use " + String.join(" or ", allowed))
                .withHeader("Allow", String.join(", ", allowed));
    }

    /** The body, read up to the limit: a declared or actual length over it is 413 before anything acts on it. */
    private static byte[] body(Context ctx) throws IOException {
        String declared = ctx.header("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > MAX_BODY_BYTES) {
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw new HttpProblem(400, "Content-Length is not a number");
            }
        }
        try (InputStream in = ctx.req().getInputStream()) {
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
            all.add(route.method() + " " + route.path().replaceAll("\\{[a-z]+}", "ID"));
        }
        return String.join(", ", all);
    }

    private static void send(Context ctx, Reply reply) {
        ctx.status(reply.status());
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        reply.headers().forEach(ctx::header);
        ctx.contentType(reply.contentType() + (reply.contentType().contains("charset") ? "" : "; charset=utf-8"));
        if (!ctx.req().getMethod().equals("HEAD")) {
            ctx.result(reply.body());
        }
    }

    @Override
    public void close() {
        javalin.stop();
    }
}
