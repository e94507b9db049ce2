package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.embedded.FreePort;
import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ReplayCheck;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import io.nexussync.postgres.PgSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * The service reaches each server through a TCP proxy in this JVM (netcrusher) while the workload writes to
 * PostgreSQL directly. Mid-workload: Neo4j's connections are frozen for a while, then dropped; PostgreSQL's
 * (the replication connection and the others) are frozen, then dropped. The stream reconnects after the
 * drop (a new walsender), and once the workload stops and the sync catches up the graph equals the database,
 * with nothing duplicated and no batch replayed. A frozen connection is given up and retried while the freeze
 * lasts: PostgreSQL's after the socket timeout (here 3 s), Neo4j's after the read timeout the server announces
 * (the embedded one: about 6 s) rather than blocking for as long as it stays frozen.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NetworkFaultIT {
    private static final Duration FREEZE = Duration.ofSeconds(8);

    @Test
    void shouldComeThroughFrozenAndDroppedConnectionsToEitherServer() throws Exception {
        NioReactor reactor = new NioReactor();
        try (SyncEnvironment env = SyncEnvironment.create("network_fault")) {
            TcpCrusher postgresProxy = proxy(reactor, TestServers.postgres().port());
            TcpCrusher neo4jProxy = proxy(reactor, TestServers.neo4j().boltPort());
            try {
                env.setup();
                PgSettings direct = env.config().postgres();
                env.environment().put("NEXUS_SYNC_APPLY_WORKERS", "2");
                // Shorter than the freeze, so that a frozen ordinary connection (the write-back's) is given up and retried.
                env.environment().put("NEXUS_SYNC_PG_SOCKET_TIMEOUT_S", "3");
                env.environment().put("NEXUS_SYNC_PG_URL", "jdbc:postgresql://localhost:" + postgresProxy.getBindAddress().getPort() + "/network_fault");
                env.environment().put("NEXUS_SYNC_NEO4J_URI", "bolt://localhost:" + neo4jProxy.getBindAddress().getPort());
                env.startService();
                env.awaitCaughtUp(Duration.ofSeconds(60));
                SyncProgress progress = env.service().progress();
                long walsenderBefore;
                try (BackgroundWorkload workload = new BackgroundWorkload(direct, 3, 51, 5)) {
                    awaitBatches(progress, "under the workload");

                    long retriesBeforeNeo4jFreeze = progress.retries();
                    neo4jProxy.freeze();
                    Thread.sleep(FREEZE.toMillis());
                    long neo4jRetries = progress.retries() - retriesBeforeNeo4jFreeze;
                    neo4jProxy.unfreeze();
                    System.out.printf("NetworkFaultIT: %d retries while Neo4j's connections were frozen; neo4j circuit: %s%n",
                            neo4jRetries, env.service().circuits().get(0).status());
                    // The driver gives a frozen request up after the read timeout the server announced (here about 6 s).
                    assertThat(neo4jRetries).as("a frozen Neo4j request times out and is retried while still frozen").isPositive();
                    awaitBatches(progress, "after Neo4j's connections were frozen for " + FREEZE);

                    neo4jProxy.closeAllPairs();
                    awaitBatches(progress, "after Neo4j's connections were dropped");

                    walsenderBefore = walsender(env);
                    long retriesBefore = progress.retries();
                    postgresProxy.freeze();
                    Thread.sleep(FREEZE.toMillis());
                    long retriesDuringFreeze = progress.retries() - retriesBefore;
                    postgresProxy.unfreeze();
                    System.out.printf("NetworkFaultIT: %d retries while PostgreSQL's connections were frozen; write-back circuit: %s%n",
                            retriesDuringFreeze, env.service().circuits().get(1).status());
                    assertThat(retriesDuringFreeze).as("a frozen write-back connection times out and is retried while still frozen").isPositive();
                    awaitBatches(progress, "after PostgreSQL's connections were frozen for " + FREEZE);

                    postgresProxy.closeAllPairs();
                    Neo4jOutageIT.awaitTrue("a new walsender streams the slot after the drop", Duration.ofSeconds(60), () -> {
                        long now = walsender(env);
                        return now != 0 && now != walsenderBefore;
                    });
                    awaitBatches(progress, "after PostgreSQL's connections were dropped");
                    assertThat(workload.transactions()).isGreaterThan(100);
                }
                env.awaitCaughtUp(Duration.ofSeconds(120));
                env.awaitCaughtUp(Duration.ofSeconds(60));
                assertThat(env.discrepancies()).as("graph vs database after frozen and dropped connections").isEmpty();
                ReplayCheck.assertNoBatchReappliedCommittedChanges(env, 5);
                env.stopService();
            } finally {
                neo4jProxy.close();
                postgresProxy.close();
            }
        } finally {
            reactor.close();
        }
    }

    private static TcpCrusher proxy(NioReactor reactor, int port) {
        return TcpCrusherBuilder.builder().withReactor(reactor)
                .withBindAddress("localhost", FreePort.pick())
                .withConnectAddress("localhost", port)
                .buildAndOpen();
    }

    private static void awaitBatches(SyncProgress progress, String when) throws InterruptedException {
        long before = progress.batchesApplied();
        Neo4jOutageIT.awaitTrue("batches applied " + when, Duration.ofSeconds(90), () -> progress.batchesApplied() > before + 3);
    }

    /** The pid of the walsender streaming the slot, or 0. */
    private static long walsender(SyncEnvironment env) {
        try {
            List<Map<String, Object>> rows = env.query("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?",
                    env.environment().get("NEXUS_SYNC_SLOT"));
            Object pid = rows.isEmpty() ? null : rows.get(0).get("active_pid");
            return pid == null ? 0 : ((Number) pid).longValue();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
