package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.DeadLetterEndpoint;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.it.testkit.ForwardingGraphWriter;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Poison rows against the real servers. Neo4j is given a uniqueness constraint on ContentItem.title that the
 * database does not have, so a row whose title another row already holds is refused by Neo4j
 * (ConstraintValidationFailed): only that row is dead-lettered, the rest of its transaction and all later
 * changes land, a later update of it waits behind it, and after the row is fixed in PostgreSQL,
 * {@code nexus-sync dlq retry} brings the graph equal to the database. A second poison row is skipped over
 * the admin API, with the reason recorded.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DeadLetterIT {

    @Test
    void shouldDeadLetterOnlyTheRefusedRowAndLandItAfterARetryOfTheFixedRow() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("dead_letters")) {
            env.setup();
            env.environment().put("NEXUS_SYNC_APPLY_WORKERS", "2");
            UUID tenant = UUID.randomUUID();
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(90));
            env.cypher("CREATE CONSTRAINT content_title_unique IF NOT EXISTS FOR (c:ContentItem) REQUIRE c.title IS UNIQUE");
            try {
                poisonRetryAndSkip(env, tenant);
            } finally {
                // The Neo4j server is shared by every IT: the constraint must not outlive this one.
                env.cypher("DROP CONSTRAINT content_title_unique IF EXISTS");
            }
        }
    }

    @Test
    void shouldDeadLetterARowWithAValueThatHasNoGraphFormAndLandItOnceFixed() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("dead_letter_value")) {
            env.setup();
            UUID tenant = UUID.randomUUID();
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(90));
            try (var c = env.connect()) {
                c.setAutoCommit(false);
                try (var st = c.createStatement()) {
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title) VALUES ('" + tenant + "', '" + tenant + "', 'before')");
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title, updated_at) VALUES ('" + tenant + "', '" + tenant
                            + "', 'forever', 'infinity')");
                    st.execute("INSERT INTO content_items (tenant_id, project_id, title) VALUES ('" + tenant + "', '" + tenant + "', 'after')");
                }
                c.commit();
            }
            env.awaitCaughtUp(Duration.ofSeconds(60));

            DeadLetterQueue queue = new DeadLetterQueue(env.config().postgres());
            DeadLetterQueue.Entry letter = queue.list("open", 10).get(0);
            assertThat(letter.error()).contains("public.content_items.updated_at").contains("infinity");
            assertThat(env.cypher("MATCH (c:ContentItem) RETURN c.title AS t ORDER BY t").stream().map(r -> r.get("t").asString()))
                    .containsExactly("after", "before");

            env.sql("UPDATE content_items SET updated_at = now() WHERE title = 'forever'");
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(queue.parkedBehind(letter.id())).hasSize(1);
            assertThat(env.cli("dlq", "retry", String.valueOf(letter.id()), "--reason", "updated_at fixed").exit()).isZero();
            env.awaitCaughtUp(Duration.ofSeconds(60));

            assertThat(env.discrepancies()).isEmpty();
            assertThat(queue.list(null, 10)).isEmpty();
            env.stopService();
        }
    }

    @Test
    void shouldUndoARefusedInsertInPostgresWhereTheTableIsConfiguredToRevert() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("dead_letter_revert")) {
            env.setup();
            env.environment().put("NEXUS_SYNC_REVERT_REFUSED_INSERTS", "public.content_items");
            UUID tenant = UUID.randomUUID();
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(90));
            env.cypher("CREATE CONSTRAINT revert_title_unique IF NOT EXISTS FOR (c:ContentItem) REQUIRE c.title IS UNIQUE");
            try {
                env.sql("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, 'taken')", tenant, tenant);
                env.awaitCaughtUp(Duration.ofSeconds(60));
                env.sql("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, 'taken')", tenant, tenant);
                env.sql("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, 'after it')", tenant, tenant);
                env.awaitCaughtUp(Duration.ofSeconds(60));
                // The revert's DELETE comes through the stream too: one more round trip for it.
                env.awaitCaughtUp(Duration.ofSeconds(60));

                DeadLetterQueue queue = new DeadLetterQueue(env.config().postgres());
                assertThat(queue.list("reverted", 10)).singleElement().satisfies(letter ->
                        assertThat(env.query("SELECT count(*) AS n FROM content_items WHERE id = ?::uuid", letter.entityKey().substring(3))
                                .get(0).get("n")).as("the refused row is gone from PostgreSQL").isEqualTo(0L));
                assertThat(queue.list(null, 10)).as("nothing waits").isEmpty();
                assertThat(env.query("SELECT count(*) AS n FROM content_items WHERE title = 'taken'").get(0).get("n")).isEqualTo(1L);
                assertThat(env.query("SELECT sync_status FROM nexus_sync.sync_status")).singleElement()
                        .satisfies(r -> assertThat(r.get("sync_status")).isEqualTo("reverted"));
                assertThat(env.discrepancies()).isEmpty();
                env.stopService();
            } finally {
                env.cypher("DROP CONSTRAINT revert_title_unique IF EXISTS");
            }
        }
    }

    @Test
    void shouldRestoreThePreviousRowOfARefusedUpdateWhereTheTableIsConfiguredToRevert() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("dead_letter_revert_update")) {
            env.environment().put("NEXUS_SYNC_REVERT_REFUSED", "public.content_items");
            env.setup();
            assertThat(env.query("SELECT relreplident::text AS r FROM pg_class WHERE oid = 'content_items'::regclass").get(0))
                    .as("setup gives the table the whole old row").containsEntry("r", "f");
            // A large body out of line: the UPDATE below leaves it, so the stream sends it as an unchanged TOAST value.
            env.sql("ALTER TABLE content_items ALTER COLUMN body SET STORAGE EXTERNAL");
            UUID tenant = UUID.randomUUID();
            UUID id = UUID.randomUUID();
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(90));
            env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, body) VALUES (?, ?, ?, 'before', repeat('0123456789', 1000))",
                    id, tenant, tenant);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            // The write-back of its cross-reference commits after the batch: the previous row has it.
            env.awaitCaughtUp(Duration.ofSeconds(60));
            String row = "SELECT title, body, access_level, updated_at::text AS updated_at, neo4j_node_id FROM content_items WHERE id = ?";
            Map<String, Object> before = env.query(row, id).get(0);
            assertThat(before.get("neo4j_node_id")).isNotNull();

            // Neo4j has no infinite timestamps: the graph refuses the update for good.
            env.sql("UPDATE content_items SET title = 'refused', access_level = 'private', updated_at = 'infinity' WHERE id = ?", id);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            // The revert's own UPDATE comes through the stream too: one more round trip for it.
            env.awaitCaughtUp(Duration.ofSeconds(60));

            DeadLetterQueue queue = new DeadLetterQueue(env.config().postgres());
            assertThat(queue.list("reverted", 10)).singleElement().satisfies(letter -> {
                assertThat(letter.operation()).isEqualTo("update");
                assertThat(letter.change()).as("the old image filled in the body the new one left out")
                        .contains("infinity").contains("(unchanged TOAST value)");
            });
            assertThat(queue.list(null, 10)).as("nothing waits").isEmpty();
            assertThat(env.query(row, id).get(0)).as("the previous row").isEqualTo(before);
            assertThat(env.query("SELECT pg_version FROM content_items WHERE id = ?", id).get(0)).containsEntry("pg_version", 3L);
            assertThat(env.query("SELECT sync_status FROM nexus_sync.sync_status")).singleElement()
                    .satisfies(r -> assertThat(r.get("sync_status")).isEqualTo("reverted"));
            assertThat(env.query("SELECT status, change_data, reason FROM nexus_sync.transaction_log WHERE operation = 'compensation'"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.get("status")).isEqualTo("reverted");
                        assertThat((String) r.get("change_data")).contains("\"title\":\"refused\"");
                        assertThat((String) r.get("reason")).contains("the previous row restored (title, access_level, updated_at set back)");
                    });
            assertThat(env.cypher("MATCH (c:ContentItem {pgId: $id}) RETURN c.title AS t", Map.of("id", id.toString())).get(0).get("t").asString())
                    .isEqualTo("before");
            assertThat(env.discrepancies()).isEmpty();

            env.sql("UPDATE content_items SET title = 'after the revert' WHERE id = ?", id);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.cypher("MATCH (c:ContentItem {pgId: $id}) RETURN c.title AS t", Map.of("id", id.toString())).get(0).get("t").asString())
                    .as("the entity waits behind nothing").isEqualTo("after the revert");
            env.stopService();
        }
    }

    /**
     * The contract schema gives the graph no cause to refuse a DELETE (the writer detaches what it deletes, and Neo4j's
     * constraints are about values): the graph writer here refuses the batch that deletes one chosen node, as Neo4j refuses
     * a change for its data (a rejected-data SyncException, which the writer's own translation gives such a refusal).
     */
    @Test
    void shouldInsertTheRowOfARefusedDeleteAgainWhereTheTableIsConfiguredToRevert() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("dead_letter_revert_delete")) {
            env.environment().put("NEXUS_SYNC_REVERT_REFUSED", "public.content_items");
            env.setup();
            UUID tenant = UUID.randomUUID();
            UUID kept = UUID.randomUUID();
            UUID gone = UUID.randomUUID();
            env.startService(writer -> new ForwardingGraphWriter(writer) {
                @Override
                public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
                    boolean deletesKept = plan.steps().stream().filter(GraphStep.DeleteNodes.class::isInstance)
                            .anyMatch(step -> ((GraphStep.DeleteNodes) step).ids().contains(kept.toString()));
                    if (deletesKept) {
                        throw SyncException.rejected(new ErrorText("Neo4j rejected a batch of " + plan.sourceChanges() + " changes "
                                + "(Neo.ClientError.Schema.ConstraintValidationFailed: the test refuses deleting ContentItem " + kept + ")",
                                "Neo4j rejected a batch (Neo.ClientError.Schema.ConstraintValidationFailed)"), null);
                    }
                    return delegate.apply(plan, checkpoint);
                }
            });
            env.awaitCaughtUp(Duration.ofSeconds(90));
            for (UUID id : List.of(kept, gone)) {
                env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, metadata) VALUES (?, ?, ?, 'row', '{\"k\": [1, 2]}')",
                        id, tenant, tenant);
            }
            env.awaitCaughtUp(Duration.ofSeconds(60));
            env.awaitCaughtUp(Duration.ofSeconds(60));
            String everyColumn = "SELECT row_to_json(c)::text AS r FROM content_items c WHERE id = ?";
            String before = (String) env.query(everyColumn, kept).get(0).get("r");

            env.sql("DELETE FROM content_items WHERE id IN (?, ?)", kept, gone);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            // The revert's own INSERT comes through the stream too: one more round trip for it.
            env.awaitCaughtUp(Duration.ofSeconds(60));

            DeadLetterQueue queue = new DeadLetterQueue(env.config().postgres());
            assertThat(queue.list("reverted", 10)).singleElement().satisfies(letter -> {
                assertThat(letter.operation()).isEqualTo("delete");
                assertThat(letter.entityKey()).isEqualTo("id=" + kept);
                assertThat(letter.error()).contains("ConstraintValidationFailed");
            });
            assertThat(queue.list(null, 10)).as("nothing waits").isEmpty();
            assertThat(env.query(everyColumn, kept)).as("the deleted row, every column as it was").singleElement()
                    .satisfies(r -> assertThat(r.get("r")).isEqualTo(before));
            assertThat(env.query(everyColumn, gone)).as("the rest of the transaction stands").isEmpty();
            assertThat(env.query("SELECT status, reason FROM nexus_sync.transaction_log WHERE operation = 'compensation'"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.get("status")).isEqualTo("reverted");
                        assertThat((String) r.get("reason")).contains("the deleted row inserted again from its old image");
                    });
            assertThat(env.cypher("MATCH (c:ContentItem) RETURN c.pgId AS id").stream().map(r -> r.get("id").asString()))
                    .containsExactly(kept.toString());
            assertThat(env.discrepancies()).isEmpty();
            env.stopService();
        }
    }

    private static void poisonRetryAndSkip(SyncEnvironment env, UUID tenant) throws Exception {
        {

            // One transaction: 100 good rows and, in the middle, one whose title clashes with row 7's.
            try (var c = env.connect()) {
                c.setAutoCommit(false);
                try (var st = c.prepareStatement("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < 100; i++) {
                        st.setObject(1, tenant);
                        st.setObject(2, tenant);
                        st.setString(3, "item " + i);
                        st.executeUpdate();
                        if (i == 50) {
                            st.setObject(1, tenant);
                            st.setObject(2, tenant);
                            st.setString(3, "item 7");
                            st.executeUpdate();
                        }
                    }
                }
                c.commit();
            }
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, 'after the poison')", tenant, tenant);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            String clashing = env.cypher("MATCH (c:ContentItem {title: 'item 7'}) RETURN c.pgId AS id").get(0).get("id").asString();
            String poison = (String) env.query("SELECT id::text AS id FROM content_items WHERE title = 'item 7' AND id <> ?::uuid", clashing)
                    .get(0).get("id");

            DeadLetterQueue queue = new DeadLetterQueue(env.config().postgres());
            List<DeadLetterQueue.Entry> open = queue.list(null, 100);
            assertThat(open).singleElement().satisfies(letter -> {
                assertThat(letter.status()).isEqualTo("open");
                assertThat(letter.entityKey()).isEqualTo("id=" + poison);
                assertThat(letter.error()).contains("ConstraintValidationFailed");
                assertThat(letter.entities()).singleElement().asString().contains(poison);
            });
            long head = open.get(0).id();
            assertThat(env.cypher("MATCH (c:ContentItem) WHERE c.title STARTS WITH 'item ' RETURN count(c) AS n").get(0).get("n").asLong())
                    .as("every row of the transaction but the refused one").isEqualTo(100);
            assertThat(env.cypher("MATCH (c:ContentItem {title: 'after the poison'}) RETURN count(c) AS n").get(0).get("n").asLong()).isOne();
            assertThat(env.cypher("MATCH (c:ContentItem {pgId: $id}) RETURN count(c) AS n", Map.of("id", poison)).get(0).get("n").asLong()).isZero();
            assertThat(env.query("SELECT sync_status FROM nexus_sync.sync_status WHERE entity_key = ?", "id=" + poison))
                    .singleElement().satisfies(r -> assertThat(r.get("sync_status")).isEqualTo("failed"));

            // The fix: a later change to the refused row waits behind it rather than overtaking it.
            env.sql("UPDATE content_items SET title = 'item 7 (the other one)' WHERE id = ?::uuid", poison);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(queue.parkedBehind(head)).singleElement().satisfies(p -> assertThat(p.status()).isEqualTo("parked"));
            assertThat(env.discrepancies()).as("the refused row is missing until retried").isNotEmpty();

            SyncEnvironment.CliRun retry = env.cli("dlq", "retry", String.valueOf(head), "--by", "it-operator", "--reason", "title fixed");
            assertThat(retry.exit()).as(retry.err()).isZero();
            assertThat(retry.out()).contains("#" + head + " retried: 1 rows re-read");
            env.awaitCaughtUp(Duration.ofSeconds(60));

            assertThat(env.discrepancies()).isEmpty();
            assertThat(queue.show(head).status()).isEqualTo("retried");
            assertThat(queue.list(null, 100)).isEmpty();
            assertThat(env.query("SELECT actor, reason FROM nexus_sync.transaction_log WHERE operation = 'dlq retry'"))
                    .singleElement().satisfies(r -> assertThat(r).containsEntry("actor", "it-operator").containsEntry("reason", "title fixed"));

            // A second poison row, skipped over the admin API: later changes to it apply again.
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, 'item 3')", tenant, tenant);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            long second = queue.list("open", 10).get(0).id();
            try (AdminServer admin = new AdminServer(env.adminSettings(), new SyncProgress(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    () -> null, 0, null, DeadLetterEndpoint.of(queue))) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + admin.port() + "/dlq";
                String bearer = "Bearer " + SyncEnvironment.ADMIN_TOKEN;
                HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(base)).header("Authorization", bearer).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(list.statusCode()).isEqualTo(200);
                assertThat(list.body()).contains("\"id\":" + second).contains("ConstraintValidationFailed");
                HttpResponse<String> unauthenticated = http.send(HttpRequest.newBuilder(URI.create(base + "/" + second + "/skip"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"no token\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(unauthenticated.statusCode()).isEqualTo(401);
                HttpResponse<String> noReason = http.send(HttpRequest.newBuilder(URI.create(base + "/" + second + "/skip")).header("Authorization", bearer)
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(noReason.statusCode()).isEqualTo(400);
                assertThat(noReason.body()).contains("needs a reason");
                HttpResponse<String> skipped = http.send(HttpRequest.newBuilder(URI.create(base + "/" + second + "/skip")).header("Authorization", bearer)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"by\": \"it-operator\", \"reason\": \"duplicate title, row deleted\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(200);
            }
            String secondId = env.query("SELECT id::text AS id FROM content_items WHERE title = 'item 3' ORDER BY created_at DESC, id").stream()
                    .map(r -> (String) r.get("id")).filter(id -> env.cypher("MATCH (c:ContentItem {pgId: $id}) RETURN c", Map.of("id", id)).isEmpty())
                    .findFirst().orElseThrow();
            env.sql("DELETE FROM content_items WHERE id = ?::uuid", secondId);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(queue.show(second).status()).isEqualTo("skipped");
            assertThat(queue.show(second).releaseReason()).isEqualTo("duplicate title, row deleted");
            assertThat(queue.show(second).releasedBy()).as("the token's holder, not the body's \"by\"").isEqualTo(AdminServer.ACTOR);
            assertThat(env.discrepancies()).isEmpty();
            env.stopService();
        }
    }
}
