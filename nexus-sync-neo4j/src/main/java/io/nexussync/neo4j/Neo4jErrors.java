package io.nexussync.neo4j;

import io.nexussync.core.apply.SyncException;
import org.neo4j.driver.exceptions.AuthenticationException;
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.exceptions.RetryableException;

/** Translates the driver's failures once: the driver's own retryable marker decides, never the message text. */
final class Neo4jErrors {
    private Neo4jErrors() {}

    static SyncException translate(String operation, RuntimeException e) {
        if (e instanceof SyncException s) {
            return s;
        }
        if (e instanceof AuthenticationException) {
            return SyncException.persistent("Neo4j refused the credentials while trying to " + operation
                    + ": check NEXUS_SYNC_NEO4J_USER and NEXUS_SYNC_NEO4J_PASSWORD (" + e.getMessage() + ")", e);
        }
        if (e instanceof Neo4jException n && n.code() != null
                && (n.code().equals("Neo.TransientError.Transaction.DeadlockDetected")
                    || n.code().equals("Neo.TransientError.Transaction.LockAcquisitionTimeout"))) {
            return SyncException.contention("Neo4j lock contention during " + operation + " (" + n.code() + ")", e);
        }
        if (e instanceof RetryableException) {
            return SyncException.retryable("Neo4j is unavailable or busy during " + operation + ": " + e.getMessage(), e);
        }
        if (e instanceof Neo4jException n && n.code() != null && n.code().startsWith("Neo.TransientError.")) {
            return SyncException.retryable("Neo4j transient error during " + operation + ": " + e.getMessage(), e);
        }
        if (e instanceof Neo4jException n && n.code() != null && rejectsData(n.code())) {
            return SyncException.rejected("Neo4j rejected " + operation + " (" + n.code() + "): " + e.getMessage(), e);
        }
        return SyncException.persistent("Neo4j rejected " + operation + ": " + e.getMessage(), e);
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
