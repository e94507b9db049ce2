package io.nexussync.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where an adapter gets an ordinary connection for one unit of work: the service's {@link PgPool}, or, for a one-shot
 * command, a connection of its own each time ({@link #direct}). The adapter closes it when the work is done; a pooled
 * connection then goes back to the pool, or is dropped if it broke, so no adapter keeps or resets a connection itself.
 */
public interface PgConnectionSource {

    /** A connection for one unit of work, in auto-commit mode; close it when done. */
    Connection connection() throws SQLException;

    /** Where PostgreSQL is (for error messages) and which slot the service owns. */
    PgSettings settings();

    /** A new connection for every unit of work, closed after it: for a command that makes a call or two and ends. */
    static PgConnectionSource direct(PgSettings settings, String purpose) {
        return new PgConnectionSource() {
            @Override
            public Connection connection() throws SQLException {
                return PgConnections.open(settings, purpose);
            }

            @Override
            public PgSettings settings() {
                return settings;
            }
        };
    }
}
