package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.LogEndpoint;
import io.nexussync.app.components.LogRetentionComponent;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.it.testkit.ForwardingGraphWriter;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.bookkeeping.PgTransactionLog;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transaction log the seed describes, against the real servers: a row the graph refuses and the entities of a batch
 * write that fails once are logged per entity (the row and the node, the operation, the status, the retries); batch rows
 * count their changes by table and their graph writes by label; {@code nexus-sync log} and {@code GET /log} read them by
 * entity; retention deletes only what is older than its cut, in bounded statements, also from the running service.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TransactionLogIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldLogRefusedAndRetriedOperationsPerEntityAndServeThemByEntity() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("transaction_log")) {
            env.setup();
            // Rows a month old, as a long-running service would have: the retention component prunes them once it runs.
            env.sql("INSERT INTO nexus_sync.transaction_log (logged_at, kind, status, operation) "
                    + "SELECT now() - interval '30 days', 'batch', 'applied', 'apply' FROM generate_series(1, 50)");
            AtomicBoolean failNextRetryBatch = new AtomicBoolean(true);
            env.startService(writer -> new ForwardingGraphWriter(writer) {
                @Override
                public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
                    if (upsertsTitleStartingWith(plan, "retry me") && failNextRetryBatch.compareAndSet(true, false)) {
                        throw SyncException.retryable("the graph is briefly unavailable (injected by the test)", null);
                    }
                    return delegate.apply(plan, checkpoint);
                }
            });
            env.awaitCaughtUp(Duration.ofSeconds(90));
            awaitOldRowsPruned(env);
            long baseline = (Long) env.query("SELECT coalesce(max(id), 0) AS id FROM nexus_sync.transaction_log").get(0).get("id");

            // One transaction: two good rows, a thread, and one whose updated_at has no graph form (the planner refuses it).
            UUID tenant = UUID.randomUUID();
            try (var c = env.connect()) {
                c.setAutoCommit(false);
                try (var st = c.createStatement()) {
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title) VALUES ('" + tenant + "', '" + tenant + "', 'before')");
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title, body, updated_at) VALUES ('" + tenant + "', '" + tenant
                            + "', 'forever', 'a PG-only body', 'infinity')");
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title) VALUES ('" + tenant + "', '" + tenant + "', 'after')");
                    st.execute("INSERT INTO threads (id, tenant_id, project_id, title) VALUES (gen_random_uuid(), '" + tenant + "', '" + tenant + "', 't')");
                }
                c.commit();
            }
            env.awaitCaughtUp(Duration.ofSeconds(60));
            String poison = (String) env.query("SELECT id::text AS id FROM content_items WHERE title = 'forever'").get(0).get("id");
            long letter = new DeadLetterQueue(env.config().postgres()).list("open", 10).get(0).id();

            assertThat(env.query("SELECT status, operation, entity_table, entity_key, graph_label, graph_id, element_id, retry_count, "
                    + "dead_letter_id, change_data FROM nexus_sync.transaction_log WHERE entity_table = 'public.content_items' AND entity_key = ?", poison))
                    .singleElement().satisfies(row -> {
                        assertThat(row).containsEntry("status", "dead-lettered").containsEntry("operation", "insert")
                                .containsEntry("graph_label", "ContentItem").containsEntry("graph_id", poison)
                                .containsEntry("retry_count", 0).containsEntry("dead_letter_id", letter);
                        assertThat(row.get("element_id")).as("an INSERT has no node yet").isNull();
                        assertThat((String) row.get("change_data")).contains("\"title\":\"forever\"").contains("infinity")
                                .doesNotContain("a PG-only body");
                    });
            Map<String, Object> counted = env.query("SELECT sum((summary->'changes'->'public.content_items'->>'insert')::int) AS items, "
                    + "sum((summary->'changes'->'public.threads'->>'insert')::int) AS threads, sum((summary->>'deadLettered')::int) AS refused "
                    + "FROM nexus_sync.transaction_log WHERE kind = 'batch' AND id > ?", baseline).get(0);
            assertThat(counted).containsEntry("items", 3L).containsEntry("threads", 1L).containsEntry("refused", 1L);

            // A batch write that fails once and commits at the next attempt: each entity logged, settled as succeeded.
            long beforeRetry = (Long) env.query("SELECT max(id) AS id FROM nexus_sync.transaction_log").get(0).get("id");
            try (var c = env.connect()) {
                c.setAutoCommit(false);
                try (var st = c.createStatement()) {
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title) VALUES ('" + tenant + "', '" + tenant + "', 'retry me 1')");
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title) VALUES ('" + tenant + "', '" + tenant + "', 'retry me 2')");
                }
                c.commit();
            }
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(failNextRetryBatch).as("the injected failure happened").isFalse();
            String retried = (String) env.query("SELECT id::text AS id FROM content_items WHERE title = 'retry me 1'").get(0).get("id");
            List<Map<String, Object>> retriedRows = env.query("SELECT status, operation, entity_key, graph_label, graph_id, retry_count, next_attempt_at, "
                    + "retry_group FROM nexus_sync.transaction_log WHERE entity_table = 'public.content_items' AND id > ? ORDER BY entity_key", beforeRetry);
            assertThat(retriedRows).hasSize(2).allSatisfy(row -> {
                assertThat(row).containsEntry("status", "succeeded-after-retry").containsEntry("operation", "insert")
                        .containsEntry("graph_label", "ContentItem").containsEntry("retry_count", 1);
                assertThat(row.get("graph_id")).isEqualTo(row.get("entity_key"));
                assertThat(row.get("next_attempt_at")).isNull();
                assertThat(row.get("retry_group")).isEqualTo(retriedRows.get(0).get("retry_group"));
            });
            assertThat(retriedRows).extracting(r -> r.get("entity_key")).contains(retried);
            assertThat(env.query("SELECT summary::text AS s FROM nexus_sync.transaction_log WHERE kind = 'batch' AND id > ? "
                    + "AND summary->'changes'->'public.content_items' IS NOT NULL", beforeRetry)).singleElement().satisfies(row -> {
                        JsonNode summary = JSON.readTree((String) row.get("s"));
                        assertThat(summary.at("/changes/public.content_items/insert").asInt()).isEqualTo(2);
                        assertThat(summary.at("/graph/ContentItem/upsert").asInt()).isEqualTo(2);
                    });

            // Read back by entity: the CLI ...
            SyncEnvironment.CliRun cli = env.cli("log", "--entity", "content_items:" + poison, "--json");
            assertThat(cli.exit()).as(cli.err()).isZero();
            assertThat(JSON.readTree(cli.out())).singleElement().satisfies(row -> {
                assertThat(row.get("status").asText()).isEqualTo("dead-lettered");
                assertThat(row.at("/graph/label").asText()).isEqualTo("ContentItem");
                assertThat(row.at("/postgres/key").asText()).isEqualTo(poison);
                assertThat(row.get("error").asText()).contains("infinity");
            });
            SyncEnvironment.CliRun text = env.cli("log", "--status", "succeeded-after-retry", "--since", "1h");
            assertThat(text.exit()).as(text.err()).isZero();
            assertThat(text.out()).contains("public.content_items:" + retried + " = (:ContentItem " + retried).contains("retries 1");
            SyncEnvironment.CliRun bad = env.cli("log", "--since", "last tuesday");
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err()).contains("--since: 'last tuesday' is neither a time nor a duration");

            // ... and GET /log, served by the entity index.
            PgTransactionLog transactionLog = new PgTransactionLog(PgConnectionSource.direct(env.config().postgres(), "test"));
            try (AdminServer admin = new AdminServer(env.adminSettings(), new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    () -> null, 0, null, null, null, null, null, LogEndpoint.of(transactionLog))) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + admin.port() + "/log";
                HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(base + "?entity=public.content_items:" + retried))
                        .header("Authorization", "Bearer " + SyncEnvironment.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
                assertThat(JSON.readTree(found.body())).singleElement().satisfies(row -> {
                    assertThat(row.get("status").asText()).isEqualTo("succeeded-after-retry");
                    assertThat(row.get("retryCount").asInt()).isEqualTo(1);
                    assertThat(row.at("/graph/id").asText()).isEqualTo(retried);
                    assertThat(row.has("error")).as("no server text over HTTP").isFalse();
                });
                HttpResponse<String> badLimit = http.send(HttpRequest.newBuilder(URI.create(base + "?limit=lots"))
                        .header("Authorization", "Bearer " + SyncEnvironment.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(badLimit.statusCode()).isEqualTo(400);
                assertThat(badLimit.body()).contains("query parameter 'limit'");
            }
            try (var c = env.connect(); var st = c.createStatement()) {
                st.execute("SET enable_seqscan = off");
                try (var rs = st.executeQuery("EXPLAIN SELECT id FROM nexus_sync.transaction_log WHERE entity_table = 'public.content_items' "
                        + "AND entity_key = '" + poison + "' ORDER BY id DESC LIMIT 100")) {
                    StringBuilder plan = new StringBuilder();
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                    assertThat(plan.toString()).contains("transaction_log_entity");
                }
                try (var rs = st.executeQuery("EXPLAIN SELECT id FROM nexus_sync.transaction_log WHERE kind = 'operation' AND status = 'retrying' "
                        + "ORDER BY id DESC LIMIT 100")) {
                    StringBuilder plan = new StringBuilder();
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                    assertThat(plan.toString()).contains("transaction_log_status");
                }
            }

            // A person skips the dead letter: its row says so.
            SyncEnvironment.CliRun skip = env.cli("dlq", "skip", String.valueOf(letter), "--by", "it-operator", "--reason", "infinity is not a date");
            assertThat(skip.exit()).as(skip.err()).isZero();
            assertThat(env.query("SELECT status, actor FROM nexus_sync.transaction_log WHERE entity_table = 'public.content_items' AND entity_key = ?", poison))
                    .singleElement().satisfies(row -> assertThat(row).containsEntry("status", "skipped").containsEntry("actor", "it-operator"));
            env.stopService();
        }
    }

    @Test
    void shouldDeleteOnlyRowsOlderThanTheRetentionInBoundedStatements() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("transaction_log_retention")) {
            env.setup();
            env.sql("DELETE FROM nexus_sync.transaction_log");
            env.sql("INSERT INTO nexus_sync.transaction_log (logged_at, kind, status, operation) "
                    + "SELECT now() - interval '8 days', 'batch', 'applied', 'apply' FROM generate_series(1, 2500)");
            env.sql("INSERT INTO nexus_sync.transaction_log (logged_at, kind, status, operation) "
                    + "SELECT now() - interval '7 days' + interval '10 minutes', 'operation', 'failed', 'apply' FROM generate_series(1, 7)");
            env.sql("INSERT INTO nexus_sync.transaction_log (kind, status, operation) SELECT 'batch', 'applied', 'apply' FROM generate_series(1, 5)");
            PgTransactionLog transactionLog = new PgTransactionLog(PgConnectionSource.direct(env.config().postgres(), "test"));

            long deleted = new LogRetentionComponent(transactionLog, Duration.ofDays(7), Clock.systemUTC()).pruneOnce(() -> false);

            assertThat(deleted).isEqualTo(2500);
            assertThat(env.query("SELECT count(*) AS n, min(logged_at) > now() - interval '7 days' AS newer FROM nexus_sync.transaction_log").get(0))
                    .containsEntry("n", 12L).containsEntry("newer", true);

            env.sql("INSERT INTO nexus_sync.transaction_log (logged_at, kind, status, operation) "
                    + "SELECT now() - interval '8 days', 'batch', 'applied', 'apply' FROM generate_series(1, 2500)");
            PgTransactionLog.Pruned pruned = transactionLog.prune(Instant.now().minus(Duration.ofDays(7)), Duration.ZERO, () -> false);
            assertThat(pruned).as("1,000 rows per statement").isEqualTo(new PgTransactionLog.Pruned(2500, 3));
            assertThat(env.query("SELECT count(*) AS n FROM nexus_sync.transaction_log").get(0)).containsEntry("n", 12L);
        }
    }

    private static boolean upsertsTitleStartingWith(GraphWritePlan plan, String prefix) {
        return plan.steps().stream().filter(GraphStep.UpsertNodes.class::isInstance)
                .flatMap(step -> ((GraphStep.UpsertNodes) step).rows().stream())
                .anyMatch(row -> row.properties().get("title") instanceof String title && title.startsWith(prefix));
    }

    private static void awaitOldRowsPruned(SyncEnvironment env) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            long old = (Long) env.query("SELECT count(*) AS n FROM nexus_sync.transaction_log WHERE logged_at < now() - interval '7 days'").get(0).get("n");
            if (old == 0) {
                return;
            }
            assertThat(System.nanoTime()).as("the running service's retention pruned the month-old rows (" + old + " left)").isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
