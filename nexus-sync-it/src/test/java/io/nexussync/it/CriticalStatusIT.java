package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.CriticalEndpoint;
import io.nexussync.app.components.CriticalComponent;
import io.nexussync.app.config.CriticalSettings;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.it.testkit.PreparedWrites;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.critical.PgCriticalRunner;
import io.nexussync.postgres.critical.PgPreparedTransactions;
import io.nexussync.postgres.setup.Migrations;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What a person and a client see of critical writes, on the real server: {@code nexus-sync critical status ID} (its text
 * and exit code) and the admin API's {@code GET /critical/ID} and {@code POST /critical}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class CriticalStatusIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROW_VALUE = "row-value-4711";
    private static final Instant DECIDED_AT = Instant.parse("2026-12-06T10:00:00Z");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private SyncEnvironment env;
    private PgPreparedTransactions prepared;
    private AdminServer admin;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("critical_status");
        Migrations.bookkeeping(env.config().postgres());
        env.sql("CREATE TABLE probe (id int PRIMARY KEY, v text)");
        PgConnectionSource connections = PgConnectionSource.direct(env.config().postgres(), "test");
        prepared = new PgPreparedTransactions(connections);
        CriticalComponent critical = new CriticalComponent(prepared, () -> {
            throw SyncException.retryable("no graph in this test", null);
        }, CriticalSettings.DEFAULTS, Clock.systemUTC());
        admin = new AdminServer(env.adminSettings(), new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null, 0,
                null, null, null, null, CriticalEndpoint.of(prepared, new PgCriticalRunner(connections, prepared), critical, Clock.systemUTC()));
    }

    @AfterEach
    void rollBackWhatATestLeftPrepared() throws Exception {
        PreparedWrites.rollBackAll(env);
    }

    @AfterAll
    void close() throws Exception {
        admin.close();
        env.close();
    }

    @Test
    void shouldSayWhatBecameOfACriticalWriteAndExitWithItsState() throws Exception {
        PreparedWrites.prepare(env, "nexus_sync:cli-1", "INSERT INTO probe VALUES (1, 'a')");

        SyncEnvironment.CliRun pending = env.cli("critical", "status", "cli-1");
        assertThat(pending.exit()).as(pending.err()).isEqualTo(4);
        assertThat(pending.out()).startsWith("nexus_sync:cli-1: pending").contains("prepared at");

        prepared.finish(CriticalDecision.rollback("nexus_sync:cli-1", 0, "the graph refused it: a uniqueness constraint", DECIDED_AT, Lsn.of(0x10),
                CriticalDecision.BY_STREAM));
        SyncEnvironment.CliRun rolledBack = env.cli("critical", "status", "nexus_sync:cli-1");
        assertThat(rolledBack.exit()).isEqualTo(3);
        assertThat(rolledBack.out()).startsWith("nexus_sync:cli-1: rolled back").contains("reason: the graph refused it: a uniqueness constraint")
                .contains("decided: rollback by stream at 2026-12-06T10:00:00Z");
        SyncEnvironment.CliRun asJson = env.cli("critical", "status", "cli-1", "--json");
        assertThat(JSON.readTree(asJson.out()).get("state").asText()).isEqualTo("rolled_back");

        PreparedWrites.prepare(env, "nexus_sync:cli-2", "INSERT INTO probe VALUES (2, 'b')");
        prepared.finish(CriticalDecision.commit("nexus_sync:cli-2", 0, DECIDED_AT, Lsn.of(0x20)));
        assertThat(env.cli("critical", "status", "cli-2").exit()).isZero();
        SyncEnvironment.CliRun unknown = env.cli("critical", "status", "never-prepared");
        assertThat(unknown.exit()).isEqualTo(5);
        assertThat(unknown.out()).contains("unknown");
    }

    /**
     * {@code critical list} and {@code GET /critical}: the prepared ones first, oldest first, each once (also one the graph
     * has decided and PostgreSQL not yet been told), then the newest finished; another application's prepared transaction
     * never.
     */
    @Test
    void shouldListThePreparedFirstThenTheNewestFinishedAndNothingElse() throws Exception {
        Instant later = Instant.parse("2099-01-01T00:00:01Z");
        PreparedWrites.prepare(env, "nexus_sync:list-1", "INSERT INTO probe VALUES (31, 'a')");
        PreparedWrites.prepare(env, "nexus_sync:list-4", "INSERT INTO probe VALUES (34, 'd')");
        env.sql("INSERT INTO nexus_sync.critical_transaction (gid, outcome, decided_by, decided_at) VALUES ('nexus_sync:list-4', 'commit', 'stream', now())");
        PreparedWrites.prepare(env, "nexus_sync:list-2", "INSERT INTO probe VALUES (32, 'b')");
        prepared.finish(CriticalDecision.rollback("nexus_sync:list-2", 0, "the graph refused it", later, Lsn.of(0x40), CriticalDecision.BY_STREAM));
        PreparedWrites.prepare(env, "nexus_sync:list-3", "INSERT INTO probe VALUES (33, 'c')");
        prepared.finish(CriticalDecision.commit("nexus_sync:list-3", 0, later.plusSeconds(1), Lsn.of(0x50)));
        PreparedWrites.prepare(env, "app:not-ours", "INSERT INTO probe VALUES (35, 'e')");

        JsonNode listed = JSON.readTree(get("/critical").body());
        java.util.List<String> gids = new java.util.ArrayList<>();
        listed.forEach(entry -> gids.add(entry.get("gid").asText()));
        assertThat(gids).as("GET /critical").startsWith("nexus_sync:list-1", "nexus_sync:list-4", "nexus_sync:list-3", "nexus_sync:list-2")
                .doesNotHaveDuplicates().doesNotContain("app:not-ours");
        assertThat(listed.get(1).get("state").asText()).isEqualTo("pending");
        assertThat(listed.get(1).get("decision").asText()).isEqualTo("commit");
        assertThat(listed.get(3).get("reason").asText()).isEqualTo("the graph refused it");
        JsonNode two = JSON.readTree(get("/critical?limit=2").body());
        assertThat(two.size()).isEqualTo(2);
        assertThat(two.get(1).get("gid").asText()).isEqualTo("nexus_sync:list-4");

        SyncEnvironment.CliRun text = env.cli("critical", "list", "--limit", "3");
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out().lines().toList()).hasSize(3).satisfies(lines -> {
            assertThat(lines.get(0)).startsWith("nexus_sync:list-1  pending");
            assertThat(lines.get(2)).startsWith("nexus_sync:list-3  committed");
        });
        SyncEnvironment.CliRun json = env.cli("critical", "list", "--json");
        assertThat(JSON.readTree(json.out()).get(3).get("state").asText()).isEqualTo("rolled_back");
        assertThat(env.cli("critical", "list", "--limit", "0").exit()).isEqualTo(2);
    }

    @Test
    void shouldRunStatementsAsACriticalWriteOverHttpAndAnswerItsOutcome() throws Exception {
        HttpResponse<String> pending = post("{\"statements\": [\"INSERT INTO probe VALUES (10, 'a')\"], \"id\": \"http-10\", \"waitSeconds\": 0.2}");
        assertThat(pending.statusCode()).as(pending.body()).isEqualTo(202);
        assertThat(pending.headers().firstValue("Location")).hasValue("/critical/http-10");
        assertThat(JSON.readTree(get("/critical/http-10").body()).get("state").asText()).isEqualTo("pending");

        prepared.finish(CriticalDecision.commit("nexus_sync:http-10", 0, DECIDED_AT, Lsn.of(0x30)));
        HttpResponse<String> committed = get("/critical/http-10");
        assertThat(committed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(committed.body()).get("state").asText()).isEqualTo("committed");
        assertThat(env.query("SELECT v FROM probe WHERE id = 10")).containsExactly(Map.of("v", "a"));

        Thread service = new Thread(() -> {
            try {
                while (prepared.list().stream().noneMatch(p -> p.gid().equals("nexus_sync:http-11"))) {
                    Thread.sleep(10);
                }
                prepared.finish(CriticalDecision.rollback("nexus_sync:http-11", 0, "the graph refused it", Instant.now(), Lsn.INVALID, CriticalDecision.BY_STREAM));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        service.start();
        HttpResponse<String> rolledBack = post("{\"statements\": [\"INSERT INTO probe VALUES (11, 'b')\"], \"id\": \"http-11\"}");
        service.join(5_000);
        assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
        JsonNode outcome = JSON.readTree(rolledBack.body());
        assertThat(outcome.get("state").asText()).isEqualTo("rolled_back");
        assertThat(outcome.get("reason").asText()).isEqualTo("the graph refused it");

        assertThat(get("/critical/never").statusCode()).isEqualTo(404);
        assertThat(get("/critical/http-10").statusCode()).as("the token's holder only").isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(uri("/critical/http-10")).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(401);
    }

    @Test
    void shouldAnswerARefusedStatementByIndexAndSqlStateWithoutPostgresqlsText() throws Exception {
        HttpResponse<String> refused = post("{\"statements\": [\"INSERT INTO probe VALUES (20, 'a')\", \"INSERT INTO probe VALUES ('" + ROW_VALUE
                + "', 'b')\"], \"id\": \"http-20\"}");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).get("error").asText()).contains("statements[1] (of 2)").contains("SQLState 22P02");
        assertThat(refused.body()).doesNotContain(ROW_VALUE).doesNotContain("invalid input syntax");
        assertThat(prepared.list()).isEmpty();
        assertThat(env.query("SELECT * FROM probe WHERE id = 20")).isEmpty();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/critical")).header("Authorization", "Bearer " + SyncEnvironment.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + SyncEnvironment.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + admin.port() + path);
    }
}
