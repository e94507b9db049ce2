package io.nexussync.postgres;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import java.sql.SQLException;

/**
 * Translates PostgreSQL failures once, by SQLState: connection, shutdown, serialization and deadlock
 * failures are retryable; authentication, missing objects and bad SQL are not.
 *
 * <p>PostgreSQL's own text (its message's first line) is only in the full message, for the log and the CLI: it can
 * quote a row's values ({@code invalid input syntax for type integer: "..."}, {@code Key (id)=(...) already exists},
 * a trigger's {@code RAISE}). The public message ({@link SyncException#publicMessage()}) has our words and the SQLState.
 */
public final class PgErrors {
    private PgErrors() {}

    public static SyncException translate(String operation, PgSettings settings, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28")) {
            return SyncException.persistent(said("PostgreSQL refused user '" + settings.user() + "' at " + JdbcUrls.redact(settings.url()), e,
                    // 28000 is pg_hba.conf turning the connection away (no line for it, or a reject/hostssl one), not a password
                    state.equals("28000") ? ": check that pg_hba.conf admits this user from this host (a server with only hostssl lines needs "
                            + "sslmode=require or stronger in NEXUS_SYNC_PG_URL), and NEXUS_SYNC_PG_USER"
                            : ": check NEXUS_SYNC_PG_USER and NEXUS_SYNC_PG_PASSWORD"), e);
        }
        if (state.equals("3D000")) {
            return SyncException.persistent(said("PostgreSQL has no such database", e, ": check the database name in NEXUS_SYNC_PG_URL"), e);
        }
        if (state.startsWith("08") && isUntrustedCertificate(e)) {
            // A certificate the client does not trust stays untrusted on the next try: no retry, the fix is in the URL.
            return SyncException.persistent(said("PostgreSQL at " + JdbcUrls.redact(settings.url()) + " is not trusted: the TLS handshake failed", e,
                    ": check sslmode and sslrootcert in NEXUS_SYNC_PG_URL (sslrootcert is the CA that signed the server's certificate; "
                            + "verify-full also needs the URL's host name in that certificate)"), e);
        }
        if (state.equals("08001") || state.equals("08004") || (state.startsWith("08") && isConnectionRefused(e))) {
            return SyncException.retryable(said("cannot reach PostgreSQL at " + JdbcUrls.redact(settings.url()), e,
                    ": is the server running, and is NEXUS_SYNC_PG_URL right?"), e);
        }
        if (state.startsWith("08") || state.startsWith("57P") || state.equals("40001") || state.equals("40P01")
                || state.startsWith("53") || state.equals("55P03")) {
            return SyncException.retryable(said("PostgreSQL failed during " + operation, e, ", will retry"), e);
        }
        return SyncException.persistent(said("PostgreSQL failed during " + operation, e, ""), e);
    }

    /**
     * {@code before (SQLState S: PostgreSQL's first line)after} in full; {@code before (SQLState S)after} in public, with a
     * pointer to the log.
     */
    private static ErrorText said(String before, SQLException e, String after) {
        String state = e.getSQLState() == null || e.getSQLState().isEmpty() ? "unknown" : e.getSQLState();
        return new ErrorText(before + " (SQLState " + state + ": " + firstLine(e) + ")" + after,
                before + " (SQLState " + state + "; PostgreSQL's message is in the service log)" + after);
    }

    /**
     * As {@link #translate}, for a write of values that came from elsewhere (the graph): a failure about the values
     * themselves is {@link SyncException#rejectsData() rejected}, so that it costs that write only. Class 23 (not null,
     * foreign key, unique, check, exclusion), class 22 (text that is no value of the column's type, out of range, too
     * long) and a trigger's {@code RAISE EXCEPTION} (P0001: the table's own rule refused the row).
     */
    public static SyncException translateWrite(String operation, PgSettings settings, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("23") || state.startsWith("22") || state.equals("P0001")) {
            return SyncException.rejected(said("PostgreSQL refused " + operation, e, ""), e);
        }
        return translate(operation, settings, e);
    }

    /**
     * As {@link #translate}, for SQL an operator wrote (a backfill's where), whose failure may be about a row:
     * PostgreSQL's message can quote the row's values ({@code invalid input syntax for type integer: "..."}),
     * so unless the failure is the connection's (retryable, authentication, database), the message names
     * only the operation and the SQLState. The caller logs the server's text.
     */
    public static SyncException withoutServerText(String operation, PgSettings settings, SQLException e) {
        SyncException translated = translate(operation, settings, e);
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (translated.isRetryable() || state.startsWith("28") || state.equals("3D000")) {
            return translated;
        }
        return SyncException.persistent(operation + " failed (SQLState " + (state.isEmpty() ? "unknown" : state)
                + "): PostgreSQL's message is in the service log (it may quote row values, so it is not repeated here)", e);
    }

    /**
     * The SQLState of the PostgreSQL failure behind {@code e} ({@code unknown} when PostgreSQL gave none), or null when no
     * PostgreSQL failure is behind it: for callers that answer with the SQLState and never with PostgreSQL's text.
     */
    public static String sqlStateBehind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getSQLState() == null ? "unknown" : sql.getSQLState();
            }
        }
        return null;
    }

    /** The first line of PostgreSQL's message: for the service log, never for an HTTP caller. */
    public static String serverText(SQLException e) {
        return firstLine(e);
    }

    /** The TLS handshake refused the server's certificate (PKIX path, expiry, signature): a type in the cause chain, not text. */
    private static boolean isUntrustedCertificate(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException || t instanceof java.security.cert.CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConnectionRefused(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
