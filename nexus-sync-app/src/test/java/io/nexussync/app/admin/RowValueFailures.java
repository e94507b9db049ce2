package io.nexussync.app.admin;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Failures as PostgreSQL reports them when its message quotes a row's value, translated as the service translates them. */
final class RowValueFailures {
    static final String SECRET = "row-value-4711";
    static final PgSettings POSTGRES = new PgSettings("jdbc:postgresql://db:5432/app", "sync", "", "slot", "pub");

    private RowValueFailures() {}

    /** A persistent failure: a cast that failed on the row's value (SQLState 22P02). */
    static SyncException castFailure(String operation) {
        return PgErrors.translate(operation, POSTGRES,
                new SQLException("ERROR: invalid input syntax for type integer: \"" + SECRET + "\"\n  Where: COPY t, line 1", "22P02"));
    }

    /** A retryable failure (SQLState 40001) whose first line quotes the row, as a trigger's RAISE can. */
    static SyncException retryableFailure(String operation) {
        return PgErrors.translate(operation, POSTGRES,
                new SQLException("ERROR: could not serialize access to the row with title " + SECRET, "40001"));
    }

    /** A circuit that {@link #retryableFailure} opened. */
    static CircuitBreaker openedCircuit(String target, String operation) {
        CircuitBreaker circuit = CircuitBreaker.of(target, new CircuitBreaker.Settings(1, Duration.ofSeconds(1), Duration.ofSeconds(30)),
                Clock.fixed(Instant.parse("2026-11-24T23:50:01Z"), ZoneOffset.UTC));
        try {
            circuit.run(() -> {
                throw retryableFailure(operation);
            });
        } catch (SyncException expected) {
            // it opened the circuit
        }
        return circuit;
    }
}
