package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.GraphEquality;
import io.nexussync.it.testkit.IncludesChurn;
import io.nexussync.it.testkit.KafkaClients;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import io.nexussync.it.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * One capture feeding two graphs: one PostgreSQL, one {@code capture --to kafka}, two Neo4j servers, each written by an
 * {@code apply --from kafka} of its own consumer group ({@code kafka.group}), all child JVMs of the real executable on an
 * in-process broker, under the contract workload.
 *
 * <p>Graph 1 starts as the README's sequence says ({@code run} takes the snapshot, then the roles) and writes
 * {@code neo4j_node_id} back. Graph 2 is added later, while capture and graph 1's apply run, the way a user adds one
 * (README "Several graphs"): the same mapping with {@code NEXUS_SYNC_WRITE_BACK=off}, {@code run} against it once with a
 * slot and publication of its own, stopped once streaming, its slot and publication dropped by {@code teardown}, then its
 * apply, which skips the topic's changes up to where that {@code run} stopped. Nothing of graph 1 is stopped or set up
 * again: graph 2's setup installs the same version trigger, and graph 2 writes no cross-reference, so graph 1 must end
 * equal to the database with every {@code neo4j_node_id} its own (before {@code sync.write-back}, graph 2's mapping
 * without cross-references changed the trigger, and graph 1, left running, ended one {@code pg_version} behind on the nodes
 * it created meanwhile). The workload pauses while graph 2's snapshot is read, so the audit's position at the pause says
 * which changes graph 2's snapshot holds as one version.
 *
 * <p>Then graph 2's apply is stopped while the workload goes on: graph 1 catches up with the database while
 * {@code status} shows group 2 behind; graph 2's apply is started again and catches up. Each graph must equal the
 * database by the contract with history, and {@code status} show a lag of 0 for its group.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KafkaGroupsIT {
    private static final int PARTITIONS = 2;
    private static final Pattern LAG = Pattern.compile("\n  lag: (\\d+)\n");

    @Test
    void shouldFeedTwoGraphsFromOneCaptureEachGroupAtItsOwnPace() throws Exception {
        Path secondHome = Files.createTempDirectory("nexus-sync-it-neo4j-second-graph");
        try (SyncEnvironment env = SyncEnvironment.create("kafka_groups");
             EmbeddedNeo4jServer secondNeo4j = EmbeddedNeo4jServer.start(secondHome, 0);
             Driver secondGraph = GraphDatabase.driver(secondNeo4j.boltUri(), AuthTokens.none())) {
            env.setup();
            try (Connection c = env.connect()) {
                TemporalHistory.installAudit(c);
            }
            Map<String, String> first = env.environment();
            first.put("NEXUS_SYNC_KAFKA_BOOTSTRAP_SERVERS", TestServers.kafka().bootstrapServers());
            first.put("NEXUS_SYNC_KAFKA_TOPIC", KafkaClients.uniqueTopic("kafka-groups-changes"));
            first.put("NEXUS_SYNC_KAFKA_PROGRESS_TOPIC", KafkaClients.uniqueTopic("kafka-groups-progress"));
            first.put("NEXUS_SYNC_KAFKA_GROUP", KafkaClients.uniqueTopic("kafka-groups-graph-1"));
            first.put("NEXUS_SYNC_KAFKA_PARTITIONS", String.valueOf(PARTITIONS));
            first.put("NEXUS_SYNC_KAFKA_REPLICATION_FACTOR", "1");
            first.put("NEXUS_SYNC_BATCH_SIZE", "50");
            Map<String, String> second = secondGraphEnvironment(first, secondNeo4j.boltUri());

            // Graph 1, as the README says: run takes the (empty) snapshot, then the roles carry every change.
            ChildService firstRun = ChildService.start(first, ChildService.logFile("kafka-groups-run-graph-1"));
            env.awaitCaughtUp(Duration.ofSeconds(90));
            assertThat(firstRun.terminate()).isIn(0, 143);
            ChildService.Command setup = ChildService.command(first, Duration.ofSeconds(90), "setup", "--kafka");
            assertThat(setup.exit()).as("setup --kafka: %s %s", setup.out(), setup.err()).isZero();
            Path captureLog = ChildService.logFile("kafka-groups-capture");
            Path firstApplyLog = ChildService.logFile("kafka-groups-apply-graph-1");
            Path secondApplyLog = ChildService.logFile("kafka-groups-apply-graph-2");
            ChildService capture = ChildService.start(first, captureLog, "capture", "--to", "kafka");
            ChildService firstApply = ChildService.start(first, firstApplyLog, "apply", "--from", "kafka");
            ChildService secondApply = null;
            ChildService secondRun = null;
            long snapshotThroughSeq;
            long secondLagWhileDown;
            try {
                try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 3, 4_101L, 6)) {
                    churn(env, 1, () -> Thread.sleep(6_000));
                    // Graph 2 joins while capture and graph 1's apply run: its snapshot by a run of its own, on a quiet database.
                    String triggerBefore = versionTrigger(env);
                    workload.pause();
                    try {
                        snapshotThroughSeq = ((Number) env.query("SELECT coalesce(max(seq), 0) AS s FROM nexus_test.thread_content_audit").get(0).get("s")).longValue();
                        assertThat(snapshotThroughSeq).as("INCLUDES changes before graph 2's snapshot").isPositive();
                        secondRun = ChildService.start(second, ChildService.logFile("kafka-groups-run-graph-2"));
                        awaitRunCaughtUp(env, secondGraph, second.get("NEXUS_SYNC_SLOT"), Duration.ofSeconds(120));
                        assertThat(secondRun.terminate()).isIn(0, 143);
                    } finally {
                        workload.resume();
                    }
                    ChildService.Command teardown = ChildService.command(second, Duration.ofSeconds(60), "teardown", "--yes");
                    assertThat(teardown.exit()).as("teardown of graph 2's snapshot slot: %s %s", teardown.out(), teardown.err()).isZero();
                    assertThat(versionTrigger(env)).as("graph 2's setup installs graph 1's version trigger").isEqualTo(triggerBefore);
                    assertThat(firstApply.isAlive()).as("graph 1's apply died on its own; see %s", firstApplyLog).isTrue();
                    assertThat(env.query("SELECT slot_name FROM pg_replication_slots WHERE database = current_database()").stream().map(r -> r.get("slot_name")).toList())
                            .as("graph 2's snapshot slot is gone, capture's stays").containsExactly(first.get("NEXUS_SYNC_SLOT"));
                    assertThat(env.query("SELECT pubname FROM pg_publication").stream().map(r -> r.get("pubname")).toList())
                            .containsExactly(first.get("NEXUS_SYNC_PUBLICATION"));
                    secondApply = ChildService.start(second, secondApplyLog, "apply", "--from", "kafka");
                    ChildService runningSecondApply = secondApply;
                    churn(env, 2, () -> {
                        Thread.sleep(6_000);
                        // Graph 2's apply stops; the workload goes on; graph 1 must catch up without it.
                        assertThat(runningSecondApply.isAlive()).as("graph 2's apply died on its own; see %s", secondApplyLog).isTrue();
                        assertThat(runningSecondApply.terminate()).isIn(0, 143);
                        Thread.sleep(6_000);
                    });
                    assertThat(workload.transactions()).isGreaterThan(100);
                    System.out.printf("kafka groups: %d workload transactions%n", workload.transactions());
                }
                // Capture has published everything once the slot is confirmed past a marker written now.
                env.awaitCaughtUp(Duration.ofSeconds(120));

                assertThat(awaitEqual(() -> env.discrepancies(), Duration.ofSeconds(120)))
                        .as("graph 1 against the database while graph 2's apply is down").isEmpty();
                assertThat(capture.isAlive()).as("capture died on its own; see %s", captureLog).isTrue();
                assertThat(firstApply.isAlive()).as("graph 1's apply died on its own; see %s", firstApplyLog).isTrue();
                secondLagWhileDown = lag(second);
                assertThat(secondLagWhileDown).as("group 2's lag while its apply is down, with graph 1 caught up").isPositive();
                assertThat(lag(first)).as("group 1's lag").isZero();
                assertThat(secondGraphEquality(env, secondGraph, snapshotThroughSeq))
                        .as("graph 2 must miss the changes written while its apply was down").isNotEmpty();

                secondApply = ChildService.start(second, secondApplyLog, "apply", "--from", "kafka");
                long graph2SnapshotSeq = snapshotThroughSeq;
                assertThat(awaitEqual(() -> secondGraphEquality(env, secondGraph, graph2SnapshotSeq), Duration.ofSeconds(120)))
                        .as("graph 2 against the database after its apply came back (it was %d records behind)", secondLagWhileDown).isEmpty();
                assertThat(env.discrepancies()).as("graph 1 against the database at the end").isEmpty();
                assertThat(lag(first)).as("group 1's lag at the end").isZero();
                assertThat(lag(second)).as("group 2's lag at the end").isZero();
                assertThat(offsetGroups(env.driver())).as("graph 1 keeps only its group's offsets").containsExactly(first.get("NEXUS_SYNC_KAFKA_GROUP"));
                assertThat(offsetGroups(secondGraph)).as("graph 2 keeps only its group's offsets").containsExactly(second.get("NEXUS_SYNC_KAFKA_GROUP"));
            } finally {
                for (ChildService child : java.util.Arrays.asList(capture, firstApply, secondApply, secondRun)) {
                    if (child != null && child.isAlive()) {
                        child.terminate();
                    }
                }
            }
        }
    }

    /**
     * The second graph's settings, as a user writes them: its own Neo4j and consumer group, graph 1's mapping with
     * write-back off (the rows' one {@code neo4j_node_id} column is graph 1's), and for the run that takes its snapshot a slot
     * and publication of its own (dropped afterwards by {@code teardown}; apply finds that run's checkpoint under the slot's
     * name).
     */
    private static Map<String, String> secondGraphEnvironment(Map<String, String> first, String boltUri) {
        Map<String, String> second = new HashMap<>(first);
        second.put("NEXUS_SYNC_NEO4J_URI", boltUri);
        second.put("NEXUS_SYNC_SLOT", first.get("NEXUS_SYNC_SLOT") + "_graph_2");
        second.put("NEXUS_SYNC_PUBLICATION", first.get("NEXUS_SYNC_PUBLICATION") + "_graph_2");
        second.put("NEXUS_SYNC_KAFKA_GROUP", KafkaClients.uniqueTopic("kafka-groups-graph-2"));
        second.put("NEXUS_SYNC_WRITE_BACK", "off");
        return second;
    }

    /** Every version trigger on the mapped tables, with its function's text. */
    private static String versionTrigger(SyncEnvironment env) throws Exception {
        StringBuilder text = new StringBuilder();
        for (Map<String, Object> row : env.query("SELECT c.relname || ': ' || pg_get_triggerdef(t.oid) || E'\n' || pg_get_functiondef(t.tgfoid) AS def "
                + "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY 1")) {
            text.append(row.get("def")).append('\n');
        }
        assertThat(text).as("version triggers").isNotEmpty();
        return text.toString();
    }

    private interface Phase {
        void run() throws Exception;
    }

    /** An INCLUDES churn of its own (threads and content items of its seed) while {@code phase} runs. */
    private static void churn(SyncEnvironment env, int phase, Phase during) throws Exception {
        try (IncludesChurn churn = new IncludesChurn(env.config().postgres(), 4_200L + phase, 4)) {
            during.run();
            assertThat(churn.changes()).as("churn phase %d", phase).isGreaterThan(20);
        }
    }

    /** The second graph's {@code run}: its snapshot is done and its slot confirmed past a marker written now. */
    private static void awaitRunCaughtUp(SyncEnvironment env, Driver graph, String slot, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!snapshotDone(graph, slot)) {
            assertThat(System.nanoTime()).as("graph 2's snapshot did not finish within %s", atMost).isLessThan(deadline);
            Thread.sleep(200);
        }
        Lsn marker = Lsn.valueOf((String) env.query("SELECT pg_logical_emit_message(true, 'nexus-sync-test-marker', '')::text AS m").get(0).get("m"));
        while (true) {
            var rows = env.query("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = ?", slot);
            if (!rows.isEmpty() && rows.get(0).get("lsn") != null && Lsn.valueOf((String) rows.get(0).get("lsn")).compareTo(marker) > 0) {
                return;
            }
            assertThat(System.nanoTime()).as("graph 2's run did not confirm %s within %s", marker, atMost).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static boolean snapshotDone(Driver graph, String slot) {
        try (var session = graph.session()) {
            // As SyncEnvironment#graphCheckpoint reads it: 0 until the initial snapshot has finished.
            return session.run("MATCH (c:`_SyncCheckpoint`) WHERE c.slot = $slot OR c.slot STARTS WITH $slot + '/worker-' "
                    + "RETURN coalesce(max(c.committedEnd), 0) AS e", Map.of("slot", slot)).single().get("e").asLong() > 0;
        }
    }

    private static List<String> secondGraphEquality(SyncEnvironment env, Driver graph, long snapshotThroughSeq) throws Exception {
        try (Connection c = env.connect()) {
            return GraphEquality.secondGraph(c, graph, snapshotThroughSeq).discrepancies();
        }
    }

    private interface Discrepancies {
        List<String> read() throws Exception;
    }

    /** Apply has no position in PostgreSQL to wait for: the graph is polled until it equals the database (or the time is up). */
    private static List<String> awaitEqual(Discrepancies discrepancies, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        List<String> problems = discrepancies.read();
        while (!problems.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2_000);
            problems = discrepancies.read();
        }
        return problems.size() > 20 ? new ArrayList<>(problems.subList(0, 20)) : problems;
    }

    /** The group's total lag as {@code nexus-sync status} prints it for the graph these settings name. */
    private static long lag(Map<String, String> environment) throws Exception {
        ChildService.Command status = ChildService.command(environment, Duration.ofSeconds(60), "status");
        Matcher lag = LAG.matcher(status.out());
        assertThat(status.exit() == 0 && status.out().contains("group: " + environment.get("NEXUS_SYNC_KAFKA_GROUP")) && lag.find())
                .as("nexus-sync status for group %s (exit %d):%n%s%s", environment.get("NEXUS_SYNC_KAFKA_GROUP"), status.exit(), status.out(), status.err())
                .isTrue();
        return Long.parseLong(lag.group(1));
    }

    private static List<String> offsetGroups(Driver graph) {
        try (var session = graph.session()) {
            return session.run("MATCH (o:`_SyncKafkaOffset`) RETURN DISTINCT o.group AS g").list(r -> r.get("g").asString());
        }
    }
}
