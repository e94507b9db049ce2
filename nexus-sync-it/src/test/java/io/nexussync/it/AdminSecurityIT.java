package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.DeadLetterEndpoint;
import io.nexussync.app.admin.SyncMetrics;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.app.service.Backfills;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.embedded.FreePort;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin API against real servers, as issue 10 (4) describes its attacks: hostile where conditions
 * through {@code POST /backfill} (and the CLI), a condition whose evaluation fails on a row value, a
 * condition that sleeps, unauthenticated mutations, and the address the real executable listens on.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AdminSecurityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "top-secret-title-4711";
    private static final String REFUSED = "the where condition must be one boolean expression";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void shouldRefuseEachHostileWhereAndKeepRowValuesOutOfEveryAnswer() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("admin_where")) {
            env.environment().put("NEXUS_SYNC_BACKFILL_STATEMENT_TIMEOUT_S", "2");
            env.setup();
            env.startService();
            UUID tenant = UUID.randomUUID();
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT ?, ?, ? FROM generate_series(1, 3)", tenant, tenant, SECRET);
            env.awaitCaughtUp(Duration.ofSeconds(120));
            var metrics = SyncMetrics.register(env.service().progress());
            try (AdminServer admin = new AdminServer(env.adminSettings(), env.service().progress(), metrics, env.service()::slotHealth, 0,
                    new Backfills(env.config(), env.service().mapping())).withCircuits(env.service().circuits())) {
                String base = "http://127.0.0.1:" + admin.port();

                // The issue's examples, and the rest of what the condition may not do, each refused with what is wrong.
                Map<String, List<String>> hostile = Map.of(
                        "true) --", List.of("the ')' at character 5 closes no '('", "a comment (--) at character 7"),
                        "true) OR (true", List.of("the ')' at character 5 closes no '('"),
                        "true; DELETE FROM content_items", List.of("';' at character 5"),
                        "true UNION SELECT id FROM content_items", List.of("UNION at character 6"),
                        "true ORDER BY id", List.of("ORDER at character 6"),
                        "true LIMIT 1", List.of("LIMIT at character 6"),
                        "true OFFSET 1", List.of("OFFSET at character 6"),
                        "true /* ) */", List.of("a comment (/*) at character 6"));
                for (var where : hostile.entrySet()) {
                    HttpResponse<String> refused = post(base + "/backfill", Map.of("table", "content_items", "where", where.getKey()));
                    assertThat(refused.statusCode()).as(where.getKey()).isEqualTo(400);
                    assertThat(error(refused)).as(where.getKey()).startsWith(REFUSED).contains(where.getValue());
                }
                SyncEnvironment.CliRun cli = env.cli("backfill", "content_items", "--where", "true) OR (true");
                assertThat(cli.exit()).isNotZero();
                assertThat(cli.err()).contains(REFUSED).contains("closes no '('");
                assertThat(env.query("SELECT id FROM nexus_sync.backfill")).as("jobs queued").isEmpty();

                // Accepted (one expression, valid SQL), but its evaluation fails on a row: PostgreSQL's error quotes the title.
                HttpResponse<String> queued = post(base + "/backfill", Map.of("table", "content_items", "where", "title::int > 0"));
                assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
                long castJob = JSON.readTree(queued.body()).get("id").asLong();
                Map<String, Object> cast = awaitFinished(env, castJob);
                assertThat(cast.get("state")).isEqualTo("failed");
                assertThat((String) cast.get("error")).contains("SQLState 22P02").doesNotContain(SECRET);

                // A condition that sleeps is cut off by the statement timeout instead of holding the backfill thread.
                HttpResponse<String> sleeper = post(base + "/backfill", Map.of("table", "content_items", "where", "(SELECT true FROM pg_sleep(6))"));
                assertThat(sleeper.statusCode()).as(sleeper.body()).isEqualTo(202);
                Map<String, Object> slept = awaitFinished(env, JSON.readTree(sleeper.body()).get("id").asLong());
                assertThat(slept.get("state")).isEqualTo("failed");
                assertThat((String) slept.get("error")).contains("statement timeout of 2 s");

                List<String> answers = new ArrayList<>(List.of(queued.body(), sleeper.body()));
                for (String path : List.of("/backfill", "/status", "/health", "/health/live", "/health/ready", "/metrics")) {
                    HttpResponse<String> response = get(base + path, true);
                    assertThat(response.statusCode()).as(path).isIn(200, 503);
                    answers.add(response.body());
                }
                assertThat(get(base + "/backfill", true).body()).contains("SQLState 22P02");
                answers.add(env.cli("status", "--json").out());
                assertThat(answers).allSatisfy(body -> assertThat(body).doesNotContain(SECRET));
            }
            env.stopService();
        }
    }

    /**
     * The open endpoints while the service fails on a row: its initial snapshot on a value without a graph form (our
     * message names the row's key) and on a row Neo4j refuses (Neo4j's message quotes the title), then, streaming, a
     * write-back PostgreSQL refuses as retryable with a message quoting the title (a trigger's RAISE: the write-back
     * circuit opens, the session ends and reconnects) and a poison row that becomes a dead letter. No answer of
     * /health, /status or /metrics holds the key or the title; each names what failed and the server's code; the full
     * message (the log, the CLI) and /dlq (behind the token) still show the row.
     */
    @Test
    void shouldKeepARowsValuesOutOfTheOpenEndpointsWhateverTheServiceFailsOn() throws Exception {
        String key = "5ec7e7a0-0000-4000-8000-000000004711";
        String title = "top-secret-title-0815";
        try (SyncEnvironment env = SyncEnvironment.create("admin_errors")) {
            env.setup();
            UUID tenant = UUID.randomUUID();
            env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, updated_at) VALUES (?::uuid, ?, ?, 'forever', 'infinity')",
                    key, tenant, tenant);

            // 1. The snapshot reads a timestamptz Neo4j cannot store: the service stops, naming the row in the log only.
            env.startService();
            SyncProgress failedOnAValue = env.service().progress();
            List<CircuitBreaker> circuits = env.service().circuits();
            Throwable stopped = env.awaitServiceFailure(Duration.ofSeconds(90));
            assertThat(stopped.getMessage()).as("the full message, for the log and the CLI").contains(key).contains("infinity");
            List<String> answers = openAnswers(env, failedOnAValue, circuits);
            assertThat(answers).allSatisfy(body -> assertThat(body).doesNotContain(key).doesNotContain("infinity"));
            assertThat(answers.get(0)).as("/health").contains("\"status\":\"failed\"").contains("a row of public.content_items has a timestamp with time zone value "
                    + "in column updated_at that the graph cannot take");

            // 2. Fixed; but two rows clash on a uniqueness constraint in Neo4j, whose message quotes the title.
            env.sql("UPDATE content_items SET updated_at = now() WHERE id = ?::uuid", key);
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT ?, ?, ? FROM generate_series(1, 2)", tenant, tenant, title);
            env.cypher("CREATE CONSTRAINT admin_errors_title_unique IF NOT EXISTS FOR (c:ContentItem) REQUIRE c.title IS UNIQUE");
            try {
                env.startService();
                SyncProgress failedOnAClash = env.service().progress();
                circuits = env.service().circuits();
                assertThat(env.awaitServiceFailure(Duration.ofSeconds(90)).getMessage()).contains(title);
                answers = openAnswers(env, failedOnAClash, circuits);
                assertThat(answers).allSatisfy(body -> assertThat(body).doesNotContain(title));
                assertThat(answers.get(0)).as("/health").contains("Neo.ClientError.Schema.ConstraintValidationFailed");
            } finally {
                env.cypher("DROP CONSTRAINT admin_errors_title_unique IF EXISTS");
            }

            // 3. Streaming, a write-back PostgreSQL refuses as retryable, quoting the row: retries, the circuit, reconnects.
            env.sql("DELETE FROM content_items WHERE id = (SELECT id FROM content_items WHERE title = ? LIMIT 1)", title);
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(120));
            env.sql("""
                    CREATE FUNCTION refuse_write_back() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.neo4j_node_id IS DISTINCT FROM OLD.neo4j_node_id THEN
                            RAISE EXCEPTION 'could not serialize the cross-reference of %', NEW.title USING ERRCODE = '40001';
                        END IF;
                        RETURN NEW;
                    END $$""");
            env.sql("CREATE TRIGGER refuse_write_back BEFORE UPDATE ON content_items FOR EACH ROW EXECUTE FUNCTION refuse_write_back()");
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, ?)", tenant, tenant, title + "-streamed");
            SyncProgress streaming = env.service().progress();
            circuits = env.service().circuits();
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                List<String> now = openAnswers(env, streaming, circuits);
                seen.addAll(now);
                JsonNode status = JSON.readTree(now.get(1));
                if (status.path("lastError").asText().contains("SQLState 40001")
                        && status.at("/circuits/postgres write-back/lastError").asText().contains("SQLState 40001")) {
                    assertThat(status.at("/circuits/postgres write-back/lastError").asText()).contains("PostgreSQL failed during writing back");
                    break;
                }
                assertThat(System.nanoTime()).as("the write-back's failure in /status; last: %s", now.get(1)).isLessThan(deadline);
                Thread.sleep(200);
            }
            env.sql("DROP TRIGGER refuse_write_back ON content_items");

            // 4. A poison row (no graph form) becomes a dead letter: counted in /status, shown with its row behind the token only.
            env.sql("INSERT INTO content_items (tenant_id, project_id, title, updated_at) VALUES (?, ?, ?, 'infinity')", tenant, tenant,
                    title + "-poison");
            env.awaitCaughtUp(Duration.ofSeconds(120));
            List<String> last = openAnswers(env, streaming, circuits);
            seen.addAll(last);
            assertThat(JSON.readTree(last.get(1)).at("/deadLetters/recordedSinceStart").asLong()).isEqualTo(1);
            assertThat(seen).allSatisfy(body -> assertThat(body).doesNotContain(title).doesNotContain(key));
            var metrics = SyncMetrics.register(streaming);
            try (AdminServer admin = new AdminServer(env.adminSettings(), streaming, metrics, () -> null, 0, null,
                    DeadLetterEndpoint.of(new DeadLetterQueue(env.config().postgres())))) {
                assertThat(get("http://127.0.0.1:" + admin.port() + "/dlq", true).body()).as("the token holder sees the row")
                        .contains(title + "-poison");
            }
            env.stopService();
        }
    }

    /** /health, /status, /health/live, /health/ready and /metrics, as an AdminServer over {@code progress} answers them now. */
    private List<String> openAnswers(SyncEnvironment env, SyncProgress progress, List<CircuitBreaker> circuits) throws Exception {
        var metrics = SyncMetrics.register(progress);
        SyncMetrics.registerCircuits(metrics, circuits);
        try (AdminServer admin = new AdminServer(env.adminSettings(), progress, metrics, () -> null, 0, null).withCircuits(circuits)) {
            List<String> bodies = new ArrayList<>();
            for (String path : List.of("/health", "/status", "/health/live", "/health/ready", "/metrics")) {
                HttpResponse<String> response = get("http://127.0.0.1:" + admin.port() + path, false);
                assertThat(response.statusCode()).as(path).isIn(200, 503);
                bodies.add(response.body());
            }
            return bodies;
        }
    }

    @Test
    void shouldRefuseMutationsWithoutTheTokenAndAllOfThemWhenNoneIsConfigured() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("admin_auth")) {
            env.setup();
            Backfills backfills = new Backfills(env.config(), io.nexussync.core.mapping.MappingLoader.builtIn());
            DeadLetterEndpoint.Operations deadLetters = DeadLetterEndpoint.of(new DeadLetterQueue(env.config().postgres()));
            List<String[]> guarded = List.of(new String[] {"POST", "/backfill"}, new String[] {"POST", "/dlq/1/skip"},
                    new String[] {"POST", "/dlq/1/retry"}, new String[] {"POST", "/dlq/retry-all"}, new String[] {"GET", "/dlq"},
                    new String[] {"GET", "/backfill"});
            String payload = JSON.writeValueAsString(Map.of("table", "content_items", "reason", "r", "by", "someone"));
            try (AdminServer withToken = server(env.adminSettings(), backfills, deadLetters);
                 AdminServer withoutToken = server(AdminSettings.loopback(0, null), backfills, deadLetters)) {
                for (String[] call : guarded) {
                    String path = call[1];
                    String body = call[0].equals("POST") ? payload : null;
                    HttpResponse<String> none = send(call[0], "http://127.0.0.1:" + withToken.port() + path, body, null);
                    assertThat(none.statusCode()).as("no token: %s %s", call[0], path).isEqualTo(401);
                    assertThat(none.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
                    HttpResponse<String> wrong = send(call[0], "http://127.0.0.1:" + withToken.port() + path, body, "not-the-token-0123456789");
                    assertThat(wrong.statusCode()).as("wrong token: %s %s", call[0], path).isEqualTo(401);
                    HttpResponse<String> off = send(call[0], "http://127.0.0.1:" + withoutToken.port() + path, body, SyncEnvironment.ADMIN_TOKEN);
                    assertThat(off.statusCode()).as("no token configured: %s %s", call[0], path).isEqualTo(403);
                    assertThat(error(off)).contains("NEXUS_SYNC_ADMIN_TOKEN");
                }
                assertThat(env.query("SELECT id FROM nexus_sync.backfill")).as("jobs queued").isEmpty();
                assertThat(get("http://127.0.0.1:" + withoutToken.port() + "/health", false).statusCode()).as("health stays open").isIn(200, 503);
                assertThat(send("POST", "http://127.0.0.1:" + withToken.port() + "/backfill", payload, SyncEnvironment.ADMIN_TOKEN).statusCode())
                        .as("with the token").isEqualTo(202);
                assertThat(env.query("SELECT requested_by FROM nexus_sync.backfill")).singleElement()
                        .satisfies(row -> assertThat(row).containsEntry("requested_by", AdminServer.ACTOR));
            }
        }
    }

    /** The real executable with the default address: reachable on 127.0.0.1, refused on this machine's other addresses. */
    @Test
    void shouldListenOnLoopbackOnlyByDefault() throws Exception {
        Optional<InetAddress> outside = nonLoopbackAddress();
        assumeTrue(outside.isPresent(), "this machine has no address but loopback");
        try (SyncEnvironment env = SyncEnvironment.create("admin_bind")) {
            env.setup();
            int port = FreePort.pick();
            env.environment().put("NEXUS_SYNC_ADMIN_PORT", Integer.toString(port));
            env.environment().remove("NEXUS_SYNC_ADMIN_BIND");
            Path log = ChildService.logFile("admin-bind");
            ChildService service = ChildService.start(env.environment(), log);
            try {
                HttpResponse<String> health = awaitAnswer("http://127.0.0.1:" + port + "/health", service);
                assertThat(health.statusCode()).isIn(200, 503);
                assertThatThrownBy(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(outside.get(), port), 2_000);
                    }
                }).as("a connection to %s:%d", outside.get().getHostAddress(), port).isInstanceOf(ConnectException.class);
                assertThat(service.log()).contains("admin API on http://127.0.0.1:" + port);
            } finally {
                assertThat(service.terminate()).isIn(0, 143);
            }
        }
    }

    private static AdminServer server(AdminSettings settings, Backfills backfills, DeadLetterEndpoint.Operations deadLetters) {
        return new AdminServer(settings, new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null, 0, backfills,
                deadLetters);
    }

    private HttpResponse<String> awaitAnswer(String url, ChildService service) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            assertThat(service.isAlive()).as("the service exited; log:%n%s", service.log()).isTrue();
            try {
                return get(url, false);
            } catch (ConnectException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the admin API did not answer within 90 s; log:\n" + service.log(), notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    private static Map<String, Object> awaitFinished(SyncEnvironment env, long job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            var rows = env.query("SELECT state, error FROM nexus_sync.backfill WHERE id = ?", job);
            if (!rows.isEmpty() && List.of("done", "failed").contains(rows.get(0).get("state"))) {
                return rows.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("backfill #" + job + " did not finish within 2 minutes");
    }

    private HttpResponse<String> post(String url, Map<String, String> body) throws Exception {
        return send("POST", url, JSON.writeValueAsString(body), SyncEnvironment.ADMIN_TOKEN);
    }

    private HttpResponse<String> get(String url, boolean withToken) throws Exception {
        return send("GET", url, null, withToken ? SyncEnvironment.ADMIN_TOKEN : null);
    }

    private HttpResponse<String> send(String method, String url, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> response) throws Exception {
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("error")).as(response.body()).isTrue();
        return body.get("error").asText();
    }
}
