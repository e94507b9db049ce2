package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.PreparedTransactions.Finished;
import io.nexussync.core.critical.PreparedTransactions.Prepared;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.it.testkit.PreparedWrites;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TestServers;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.critical.CriticalStatus;
import io.nexussync.postgres.critical.CriticalStatus.State;
import io.nexussync.postgres.critical.PgPreparedTransactions;
import io.nexussync.postgres.setup.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL's side of critical writes on the real server: which prepared transactions are listed, COMMIT PREPARED and
 * ROLLBACK PREPARED after the decision is recorded (and again, harmlessly), and what {@code status} answers, with
 * PostgreSQL's own word ({@code pg_xact_status}) over the recorded one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class PgPreparedTransactionsIT {
    private static final String OTHER_DATABASE = "critical_pg_other";
    private static final String SERVICE_ROLE = "critical_pg_sync";
    private static final Instant DECIDED_AT = Instant.parse("2026-12-06T10:00:00Z");

    private SyncEnvironment env;
    private PgPreparedTransactions prepared;

    @BeforeAll
    void createDatabase() throws Exception {
        env = SyncEnvironment.create("critical_pg");
        Migrations.bookkeeping(env.config().postgres());
        env.sql("CREATE TABLE probe (id int PRIMARY KEY, v text)");
        prepared = new PgPreparedTransactions(PgConnectionSource.direct(env.config().postgres(), "test"));
    }

    @AfterEach
    void rollBackWhatATestLeftPrepared() throws Exception {
        PreparedWrites.rollBackAll(env);
        env.sql("TRUNCATE probe");
    }

    @AfterAll
    void close() throws Exception {
        try (Connection admin = admin(); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + OTHER_DATABASE + " WITH (FORCE)");
        }
        dropServiceRole();
        env.close();
    }

    @Test
    void shouldListOnlyTheCriticalTransactionsOfItsOwnDatabaseOldestFirst() throws Exception {
        try (Connection admin = admin(); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + OTHER_DATABASE + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + OTHER_DATABASE);
        }
        long first = PreparedWrites.prepare(env, "nexus_sync:first", "INSERT INTO probe VALUES (1, 'a')");
        PreparedWrites.prepare(env, "the-applications-own", "INSERT INTO probe VALUES (2, 'b')");
        long second = PreparedWrites.prepare(env, "nexus_sync:second", "INSERT INTO probe VALUES (3, 'c')");
        try (Connection other = DriverManager.getConnection(TestServers.postgres().jdbcUrl(OTHER_DATABASE), "postgres", "")) {
            PreparedWrites.prepare(other, "nexus_sync:elsewhere", "CREATE TABLE t (id int)");
            try {
                List<Prepared> listed = prepared.list();

                assertThat(listed).extracting(Prepared::gid).containsExactly("nexus_sync:first", "nexus_sync:second");
                assertThat(listed).extracting(Prepared::xid).containsExactly(first & 0xFFFF_FFFFL, second & 0xFFFF_FFFFL);
                assertThat(listed.get(0).preparedAt()).isBeforeOrEqualTo(listed.get(1).preparedAt());
                assertThatThrownBy(() -> prepared.finish(CriticalDecision.commit("nexus_sync:elsewhere", 0, DECIDED_AT, Lsn.INVALID)))
                        .isInstanceOf(SyncException.class).hasMessageContaining("prepared in database '" + OTHER_DATABASE + "'");
                assertThat(prepared.status("elsewhere").state()).isEqualTo(State.UNKNOWN);
                assertThat(PreparedWrites.preparedHere(other)).as("left alone").containsExactly("nexus_sync:elsewhere");
            } finally {
                PreparedWrites.rollBackAll(other);
            }
        }
    }

    @Test
    void shouldRecordTheDecisionThenCommitAndAnswerNotPreparedTheSecondTime() throws Exception {
        long xid8 = PreparedWrites.prepare(env, "nexus_sync:order-1", "INSERT INTO probe VALUES (1, 'critical')");
        assertThat(env.query("SELECT * FROM probe")).as("invisible while prepared").isEmpty();
        assertThat(prepared.status("order-1").state()).isEqualTo(State.PENDING);

        assertThat(prepared.finish(CriticalDecision.commit("nexus_sync:order-1", 0, DECIDED_AT, Lsn.of(0x1000)))).isEqualTo(Finished.COMMITTED);

        assertThat(env.query("SELECT v FROM probe")).containsExactly(Map.of("v", "critical"));
        Map<String, Object> row = row("nexus_sync:order-1");
        assertThat(row).containsEntry("outcome", "commit").containsEntry("decided_by", CriticalDecision.BY_STREAM).containsEntry("result", "committed");
        assertThat(row.get("xid8")).as("the transaction's full id, pg_current_xact_id() inside it").isEqualTo(xid8);
        assertThat(row.get("prepared_at")).isNotNull();
        assertThat(row.get("finished_at")).isNotNull();
        assertThat(((java.sql.Timestamp) row.get("decided_at")).toInstant()).isEqualTo(DECIDED_AT);

        assertThat(prepared.finish(CriticalDecision.commit("nexus_sync:order-1", 0, DECIDED_AT, Lsn.of(0x1000)))).isEqualTo(Finished.NOT_PREPARED);
        assertThat(row("nexus_sync:order-1")).as("the second call changes nothing").isEqualTo(row);
        CriticalStatus status = prepared.status("order-1");
        assertThat(status.state()).isEqualTo(State.COMMITTED);
        assertThat(status.decidedBy()).isEqualTo("stream");
        assertThat(status.finishedAt()).isNotNull();
    }

    @Test
    void shouldRecordTheReasonThenRollBackAndAnswerNotPreparedTheSecondTime() throws Exception {
        PreparedWrites.prepare(env, "nexus_sync:order-2", "INSERT INTO probe VALUES (2, 'refused')");
        CriticalDecision rollback = CriticalDecision.rollback("nexus_sync:order-2", 0, "the graph refused it: a uniqueness constraint (Neo4j "
                + "Neo.ClientError.Schema.ConstraintValidationFailed)", DECIDED_AT, Lsn.of(0x2000), CriticalDecision.BY_STREAM);

        assertThat(prepared.finish(rollback)).isEqualTo(Finished.ROLLED_BACK);
        assertThat(prepared.finish(rollback)).isEqualTo(Finished.NOT_PREPARED);

        assertThat(env.query("SELECT * FROM probe")).isEmpty();
        assertThat(row("nexus_sync:order-2")).containsEntry("outcome", "rollback").containsEntry("result", "rolled_back");
        CriticalStatus status = prepared.status("nexus_sync:order-2");
        assertThat(status.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(status.reason()).isEqualTo(rollback.reason());
        assertThat(status.decision()).isEqualTo(CriticalDecision.Outcome.ROLLBACK);
        assertThat(prepared.list()).isEmpty();
    }

    /**
     * A service that is not the preparing role (nor a superuser) cannot finish it: the decision is recorded all the same,
     * before COMMIT PREPARED is tried, and the error says who may. A person then rolls it back: PostgreSQL's word for the
     * recorded transaction id wins over the recorded decision, and a later finish fills in what became of it.
     */
    @Test
    void shouldSayWhoMayFinishItWhenPostgresqlRefusesAndKeepTheRecordedDecision() throws Exception {
        createServiceRole();
        PgSettings settings = env.config().postgres();
        PgPreparedTransactions asAnotherRole = new PgPreparedTransactions(PgConnectionSource.direct(
                new PgSettings(settings.url(), SERVICE_ROLE, "", settings.slot(), settings.publication()), "test"));
        long xid8 = PreparedWrites.prepare(env, "nexus_sync:order-3", "INSERT INTO probe VALUES (3, 'x')");

        assertThatThrownBy(() -> asAnotherRole.finish(CriticalDecision.commit("nexus_sync:order-3", 0, DECIDED_AT, Lsn.INVALID)))
                .isInstanceOf(SyncException.class)
                .hasMessageContaining("SQLState 42501").hasMessageContaining("only the role that prepared a transaction, or a superuser")
                .hasMessageContaining("'" + SERVICE_ROLE + "'")
                .satisfies(e -> assertThat(((SyncException) e).isRetryable()).isFalse());

        assertThat(row("nexus_sync:order-3")).as("written before COMMIT PREPARED was tried").containsEntry("outcome", "commit")
                .containsEntry("xid8", xid8).containsEntry("finished_at", null).containsEntry("result", null);
        assertThat(prepared.list()).extracting(Prepared::gid).containsExactly("nexus_sync:order-3");
        CriticalStatus pending = prepared.status("order-3");
        assertThat(pending.state()).isEqualTo(State.PENDING);
        assertThat(pending.decision()).isEqualTo(CriticalDecision.Outcome.COMMIT);

        env.sql("ROLLBACK PREPARED 'nexus_sync:order-3'");
        CriticalStatus rolledBack = prepared.status("order-3");
        assertThat(rolledBack.state()).as("pg_xact_status of the recorded id, not the recorded decision").isEqualTo(State.ROLLED_BACK);
        assertThat(rolledBack.reason()).contains("outside nexus-sync");

        assertThat(prepared.finish(CriticalDecision.commit("nexus_sync:order-3", 0, DECIDED_AT, Lsn.INVALID))).isEqualTo(Finished.NOT_PREPARED);
        assertThat(row("nexus_sync:order-3")).as("what became of it, from pg_xact_status").containsEntry("result", "rolled_back")
                .containsEntry("outcome", "commit");
        assertThat(env.query("SELECT * FROM probe")).isEmpty();
    }

    @Test
    void shouldAnswerUnknownForAnIdNeverPreparedAndRefuseOneThatIsNoId() throws Exception {
        CriticalStatus never = prepared.status("never-prepared");

        assertThat(never.state()).isEqualTo(State.UNKNOWN);
        assertThat(never.gid()).isEqualTo("nexus_sync:never-prepared");
        assertThatThrownBy(() -> prepared.status("no spaces'; --")).isInstanceOf(SyncException.class)
                .hasMessageContaining("is not a critical transaction id");
        assertThatThrownBy(() -> prepared.finish(CriticalDecision.commit("app-own'gid", 0, DECIDED_AT, Lsn.INVALID)))
                .isInstanceOf(SyncException.class).hasMessageContaining("not the global id of a critical write");
    }

    private void createServiceRole() throws Exception {
        dropServiceRole();
        env.sql("CREATE ROLE " + SERVICE_ROLE + " LOGIN");
        env.sql("GRANT USAGE ON SCHEMA nexus_sync TO " + SERVICE_ROLE);
        env.sql("GRANT SELECT, INSERT, UPDATE ON nexus_sync.critical_transaction TO " + SERVICE_ROLE);
    }

    /** Roles are the server's, not the database's: one a run left behind would be found by the next. */
    private void dropServiceRole() throws Exception {
        env.sql("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + SERVICE_ROLE + "') THEN "
                + "DROP OWNED BY " + SERVICE_ROLE + "; DROP ROLE " + SERVICE_ROLE + "; END IF; END $$");
    }

    private Map<String, Object> row(String gid) throws Exception {
        List<Map<String, Object>> rows = env.query("SELECT * FROM nexus_sync.critical_transaction WHERE gid = ?", gid);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private static Connection admin() throws Exception {
        return DriverManager.getConnection(TestServers.postgres().jdbcUrl(), "postgres", "");
    }
}
