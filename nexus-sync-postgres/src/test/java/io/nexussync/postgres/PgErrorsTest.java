package io.nexussync.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.error.SyncException;
import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PgErrorsTest {
    private static final PgSettings SETTINGS = new PgSettings("jdbc:postgresql://sync:url-secret@db:5432/app?password=param-secret",
            "sync", "pw", "slot", "pub");

    @Test
    void shouldNameTheServerWithoutThePasswordsInItsUrl() {
        SyncException unreachable = PgErrors.translate("connecting", SETTINGS,
                new SQLException("Connection to db:5432 refused", "08001", new ConnectException("refused")));
        SyncException refusedUser = PgErrors.translate("connecting", SETTINGS, new SQLException("FATAL: password authentication failed", "28P01"));

        for (SyncException e : new SyncException[] {unreachable, refusedUser}) {
            assertThat(e.getMessage()).contains("jdbc:postgresql://sync:<redacted>@db:5432/app?password=<redacted>")
                    .doesNotContain("url-secret").doesNotContain("param-secret");
        }
        assertThat(SETTINGS.toString()).doesNotContain("url-secret").doesNotContain("param-secret").doesNotContain("pw");
    }

    @Test
    void shouldNotRetryACertificateTheClientDoesNotTrustAndNameTheUrlsTlsParameters() {
        var untrusted = new javax.net.ssl.SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new java.security.cert.CertificateException("unable to find valid certification path to requested target"));
        SyncException e = PgErrors.translate("connecting", SETTINGS, new SQLException("SSL error: PKIX path building failed", "08006", untrusted));

        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).contains("is not trusted: the TLS handshake failed").contains("sslmode and sslrootcert in NEXUS_SYNC_PG_URL");
        assertThat(PgErrors.translate("connecting", SETTINGS, new SQLException("SSL error: Connection reset", "08006",
                new javax.net.ssl.SSLException("Connection reset"))).isRetryable()).as("a handshake cut short is retried").isTrue();
    }

    @Test
    void shouldPointAConnectionPgHbaTurnedAwayAtPgHbaAndTlsRatherThanThePassword() {
        SyncException rejected = PgErrors.translate("connecting", SETTINGS, new SQLException(
                "FATAL: pg_hba.conf rejects connection for host \"127.0.0.1\", user \"sync\", database \"app\", no encryption", "28000"));
        SyncException wrongPassword = PgErrors.translate("connecting", SETTINGS, new SQLException("FATAL: password authentication failed", "28P01"));

        assertThat(rejected.getMessage()).contains("pg_hba.conf admits this user").contains("sslmode=require");
        assertThat(wrongPassword.getMessage()).contains("check NEXUS_SYNC_PG_USER and NEXUS_SYNC_PG_PASSWORD");
    }

    @Test
    void shouldKeepPostgresqlsTextOutOfAFailureAboutOperatorSql() {
        SyncException cast = PgErrors.withoutServerText("reading public.t for a backfill", SETTINGS,
                new SQLException("ERROR: invalid input syntax for type integer: \"row-value\"", "22P02"));

        assertThat(cast.getMessage()).isEqualTo("reading public.t for a backfill failed (SQLState 22P02): PostgreSQL's message is in the "
                + "service log (it may quote row values, so it is not repeated here)");
        assertThat(cast.isRetryable()).isFalse();
        assertThat(PgErrors.withoutServerText("reading", SETTINGS, new SQLException("the connection broke", "08006")).isRetryable())
                .as("a lost connection is still retried").isTrue();
    }

    @Test
    void shouldKeepPostgresqlsTextInTheFullMessageOnlyAndNameTheOperationAndSqlStateInThePublicOne() {
        SyncException cast = PgErrors.translate("write-back", SETTINGS,
                new SQLException("ERROR: invalid input syntax for type integer: \"row-value\"", "22P02"));
        SyncException serialization = PgErrors.translate("write-back", SETTINGS,
                new SQLException("ERROR: could not serialize access to row-value", "40001"));
        SyncException refusedUser = PgErrors.translate("connecting", SETTINGS, new SQLException("FATAL: password authentication failed", "28P01"));

        assertThat(cast.getMessage()).as("for the log and the CLI").isEqualTo(
                "PostgreSQL failed during write-back (SQLState 22P02: ERROR: invalid input syntax for type integer: \"row-value\")");
        assertThat(cast.publicMessage()).isEqualTo(
                "PostgreSQL failed during write-back (SQLState 22P02; PostgreSQL's message is in the service log)");
        assertThat(serialization.isRetryable()).isTrue();
        assertThat(serialization.publicMessage()).isEqualTo(
                "PostgreSQL failed during write-back (SQLState 40001; PostgreSQL's message is in the service log), will retry");
        assertThat(refusedUser.publicMessage()).contains("refused user 'sync'").contains("SQLState 28P01").contains("NEXUS_SYNC_PG_PASSWORD")
                .doesNotContain("url-secret");
    }

    @Test
    void shouldRejectAWriteForItsDataAndOnlyForItsData() {
        for (String state : new String[] {"23502", "23503", "23505", "23514", "22P02", "22001", "22003", "P0001"}) {
            SyncException refused = PgErrors.translateWrite("the write to public.t", SETTINGS, new SQLException("ERROR: row-value", state));
            assertThat(refused.rejectsData()).as(state).isTrue();
            assertThat(refused.isRetryable()).as(state).isFalse();
            assertThat(refused.getMessage()).startsWith("PostgreSQL refused the write to public.t (SQLState " + state + ": ERROR: row-value)");
            assertThat(refused.publicMessage()).doesNotContain("row-value");
        }
        assertThat(PgErrors.translateWrite("w", SETTINGS, new SQLException("deadlock", "40P01")).isRetryable()).isTrue();
        assertThat(PgErrors.translateWrite("w", SETTINGS, new SQLException("no such column", "42703")).rejectsData()).isFalse();
        assertThat(PgErrors.translate("w", SETTINGS, new SQLException("ERROR: null value", "23502")).rejectsData())
                .as("everywhere else a constraint is not the data's fault").isFalse();
    }
}
