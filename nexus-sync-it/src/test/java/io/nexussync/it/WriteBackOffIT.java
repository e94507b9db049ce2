package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.GraphEquality;
import io.nexussync.it.testkit.IncludesChurn;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * Two graphs fed from one database with the same (built-in) mapping: graph 1 is the service in this JVM and writes
 * {@code neo4j_node_id} back; graph 2 is the real executable's {@code run} against a second Neo4j with
 * {@code NEXUS_SYNC_WRITE_BACK=off} and a slot and publication of its own. Graph 2's start (setup, snapshot, catch-up)
 * must leave every row as it was (the version trigger's definition included) and its stream must write nothing back
 * under the contract workload, while graph 1 goes on writing back: the rows' cross-references are graph 1's elementIds,
 * each graph equals the database by the contract, graph 2's verify agrees (the column is not its own), its
 * {@code status} and {@code /status} say write-back off, and {@code refresh-cross-references} refuses with its settings.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class WriteBackOffIT {
    private static final String ROWS = "SELECT 'content_items/' || id AS k, pg_version AS v, neo4j_node_id AS x FROM public.content_items "
            + "UNION ALL SELECT 'threads/' || id, pg_version, neo4j_node_id FROM public.threads "
            + "UNION ALL SELECT 'messages/' || id, pg_version, neo4j_node_id FROM public.messages "
            + "UNION ALL SELECT 'tags/' || id, pg_version, neo4j_node_id FROM public.tags";
    private static final String TRIGGERS = "SELECT c.relname || '/' || t.tgname AS name, pg_get_triggerdef(t.oid) || E'\\n' || pg_get_functiondef(t.tgfoid) AS def "
            + "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = 'public' AND NOT t.tgisinternal";

    @Test
    void shouldFeedASecondGraphThatNeverWritesBackWhileTheFirstDoes() throws Exception {
        Path secondHome = Files.createTempDirectory("nexus-sync-it-neo4j-write-back-off");
        try (SyncEnvironment env = SyncEnvironment.create("write_back_off");
             EmbeddedNeo4jServer secondNeo4j = EmbeddedNeo4jServer.start(secondHome, 0);
             Driver secondGraph = GraphDatabase.driver(secondNeo4j.boltUri(), AuthTokens.none())) {
            env.setup();
            try (Connection c = env.connect()) {
                TemporalHistory.installAudit(c);
            }
            env.startService();
            // Graph 1's snapshot before the first change: the audit holds it to every INCLUDES version since.
            env.awaitCaughtUp(Duration.ofSeconds(90));
            int adminPort;
            try (ServerSocket free = new ServerSocket(0)) {
                adminPort = free.getLocalPort();
            }
            Map<String, String> second = new HashMap<>(env.environment());
            second.put("NEXUS_SYNC_NEO4J_URI", secondNeo4j.boltUri());
            second.put("NEXUS_SYNC_SLOT", env.environment().get("NEXUS_SYNC_SLOT") + "_graph_2");
            second.put("NEXUS_SYNC_PUBLICATION", env.environment().get("NEXUS_SYNC_PUBLICATION") + "_graph_2");
            second.put("NEXUS_SYNC_WRITE_BACK", "off");
            second.put("NEXUS_SYNC_ADMIN_PORT", String.valueOf(adminPort));

            ChildService secondRun = null;
            Path secondLog = ChildService.logFile("write-back-off-run-graph-2");
            long snapshotThroughSeq;
            try {
                try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 3, 5_101L, 6)) {
                    try (IncludesChurn churn = new IncludesChurn(env.config().postgres(), 5_201L, 4)) {
                        Thread.sleep(5_000);
                        assertThat(churn.changes()).isGreaterThan(20);
                    }
                    // Graph 2 starts on a quiet database, so that what its start did to the rows can be seen: nothing.
                    workload.pause();
                    try {
                        env.awaitCaughtUp(Duration.ofSeconds(90));
                        Map<String, String> rowsBefore = rows(env);
                        Map<String, String> triggersBefore = triggers(env);
                        assertThat(rowsBefore.values()).as("graph 1 wrote its cross-references back").noneMatch(r -> r.endsWith("/null"));
                        snapshotThroughSeq = ((Number) env.query("SELECT coalesce(max(seq), 0) AS s FROM nexus_test.thread_content_audit").get(0).get("s")).longValue();
                        secondRun = ChildService.start(second, secondLog);
                        awaitCaughtUp(env, secondGraph, second.get("NEXUS_SYNC_SLOT"), secondRun, secondLog, Duration.ofSeconds(120));
                        assertThat(triggers(env)).as("graph 2's setup installs the trigger graph 1's did").isEqualTo(triggersBefore);
                        assertThat(rows(env)).as("graph 2's setup, snapshot and catch-up changed no row (no cross-reference, no version)")
                                .isEqualTo(rowsBefore);
                    } finally {
                        workload.resume();
                    }
                    try (IncludesChurn churn = new IncludesChurn(env.config().postgres(), 5_202L, 4)) {
                        Thread.sleep(8_000);
                        assertThat(churn.changes()).isGreaterThan(20);
                    }
                    assertThat(workload.transactions()).isGreaterThan(100);
                }
                env.awaitCaughtUp(Duration.ofSeconds(120));
                awaitCaughtUp(env, secondGraph, second.get("NEXUS_SYNC_SLOT"), secondRun, secondLog, Duration.ofSeconds(120));

                assertThat(env.discrepancies()).as("graph 1 against the database, neo4j_node_id = its elementIds").isEmpty();
                try (Connection c = env.connect()) {
                    assertThat(GraphEquality.secondGraph(c, secondGraph, snapshotThroughSeq).discrepancies())
                            .as("graph 2 against the database").isEmpty();
                }
                Set<String> secondElementIds = new HashSet<>();
                try (var session = secondGraph.session()) {
                    session.run("MATCH (n) WHERE n:ContentItem OR n:Thread OR n:Message OR n:Tag RETURN elementId(n) AS e")
                            .forEachRemaining(r -> secondElementIds.add(r.get("e").asString()));
                }
                assertThat(secondElementIds).hasSizeGreaterThan(100);
                assertThat(rows(env).values()).as("no row holds an elementId of graph 2")
                        .noneMatch(r -> secondElementIds.contains(r.substring(r.indexOf('/') + 1)));

                ChildService.Command verify = ChildService.command(second, Duration.ofSeconds(120), "verify");
                assertThat(verify.exit()).as("graph 2's verify (the rows' cross-references are graph 1's): %s %s", verify.out(), verify.err()).isZero();
                ChildService.Command status = ChildService.command(second, Duration.ofSeconds(60), "status");
                assertThat(status.out()).as("status: %s", status.err()).contains("writeBack: off");
                HttpResponse<String> live = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/status")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(live.body()).containsPattern("\"writeBack\"\\s*:\\s*\"off\"");
                ChildService.Command refresh = ChildService.command(second, Duration.ofSeconds(60), "refresh-cross-references");
                assertThat(refresh.exit()).isNotZero();
                assertThat(refresh.err() + refresh.out()).contains("refresh-cross-references writes neo4j_node_id, and NEXUS_SYNC_WRITE_BACK is off");
                assertThat(secondRun.isAlive()).as("graph 2's run died on its own; see %s", secondLog).isTrue();
                assertThat(secondRun.terminate()).isIn(0, 143);
            } finally {
                if (secondRun != null && secondRun.isAlive()) {
                    secondRun.terminate();
                }
            }
        }
    }

    /** Each mapped row's version and cross-reference, by table and key. */
    private static Map<String, String> rows(SyncEnvironment env) throws Exception {
        Map<String, String> rows = new HashMap<>();
        for (Map<String, Object> row : env.query(ROWS)) {
            rows.put((String) row.get("k"), row.get("v") + "/" + row.get("x"));
        }
        return rows;
    }

    private static Map<String, String> triggers(SyncEnvironment env) throws Exception {
        Map<String, String> triggers = new HashMap<>();
        for (Map<String, Object> row : env.query(TRIGGERS)) {
            triggers.put((String) row.get("name"), (String) row.get("def"));
        }
        assertThat(triggers).isNotEmpty();
        return triggers;
    }

    /** Graph 2's run: its snapshot is done and its slot confirmed past a marker written now. */
    private static void awaitCaughtUp(SyncEnvironment env, Driver graph, String slot, ChildService run, Path log, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!snapshotDone(graph, slot)) {
            assertThat(run.isAlive()).as("graph 2's run ended; see %s", log).isTrue();
            assertThat(System.nanoTime()).as("graph 2's snapshot did not finish within %s; see %s", atMost, log).isLessThan(deadline);
            Thread.sleep(200);
        }
        Lsn marker = Lsn.valueOf((String) env.query("SELECT pg_logical_emit_message(true, 'nexus-sync-test-marker', '')::text AS m").get(0).get("m"));
        while (true) {
            List<Map<String, Object>> rows = env.query("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = ?", slot);
            if (!rows.isEmpty() && rows.get(0).get("lsn") != null && Lsn.valueOf((String) rows.get(0).get("lsn")).compareTo(marker) > 0) {
                return;
            }
            assertThat(run.isAlive()).as("graph 2's run ended; see %s", log).isTrue();
            assertThat(System.nanoTime()).as("graph 2's run did not confirm %s within %s; see %s", marker, atMost, log).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static boolean snapshotDone(Driver graph, String slot) {
        try (var session = graph.session()) {
            return session.run("MATCH (c:`_SyncCheckpoint`) WHERE c.slot = $slot OR c.slot STARTS WITH $slot + '/worker-' "
                    + "RETURN coalesce(max(c.committedEnd), 0) AS e", Map.of("slot", slot)).single().get("e").asLong() > 0;
        }
    }
}
