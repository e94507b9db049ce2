package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.PreparedTransactions.Prepared;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.it.testkit.PreparedWrites;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.critical.CriticalStatus;
import io.nexussync.postgres.critical.CriticalStatus.State;
import io.nexussync.postgres.critical.PgCriticalRunner;
import io.nexussync.postgres.critical.PgPreparedTransactions;
import io.nexussync.postgres.setup.Migrations;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /critical}'s runner on the real server: the statements prepared as one critical write and the outcome
 * waited for; a refused statement rolls everything back and is named without PostgreSQL's text; the id checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class PgCriticalRunnerIT {
    private static final String ROW_VALUE = "row-value-4711";

    private SyncEnvironment env;
    private PgPreparedTransactions prepared;
    private PgCriticalRunner runner;

    @BeforeAll
    void createDatabase() throws Exception {
        env = SyncEnvironment.create("critical_runner");
        Migrations.bookkeeping(env.config().postgres());
        env.sql("CREATE TABLE probe (id int PRIMARY KEY, v text)");
        PgConnectionSource connections = PgConnectionSource.direct(env.config().postgres(), "test");
        prepared = new PgPreparedTransactions(connections);
        runner = new PgCriticalRunner(connections, prepared);
    }

    @AfterEach
    void rollBackWhatATestLeftPrepared() throws Exception {
        PreparedWrites.rollBackAll(env);
        env.sql("TRUNCATE probe");
    }

    @AfterAll
    void close() throws Exception {
        env.close();
    }

    @Test
    void shouldPrepareTheStatementsAsOneCriticalWriteAndWaitForItsOutcome() throws Exception {
        AtomicReference<List<Map<String, Object>>> seenWhilePrepared = new AtomicReference<>();
        Thread service = finishWhenPrepared("nexus_sync:order-10", seenWhilePrepared);

        CriticalStatus outcome = runner.run(List.of("INSERT INTO probe VALUES (10, 'a')", "UPDATE probe SET v = 'b' WHERE id = 10"), "order-10",
                Duration.ofSeconds(20));
        service.join(5_000);

        assertThat(outcome.state()).isEqualTo(State.COMMITTED);
        assertThat(outcome.id()).isEqualTo("order-10");
        assertThat(seenWhilePrepared.get()).as("nothing visible while prepared").isEmpty();
        assertThat(env.query("SELECT v FROM probe WHERE id = 10")).containsExactly(Map.of("v", "b"));
    }

    @Test
    void shouldAnswerPendingWhenTheWaitRunsOutAndLeaveItPrepared() throws Exception {
        long started = System.nanoTime();

        CriticalStatus outcome = runner.run(List.of("INSERT INTO probe VALUES (11, 'a')"), null, Duration.ofMillis(300));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(5));
        assertThat(outcome.state()).isEqualTo(State.PENDING);
        assertThat(outcome.id()).as("a new UUID for a call without an id").matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(prepared.list()).extracting(Prepared::gid).containsExactly(outcome.gid());
        assertThat(prepared.status(outcome.id()).state()).isEqualTo(State.PENDING);
    }

    @Test
    void shouldRollBackAndNameTheRefusedStatementByIndexAndSqlStateOnly() throws Exception {
        assertThatThrownBy(() -> runner.run(List.of("INSERT INTO probe VALUES (12, 'a')", "INSERT INTO probe VALUES ('" + ROW_VALUE + "', 'b')"),
                "order-12", Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(SyncException.class, e -> {
                    assertThat(e.publicMessage()).contains("statements[1] (of 2)").contains("SQLState 22P02").contains("rolled back")
                            .doesNotContain(ROW_VALUE).doesNotContain("invalid input syntax");
                    assertThat(e.getCause()).as("nothing an error answer could repeat PostgreSQL's text from").isNull();
                    assertThat(e.isRetryable()).isFalse();
                });

        assertThat(env.query("SELECT * FROM probe")).isEmpty();
        assertThat(prepared.list()).isEmpty();
        assertThat(prepared.status("order-12").state()).isEqualTo(State.UNKNOWN);
        try (Connection c = env.connect()) {
            assertThat(PreparedWrites.preparedHere(c)).isEmpty();
        }
    }

    @Test
    void shouldRefuseAnIdThatIsNoneOrWasUsedAndTransactionControlAmongTheStatements() throws Exception {
        assertThatThrownBy(() -> runner.run(List.of("INSERT INTO probe VALUES (13, 'a')"), "two words", Duration.ZERO))
                .isInstanceOf(SyncException.class).hasMessageContaining("is not a critical transaction id");
        assertThatThrownBy(() -> runner.run(List.of("INSERT INTO probe VALUES (13, 'a')", " commit"), "order-13", Duration.ZERO))
                .isInstanceOf(SyncException.class).hasMessageContaining("statements[1] is COMMIT");
        assertThatThrownBy(() -> runner.run(List.of(), "order-13", Duration.ZERO)).isInstanceOf(SyncException.class);
        // Hidden in one string: caught by the transaction's id changing before PREPARE.
        assertThatThrownBy(() -> runner.run(List.of("INSERT INTO probe VALUES (13, 'a'); COMMIT; INSERT INTO probe VALUES (14, 'b')"), "order-13",
                Duration.ZERO)).isInstanceOf(SyncException.class).hasMessageContaining("ended the transaction before it was prepared");
        assertThat(prepared.list()).isEmpty();
        env.sql("TRUNCATE probe");

        CriticalStatus first = runner.run(List.of("INSERT INTO probe VALUES (15, 'a')"), "order-15", Duration.ZERO);
        assertThat(first.state()).isEqualTo(State.PENDING);
        assertThatThrownBy(() -> runner.run(List.of("INSERT INTO probe VALUES (16, 'a')"), "order-15", Duration.ZERO))
                .isInstanceOf(SyncException.class).hasMessageContaining("'order-15' was used before");
        prepared.finish(CriticalDecision.rollback("nexus_sync:order-15", 0, "test", Instant.now(), Lsn.INVALID, CriticalDecision.BY_RECOVERY));
        assertThatThrownBy(() -> runner.run(List.of("INSERT INTO probe VALUES (16, 'a')"), "order-15", Duration.ZERO))
                .as("finished, its id still names it").isInstanceOf(SyncException.class).hasMessageContaining("was used before");
        assertThat(env.query("SELECT * FROM probe")).isEmpty();
    }

    /** What the service does once the graph holds the write: COMMIT PREPARED, here as soon as it is listed. */
    private Thread finishWhenPrepared(String gid, AtomicReference<List<Map<String, Object>>> seenWhilePrepared) {
        Thread thread = new Thread(() -> {
            try {
                while (prepared.list().stream().noneMatch(p -> p.gid().equals(gid))) {
                    Thread.sleep(10);
                }
                seenWhilePrepared.set(env.query("SELECT * FROM probe"));
                Thread.sleep(100);
                prepared.finish(CriticalDecision.commit(gid, 0, Instant.now(), Lsn.INVALID));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "critical-finisher");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
