package io.nexussync.neo4j;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import org.neo4j.driver.exceptions.AuthenticationException;
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.exceptions.RetryableException;

/**
 * Translates the driver's failures once: the driver's own retryable marker decides, never the message text.
 * Neo4j's message is only in the full message, for the log and the CLI: a constraint's names the value that clashed
 * ({@code Node(12) already exists with label `ContentItem` and property `title` = '...'}). The public message
 * ({@link SyncException#publicMessage()}) has our words and Neo4j's status code.
 */
final class Neo4jErrors {
    private Neo4jErrors() {}

    static SyncException translate(String operation, RuntimeException e) {
        if (e instanceof SyncException s) {
            return s;
        }
        if (e instanceof AuthenticationException) {
            return SyncException.persistent(said("Neo4j refused the credentials while trying to " + operation, e,
                    ": check NEXUS_SYNC_NEO4J_USER and NEXUS_SYNC_NEO4J_PASSWORD"), e);
        }
        if (e instanceof Neo4jException n && n.code() != null
                && (n.code().equals("Neo.TransientError.Transaction.DeadlockDetected")
                    || n.code().equals("Neo.TransientError.Transaction.LockAcquisitionTimeout"))) {
            return SyncException.contention("Neo4j lock contention during " + operation + " (" + n.code() + ")", e);
        }
        if (e instanceof RetryableException) {
            return SyncException.retryable(said("Neo4j is unavailable or busy during " + operation, e, ""), e);
        }
        if (e instanceof Neo4jException n && n.code() != null && n.code().startsWith("Neo.TransientError.")) {
            return SyncException.retryable(said("Neo4j transient error during " + operation, e, ""), e);
        }
        if (e instanceof Neo4jException n && n.code() != null && rejectsData(n.code())) {
            return SyncException.rejected(said("Neo4j rejected " + operation, e, ""), e);
        }
        return SyncException.persistent(said("Neo4j rejected " + operation, e, ""), e);
    }

    /** {@code before (code: Neo4j's message)after} in full; {@code before (code)after} in public, code being the status code or the exception's kind. */
    private static ErrorText said(String before, RuntimeException e, String after) {
        // The driver gives "N/A" for failures of its own (a connection refused): then the kind says more.
        String code = e instanceof Neo4jException n && n.code() != null && n.code().startsWith("Neo.") ? n.code() : e.getClass().getSimpleName();
        return new ErrorText(before + " (" + code + ": " + e.getMessage() + ")" + after,
                before + " (" + code + "; Neo4j's message is in the service log)" + after);
    }

    /**
     * Errors a row's values cause (a uniqueness clash, a value of the wrong type for a property or a function):
     * they cost that row a dead letter. A syntax error, a security or a database error is ours or the setup's, and stops the service.
     */
    private static boolean rejectsData(String code) {
        return code.equals("Neo.ClientError.Schema.ConstraintValidationFailed")
                || code.equals("Neo.ClientError.Statement.TypeError")
                || code.equals("Neo.ClientError.Statement.ArgumentError")
                || code.equals("Neo.ClientError.Statement.ConstraintVerificationFailed");
    }
}
