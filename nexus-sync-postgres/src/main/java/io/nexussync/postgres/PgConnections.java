package io.nexussync.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGProperty;

/**
 * The settings every connection of the service gets, and the connections that are not pooled: the replication one,
 * the snapshot's (they hold an exported view) and a one-shot command's. Everything else borrows from {@link PgPool}.
 */
public final class PgConnections {
    private PgConnections() {}

    /** A connection of its own, outside any pool: for one-shot commands and the snapshot's exported view. */
    public static Connection open(PgSettings settings, String purpose) throws SQLException {
        return DriverManager.getConnection(settings.url(), ordinary(settings, "nexus-sync " + purpose));
    }

    /** A walsender connection: replication=database, simple query mode (the replication protocol requires it). */
    public static Connection openReplication(PgSettings settings) throws SQLException {
        Properties props = base(settings);
        PGProperty.APPLICATION_NAME.set(props, "nexus-sync capture");
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return DriverManager.getConnection(settings.url(), props);
    }

    /** The driver properties of an ordinary (not replication) connection, pooled or not. */
    static Properties ordinary(PgSettings settings, String applicationName) {
        Properties props = base(settings);
        PGProperty.APPLICATION_NAME.set(props, applicationName);
        // A frozen connection (a stalled network path, a hung server) would otherwise block its thread for ever:
        // the write-back, and the acknowledgements behind it, with it. (Not on the replication connection: its
        // reader polls, and creating a slot may rightly wait for long transactions.)
        if (settings.socketTimeout() != null && !settings.socketTimeout().isZero()) {
            PGProperty.SOCKET_TIMEOUT.set(props, Long.toString(Math.max(1, settings.socketTimeout().toSeconds())));
        }
        return props;
    }

    private static Properties base(PgSettings settings) {
        Properties props = new Properties();
        if (settings.user() != null) {
            PGProperty.USER.set(props, settings.user());
        }
        if (settings.password() != null) {
            PGProperty.PASSWORD.set(props, settings.password());
        }
        PGProperty.CONNECT_TIMEOUT.set(props, "10");
        PGProperty.TCP_KEEP_ALIVE.set(props, "true");
        return props;
    }
}
