package io.nexussync.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGProperty;

/** Opens the two kinds of connection the service uses: ordinary ones and the replication one. */
public final class PgConnections {
    private PgConnections() {}

    public static Connection open(PgSettings settings, String purpose) throws SQLException {
        Properties props = base(settings);
        PGProperty.APPLICATION_NAME.set(props, "nexus-sync " + purpose);
        // A frozen connection (a stalled network path, a hung server) would otherwise block its thread for ever:
        // the write-back, and the acknowledgements behind it, with it. (Not on the replication connection: its
        // reader polls, and creating a slot may rightly wait for long transactions.)
        if (settings.socketTimeout() != null && !settings.socketTimeout().isZero()) {
            PGProperty.SOCKET_TIMEOUT.set(props, Long.toString(Math.max(1, settings.socketTimeout().toSeconds())));
        }
        return DriverManager.getConnection(settings.url(), props);
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
