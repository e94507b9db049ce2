package io.nexussync.it;

import io.nexussync.core.pipeline.ServiceState;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ReplayCheck;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL (a server of this test's own, on a kept data directory) is stopped under a workload and started
 * again on the same port and data. The service keeps running: the stream breaks, reconnects and resumes
 * from the confirmed position; the graph then equals the database, with nothing duplicated and no batch
 * replayed.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PostgresRestartIT {

    @Test
    void shouldReconnectAndResumeFromTheConfirmedPositionAfterAPostgresRestart() throws Exception {
        Path data = Files.createTempDirectory("nexus-sync-it-pg-restart");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(data.resolve("pgdata"), 0, "logical");
             SyncEnvironment env = SyncEnvironment.create("pg_restart", postgres, TestServers.neo4j())) {
            env.setup();
            env.environment().put("NEXUS_SYNC_APPLY_WORKERS", "2");
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            var progress = env.service().progress();
            Lsn confirmedBefore;
            long reconnects;
            try (BackgroundWorkload workload = BackgroundWorkload.outlastingRestarts(env.config().postgres(), 3, 41, 5)) {
                long batches = progress.batchesApplied();
                Neo4jOutageIT.awaitTrue("batches applied under the workload", Duration.ofSeconds(30), () -> progress.batchesApplied() > batches + 5);
                confirmedBefore = env.confirmedFlush();

                // Waited for: the service must not hold up PostgreSQL's shutdown (its walsender waits for our confirmations).
                postgres.stop(Duration.ofSeconds(30));
                Neo4jOutageIT.awaitTrue("the service notices the stream is gone", Duration.ofSeconds(30),
                        () -> progress.state() != ServiceState.STREAMING);
                String stateWhileDown = progress.stateName();
                Thread.sleep(5_000);
                assertThat(progress.state()).as("the service keeps running").isNotEqualTo(ServiceState.FAILED);
                postgres.startAgain();

                long appliedAtRestart = progress.changesApplied();
                Neo4jOutageIT.awaitTrue("the stream resumes and applies changes again", Duration.ofSeconds(60),
                        () -> progress.state() == ServiceState.STREAMING && progress.changesApplied() > appliedAtRestart);
                Thread.sleep(3_000); // under load again after the restart
                reconnects = workload.reconnects();
                System.out.printf("PostgresRestartIT: state while PostgreSQL was down: %s; workload reconnects: %d%n", stateWhileDown, reconnects);
            }
            env.awaitCaughtUp(Duration.ofSeconds(120));
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(env.confirmedFlush()).as("the slot moved on from where it was confirmed before the restart").isGreaterThan(confirmedBefore);
            assertThat(env.discrepancies()).as("graph vs database after a PostgreSQL restart under load").isEmpty();
            ReplayCheck.assertNoBatchReappliedCommittedChanges(env, 5);
            assertThat(env.service().circuits()).allSatisfy(c -> assertThat(c.status().isClosed()).isTrue());
            env.stopService();
        }
    }
}
