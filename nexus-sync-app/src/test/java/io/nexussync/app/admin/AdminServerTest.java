package io.nexussync.app.admin;

import io.nexussync.core.pipeline.ServiceState;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.app.config.ConfigLoader;
import io.nexussync.app.service.BackfillRequests;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.deadletter.DeadLetterQueue.Entry;
import io.nexussync.postgres.deadletter.DeadLetterQueue.Release;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin API's routing, authentication, limits and errors, on a loopback port, in front of fakes. */
@Timeout(60)
class AdminServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final List<String[]> MUTATIONS_AND_PRIVATE_READS = List.of(new String[] {"POST", "/backfill"}, new String[] {"GET", "/backfill"},
            new String[] {"GET", "/dlq"}, new String[] {"GET", "/dlq/1"}, new String[] {"POST", "/dlq/1/retry"},
            new String[] {"POST", "/dlq/1/skip"}, new String[] {"POST", "/dlq/retry-all"});

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeBackfills backfills = new FakeBackfills();
    private final FakeDeadLetters deadLetters = new FakeDeadLetters();
    private AdminServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldListenOnLoopbackOnlyUnlessConfiguredOtherwise() {
        AdminSettings defaults = ConfigLoader.load(null, Map.of("NEXUS_SYNC_PG_URL", "jdbc:postgresql://db/app",
                "NEXUS_SYNC_NEO4J_URI", "bolt://graph:7687", "NEXUS_SYNC_ADMIN_PORT", "0")).admin();
        assertThat(defaults.bind()).isEqualTo("127.0.0.1");

        server = new AdminServer(defaults, new SyncProgress(), metrics(), () -> null, 0, backfills);

        assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(server.address().getAddress().isAnyLocalAddress()).isFalse();
    }

    @Test
    void shouldMatchWholePathsOnly() throws Exception {
        start(TOKEN);
        for (String path : List.of("/healthx", "/health/", "/health/live/x", "/statusx", "/metrics/", "/backfill/1", "/dlq/1/retryx",
                "/dlq/x", "//", "/index.html", "/console/", "/dlqs")) {
            HttpResponse<String> response = get(path, TOKEN);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(error(response)).as(path).startsWith("no such endpoint: " + path);
        }
        assertThat(backfills.calls).isEmpty();
        assertThat(deadLetters.calls).isEmpty();
    }

    @Test
    void shouldAnswer405WithAllowForAMethodTheRouteDoesNotTake() throws Exception {
        start(TOKEN);

        HttpResponse<String> postHealth = send("POST", "/health", "{}", null);
        assertThat(postHealth.statusCode()).isEqualTo(405);
        assertThat(postHealth.headers().firstValue("Allow")).hasValue("GET");
        assertThat(error(postHealth)).contains("POST is not allowed on /health");

        HttpResponse<String> deleteBackfill = send("DELETE", "/backfill", null, TOKEN);
        assertThat(deleteBackfill.statusCode()).isEqualTo(405);
        assertThat(deleteBackfill.headers().firstValue("Allow")).hasValue("GET, POST");

        HttpResponse<String> getSkip = get("/dlq/4/skip", TOKEN);
        assertThat(getSkip.statusCode()).isEqualTo(405);
        assertThat(getSkip.headers().firstValue("Allow")).hasValue("POST");
        assertThat(deadLetters.calls).isEmpty();
    }

    @Test
    void shouldTakeOnlyTheMethodsItsRoutesNameWhateverTheHeadersSay() throws Exception {
        start(TOKEN);

        HttpResponse<String> head = send("HEAD", "/health", null, null);
        assertThat(head.statusCode()).isEqualTo(405);
        assertThat(head.headers().firstValue("Allow")).hasValue("GET");

        HttpResponse<String> overridden = http.send(request("GET", "/dlq/4/skip", null).header("Authorization", "Bearer " + TOKEN)
                .header("X-HTTP-Method-Override", "POST").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(overridden.statusCode()).isEqualTo(405);
        assertThat(deadLetters.calls).isEmpty();
    }

    @Test
    void shouldCloseAConnectionThatStopsSendingItsHeaders() throws Exception {
        start(TOKEN);
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout((int) AdminServer.READ_TIMEOUT.plusSeconds(20).toMillis());
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            assertThat(socket.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(AdminServer.READ_TIMEOUT.minusSeconds(1),
                    AdminServer.READ_TIMEOUT.plusSeconds(10));
        }
        assertThat(get("/health/live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseEveryMutationAndPrivateReadWhenNoTokenIsConfiguredAndSayHowToSetOne() throws Exception {
        start(null);
        for (String[] call : MUTATIONS_AND_PRIVATE_READS) {
            HttpResponse<String> response = send(call[0], call[1], call[0].equals("POST") ? "{\"table\": \"tags\", \"reason\": \"r\"}" : null,
                    "anything-at-all-0123456789");
            assertThat(response.statusCode()).as(call[0] + " " + call[1]).isEqualTo(403);
            assertThat(error(response)).as(call[0] + " " + call[1]).contains("NEXUS_SYNC_ADMIN_TOKEN").contains("admin.token-file");
        }
        assertThat(backfills.calls).isEmpty();
        assertThat(deadLetters.calls).isEmpty();
    }

    @Test
    void shouldAsk401ForTheTokenWhenItIsMissingOrWrong() throws Exception {
        start(TOKEN);
        for (String[] call : MUTATIONS_AND_PRIVATE_READS) {
            String body = call[0].equals("POST") ? "{\"table\": \"tags\", \"reason\": \"r\"}" : null;
            for (String presented : new String[] {null, "wrong-token-0123456789abcdef", TOKEN + "x", TOKEN.substring(1)}) {
                HttpResponse<String> response = send(call[0], call[1], body, presented);
                assertThat(response.statusCode()).as(call[0] + " " + call[1] + " with " + presented).isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
                assertThat(error(response)).isNotBlank();
            }
            HttpResponse<String> basic = http.send(request(call[0], call[1], body).header("Authorization", "Basic " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(basic.statusCode()).as("Basic auth on " + call[1]).isEqualTo(401);
        }
        assertThat(backfills.calls).isEmpty();
        assertThat(deadLetters.calls).isEmpty();

        HttpResponse<String> queued = send("POST", "/backfill", "{\"table\": \"tags\"}", TOKEN);
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
        HttpResponse<String> lowerCaseScheme = http.send(request("GET", "/dlq", null).header("Authorization", "bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(lowerCaseScheme.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldKeepHealthMetricsAndStatusOpen() throws Exception {
        start(TOKEN);
        for (String path : List.of("/health", "/health/live", "/health/ready", "/metrics", "/status")) {
            HttpResponse<String> response = get(path, null);
            assertThat(response.statusCode()).as(path).isIn(200, 503);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).isEmpty();
        }
        assertThat(get("/health/live", null).statusCode()).as("starting, not failed: live").isEqualTo(200);
        assertThat(get("/health/ready", null).statusCode()).as("starting: not ready").isEqualTo(503);
        assertThat(get("/status", null).body()).contains("\"state\":\"starting\"");
    }

    @Test
    void shouldShowASectionAddedToStatusAsItIsAtEachRequest() throws Exception {
        start(TOKEN);
        java.util.concurrent.atomic.AtomicLong removed = new java.util.concurrent.atomic.AtomicLong();
        server.withStatus("historyRetention", () -> Map.of("removedSinceStart", removed.get()));

        assertThat(get("/status", null).body()).contains("\"historyRetention\":{\"removedSinceStart\":0}");
        removed.set(1_502);
        assertThat(get("/status", null).body()).contains("\"historyRetention\":{\"removedSinceStart\":1502}");
    }

    @Test
    void shouldRecordTheAuthenticatedCallerNotANameFromTheBody() throws Exception {
        start(TOKEN);

        assertThat(send("POST", "/dlq/7/skip", "{\"by\": \"mallory\", \"reason\": \"obsolete\"}", TOKEN).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/dlq/8/retry", "{\"by\": \"mallory\"}", TOKEN).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/dlq/retry-all", "{\"by\": \"mallory\"}", TOKEN).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/backfill", "{\"table\": \"tags\", \"by\": \"mallory\"}", TOKEN).statusCode()).isEqualTo(202);

        assertThat(deadLetters.calls).containsExactly("skip 7 by admin-api: obsolete", "retry 8 by admin-api: null", "retry-all by admin-api: null");
        assertThat(backfills.calls).containsExactly("request tags where null by admin-api");
    }

    @Test
    void shouldRefuseABodyOverTheLimitBeforeActingOnIt() throws Exception {
        start(TOKEN);
        String big = "{\"table\": \"tags\", \"where\": \"" + "x".repeat(AdminServer.MAX_BODY_BYTES) + "\"}";

        HttpResponse<String> declared = send("POST", "/backfill", big, TOKEN);
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(error(declared)).contains("64 KiB");

        HttpResponse<String> chunked = http.send(request("POST", "/backfill", null).header("Authorization", "Bearer " + TOKEN)
                        .method("POST", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);

        assertThat(backfills.calls).isEmpty();
        assertThat(send("POST", "/backfill", "{\"table\": \"tags\", \"where\": \"" + "x".repeat(1000) + "\"}", TOKEN).statusCode())
                .as("a body under the limit").isEqualTo(202);
    }

    @Test
    void shouldAnswerHealthWhileSlowCallsHoldTheirThreads() throws Exception {
        start(TOKEN);
        CountDownLatch release = new CountDownLatch(1);
        backfills.block = release;
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        try {
            for (int i = 0; i < AdminServer.SLOW_CALLS; i++) {
                slow.add(http.sendAsync(request("GET", "/backfill", null).header("Authorization", "Bearer " + TOKEN).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            backfills.entered.await(10, TimeUnit.SECONDS);
            assertThat(backfills.inside.get()).isEqualTo(AdminServer.SLOW_CALLS);

            long started = System.nanoTime();
            for (String path : List.of("/health", "/metrics", "/status", "/health/live")) {
                assertThat(get(path, null).statusCode()).as(path).isIn(200, 503);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

            HttpResponse<String> busy = send("POST", "/backfill", "{\"table\": \"tags\"}", TOKEN);
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
        } finally {
            release.countDown();
        }
        for (CompletableFuture<HttpResponse<String>> call : slow) {
            assertThat(call.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldNeverAnswerWithPostgresqlsMessageWhichCanQuoteARow() throws Exception {
        start(TOKEN);
        PgSettings settings = new PgSettings("jdbc:postgresql://db/app?password=pg-password-in-url", "sync", "pw", "s", "p");
        backfills.failure = () -> PgErrors.translate("reading public.tags for a backfill", settings,
                new SQLException("ERROR: invalid input syntax for type integer: \"top-secret-row-value\"", "22P02"));
        deadLetters.failure = () -> PgErrors.translate("listing dead letters", settings,
                new SQLException("ERROR: value \"top-secret-row-value\" is out of range", "22003"));

        for (HttpResponse<String> response : List.of(send("POST", "/backfill", "{\"table\": \"tags\", \"where\": \"name::int > 0\"}", TOKEN),
                get("/backfill", TOKEN), get("/dlq", TOKEN))) {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(error(response)).contains("SQLState 22").contains("service log");
            assertThat(response.body()).doesNotContain("top-secret").doesNotContain("pg-password");
        }

        backfills.failure = () -> PgErrors.translate("listing backfills", settings, new SQLException("FATAL: the database system is shutting down", "57P03"));
        HttpResponse<String> away = get("/backfill", TOKEN);
        assertThat(away.statusCode()).isEqualTo(503);
        assertThat(error(away)).contains("SQLState 57P03");
    }

    @Test
    void shouldKeepTheStreamsErrorTextOutOfEveryOpenAnswerAndOurOtherErrorsToTheirPublicForm() throws Exception {
        SyncProgress progress = new SyncProgress();
        progress.stateChanged(ServiceState.FAILED, RowValueFailures.castFailure("write-back"));
        server = new AdminServer(AdminSettings.loopback(0, TOKEN), progress, metrics(), () -> null, 0, backfills, deadLetters)
                .withCircuits(List.of(RowValueFailures.openedCircuit("postgres write-back", "write-back")));
        backfills.failure = () -> io.nexussync.core.error.SyncException.rejected(new io.nexussync.core.error.ErrorText(
                "Neo4j rejected a batch (Neo.ClientError.Schema.ConstraintValidationFailed: ... property `title` = '" + RowValueFailures.SECRET + "')",
                "Neo4j rejected a batch (Neo.ClientError.Schema.ConstraintValidationFailed)"), null);

        for (String path : List.of("/health", "/health/live", "/health/ready", "/metrics", "/status")) {
            HttpResponse<String> response = get(path, null);
            assertThat(response.body()).as(path).doesNotContain(RowValueFailures.SECRET);
        }
        assertThat(get("/status", null).body()).contains("SQLState 22P02").contains("SQLState 40001");
        HttpResponse<String> refused = get("/backfill", TOKEN);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(error(refused)).isEqualTo("Neo4j rejected a batch (Neo.ClientError.Schema.ConstraintValidationFailed)");
    }

    @Test
    void shouldAnswerEveryErrorInJson() throws Exception {
        start(TOKEN);

        HttpResponse<String> notJson = send("POST", "/backfill", "{table: tags", TOKEN);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(error(notJson)).startsWith("the body is not the JSON expected");

        HttpResponse<String> noTable = send("POST", "/backfill", "{\"where\": \"true\"}", TOKEN);
        assertThat(noTable.statusCode()).isEqualTo(400);
        assertThat(error(noTable)).contains("the body needs \"table\"");

        HttpResponse<String> notText = send("POST", "/backfill", "{\"table\": 5}", TOKEN);
        assertThat(notText.statusCode()).isEqualTo(400);
        assertThat(error(notText)).isEqualTo("\"table\" must be a string");

        backfills.failure = () -> io.nexussync.core.error.SyncException.persistent("table public.nope is not mapped", null);
        HttpResponse<String> ours = send("POST", "/backfill", "{\"table\": \"nope\"}", TOKEN);
        assertThat(ours.statusCode()).isEqualTo(400);
        assertThat(error(ours)).isEqualTo("table public.nope is not mapped");

        backfills.failure = () -> new IllegalStateException("a bug with internal detail");
        HttpResponse<String> bug = get("/backfill", TOKEN);
        assertThat(bug.statusCode()).isEqualTo(500);
        assertThat(error(bug)).doesNotContain("internal detail").contains("service log");

        for (HttpResponse<String> response : List.of(notJson, noTable, ours, bug, get("/nope", null), send("PUT", "/health", "", null))) {
            assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        }
    }

    private void start(String token) {
        server = new AdminServer(AdminSettings.loopback(0, token), new SyncProgress(), metrics(), () -> null, 0, backfills, deadLetters);
    }

    private static PrometheusMeterRegistry metrics() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    private HttpRequest.Builder request(String method, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder builder = request(method, path, body);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, null, token);
    }

    private static String error(HttpResponse<String> response) throws Exception {
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("error")).as(response.body()).isTrue();
        return body.get("error").asText();
    }

    private static final class FakeBackfills implements BackfillRequests {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(AdminServer.SLOW_CALLS);
        volatile CountDownLatch block;
        volatile Supplier<RuntimeException> failure;

        @Override
        public long request(String table, String where, String requestedBy) {
            if (failure != null) {
                throw failure.get();
            }
            calls.add("request " + table + " where " + (where == null ? null : where.length() > 20 ? where.length() + " chars" : where) + " by " + requestedBy);
            return 1;
        }

        @Override
        public List<Map<String, Object>> list(int limit) {
            if (failure != null) {
                throw failure.get();
            }
            if (block != null) {
                inside.incrementAndGet();
                entered.countDown();
                try {
                    block.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
            }
            return List.of();
        }
    }

    private static final class FakeDeadLetters implements DeadLetterEndpoint.Operations {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile Supplier<RuntimeException> failure;

        @Override
        public List<Entry> list(String status, int limit) {
            if (failure != null) {
                throw failure.get();
            }
            calls.add("list " + status);
            return List.of();
        }

        @Override
        public Entry show(long id) {
            calls.add("show " + id);
            return null;
        }

        @Override
        public List<Entry> parkedBehind(long id) {
            return List.of();
        }

        @Override
        public Release retry(long id, String actor, String reason) {
            calls.add("retry " + id + " by " + actor + ": " + reason);
            return new Release(id, "retry", 1, 1, 0);
        }

        @Override
        public List<Release> retryAll(String actor, String reason) {
            calls.add("retry-all by " + actor + ": " + reason);
            return List.of();
        }

        @Override
        public Release skip(long id, String actor, String reason) {
            calls.add("skip " + id + " by " + actor + ": " + reason);
            return new Release(id, "skip", 1, 0, 0);
        }
    }
}
