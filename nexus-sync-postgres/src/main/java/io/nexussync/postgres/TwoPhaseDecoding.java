package io.nexussync.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Whether the server decodes a prepared transaction at its PREPARE: pgoutput's protocol 3 with {@code two_phase},
 * PostgreSQL 15+. Older servers decode it only at its COMMIT PREPARED, as an ordinary transaction, so critical writes
 * (which must be in the graph before they are committed) need 15+.
 */
public final class TwoPhaseDecoding {
    public static final int SINCE_MAJOR = 15;

    private TwoPhaseDecoding() {}

    public static boolean supported(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseMajorVersion() >= SINCE_MAJOR;
    }
}
