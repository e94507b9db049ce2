package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TwoPhase;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.verify.PgStreamPosition;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * What verify waits for before it believes a difference: the slot's confirmed position while a consumer streams; while
 * none does, whether a change of a mapped table is still waiting in the slot.
 */
class PgStreamPositionIT {

    @Test
    void shouldAnswerFromTheSlotWhetherTheStreamHasAppliedAPosition() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("stream_position")) {
            env.setup();
            PgSettings settings = env.config().postgres();
            PgStreamPosition stream = new PgStreamPosition(PgConnectionSource.direct(settings, "verify-test"), settings.slot(), settings.publication());

            assertThatThrownBy(() -> stream.awaitApplied(insertPosition(env), Duration.ofSeconds(1)))
                    .isInstanceOf(SyncException.class).hasMessageContaining("'" + settings.slot() + "' does not exist").hasMessageContaining("nexus-sync setup");

            env.query("SELECT pg_create_logical_replication_slot(?, 'pgoutput') IS NOT NULL AS created", settings.slot());
            long started = System.nanoTime();
            assertThat(stream.awaitApplied(insertPosition(env), Duration.ofSeconds(10))).as("no service, nothing pending").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered at once").isLessThan(Duration.ofSeconds(3));

            env.sql("CREATE TABLE unmapped (id integer)");
            env.sql("INSERT INTO unmapped VALUES (1)");
            assertThat(stream.awaitApplied(insertPosition(env), Duration.ofSeconds(10))).as("a table outside the publication is never pending").isTrue();

            env.sql("INSERT INTO content_items (tenant_id, project_id, title) VALUES (gen_random_uuid(), gen_random_uuid(), 'pending')");
            Lsn pending = insertPosition(env);
            started = System.nanoTime();
            assertThat(stream.awaitApplied(pending, Duration.ofSeconds(1))).as("an insert into a mapped table waits in the idle slot").isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));

            try (Connection replication = PgConnections.openReplication(settings);
                 PGReplicationStream consumer = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                         .withSlotName(settings.slot())
                         .withStartPosition(LogSequenceNumber.valueOf(env.confirmedFlush().value()))
                         .withSlotOption("proto_version", "1")
                         .withSlotOption("publication_names", settings.publication())
                         .withSlotOption("messages", "true")
                         .withStatusInterval(100, TimeUnit.MILLISECONDS)
                         .withAutomaticFlush(false)
                         .start()) {
                // Streaming but confirming nothing: the slot has not passed the position, and a busy slot is not peeked.
                CompletableFuture<Boolean> unconfirmed = CompletableFuture.supplyAsync(() -> await(stream, pending, Duration.ofSeconds(1)));
                consume(consumer, unconfirmed, false);
                assertThat(unconfirmed.get()).as("received but not confirmed").isFalse();

                // Confirming what arrives: the insert, then verify's marker, which carries the confirmed position past `pending`
                // although nothing else is written.
                CompletableFuture<Boolean> confirmed = CompletableFuture.supplyAsync(() -> await(stream, pending, Duration.ofSeconds(20)));
                consume(consumer, confirmed, true);
                assertThat(confirmed.get()).as("confirmed past the position").isTrue();
                assertThat(env.confirmedFlush()).isGreaterThanOrEqualTo(pending);
            }
        }
    }

    /**
     * A slot with two-phase decoding sends a prepared transaction at its PREPARE even to a peek that asks for protocol 1:
     * its changes wait for the graph only once it is committed.
     */
    @Test
    void shouldPeekATwoPhaseSlotCountingAPreparedTransactionOnlyOnceItIsCommitted() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("stream_position_two_phase")) {
            env.setup();
            PgSettings settings = env.config().postgres();
            PgStreamPosition stream = new PgStreamPosition(PgConnectionSource.direct(settings, "verify-test"), settings.slot(), settings.publication());
            env.query("SELECT pg_create_logical_replication_slot(?, 'pgoutput', false, true) IS NOT NULL AS created", settings.slot());
            try {
                String insert = "INSERT INTO content_items (tenant_id, project_id, title) VALUES (gen_random_uuid(), gen_random_uuid(), 'prepared')";
                TwoPhase.prepare(env, "app:verify-open", insert);
                assertThat(stream.awaitApplied(insertPosition(env), Duration.ofSeconds(10)))
                        .as("prepared and not committed: in neither PostgreSQL's committed rows nor the graph").isTrue();

                TwoPhase.prepare(env, "app:verify-rolled-back", insert);
                TwoPhase.rollback(env, "app:verify-rolled-back");
                assertThat(stream.awaitApplied(insertPosition(env), Duration.ofSeconds(10))).as("rolled back: never happened").isTrue();

                TwoPhase.commit(env, "app:verify-open");
                Lsn committed = insertPosition(env);
                assertThat(stream.awaitApplied(committed, Duration.ofSeconds(1))).as("committed: its insert waits in the idle slot").isFalse();
                assertThat(env.query("SELECT two_phase FROM pg_replication_slots WHERE slot_name = ?", settings.slot()).get(0).get("two_phase"))
                        .isEqualTo(true);
            } finally {
                TwoPhase.rollbackLeftovers(env, "app:verify");
            }
        }
    }

    /** Reads the stream (confirming what arrives, or not) until {@code done} completes. */
    private static void consume(PGReplicationStream consumer, CompletableFuture<Boolean> done, boolean confirm) throws Exception {
        while (!done.isDone()) {
            if (consumer.readPending() != null && confirm) {
                LogSequenceNumber received = consumer.getLastReceiveLSN();
                consumer.setFlushedLSN(received);
                consumer.setAppliedLSN(received);
                consumer.forceUpdateStatus();
            } else {
                Thread.sleep(10);
            }
        }
    }

    private static boolean await(PgStreamPosition stream, Lsn position, Duration timeout) {
        try {
            return stream.awaitApplied(position, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Lsn insertPosition(SyncEnvironment env) throws Exception {
        try (Connection c = env.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.valueOf(rs.getString(1));
        }
    }
}
