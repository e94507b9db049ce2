package io.nexussync.postgres;

import java.time.Duration;

/**
 * Where PostgreSQL is and which slot and publication the service owns.
 *
 * @param socketTimeout how long a read on an ordinary (not replication) connection may wait for the server before
 *                      the connection is given up, so that a frozen connection is noticed; zero waits for ever. A
 *                      {@code socketTimeout} in the URL wins.
 */
public record PgSettings(String url, String user, String password, String slot, String publication, Duration socketTimeout) {
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(300);

    public PgSettings(String url, String user, String password, String slot, String publication) {
        this(url, user, password, slot, publication, DEFAULT_SOCKET_TIMEOUT);
    }

    @Override
    public String toString() {
        return "PgSettings[url=" + JdbcUrls.redact(url) + ", user=" + user + ", password=<redacted>, slot=" + slot + ", publication=" + publication
                + ", socketTimeout=" + socketTimeout.toSeconds() + "s]";
    }
}
