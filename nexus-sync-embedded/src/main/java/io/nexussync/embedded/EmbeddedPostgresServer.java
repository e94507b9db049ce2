package io.nexussync.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL 17 (zonky's binaries) configured for logical replication, on loopback. Trust
 * authentication for user {@code postgres}, as a fresh cluster has it.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** @param dataDirectory kept across starts when given; a throw-away directory when null */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port, String walLevel) {
        try {
            var builder = EmbeddedPostgres.builder()
                    .setPort(port == 0 ? FreePort.pick() : port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // Its own hook would stop PostgreSQL while the sync service is still draining; the owner closes it in order.
                    .setRegisterShutdownHook(false)
                    .setServerConfig("wal_level", walLevel)
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("timezone", "UTC")
                    // zonky turns synchronous_commit off; then a commit reaches the WAL's flush point (what logical
                    // decoding waits for) only at the WAL writer's next round, up to 200 ms later. PostgreSQL's
                    // default (on) is what a production server runs, and what commit-to-visible latency must be
                    // measured against. (zonky also starts with fsync off, so this costs no disk flush here.)
                    .setServerConfig("synchronous_commit", "on");
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            return new EmbeddedPostgresServer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    public static EmbeddedPostgresServer startLogical() {
        return start(null, 0, "logical");
    }

    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
