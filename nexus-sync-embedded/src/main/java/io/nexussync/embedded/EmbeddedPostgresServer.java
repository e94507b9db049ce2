package io.nexussync.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL 17 (zonky's binaries) configured for logical replication, on loopback. Trust
 * authentication for user {@code postgres}, as a fresh cluster has it. One started with a data directory
 * can be stopped and started again on the same port and data, which is how tests restart PostgreSQL.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    public static final String USER = "postgres";

    private final Path dataDirectory;
    private final int port;
    private final String walLevel;
    private EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(Path dataDirectory, int port, String walLevel) {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.walLevel = walLevel;
    }

    /** @param dataDirectory kept across starts when given; a throw-away directory when null */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port, String walLevel) {
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDirectory, port == 0 ? FreePort.pick() : port, walLevel);
        server.postgres = server.launch();
        return server;
    }

    /** Starts it again after {@link #stop()}: same port, same data directory (only for a server started with one). */
    public synchronized void startAgain() {
        if (dataDirectory == null) {
            throw new IllegalStateException("a server on a throw-away data directory cannot be started again");
        }
        if (postgres == null) {
            postgres = launch();
        }
    }

    /**
     * A fast shutdown, waited for: ordinary connections are closed at once, but PostgreSQL finishes only once
     * each walsender's client has confirmed all WAL sent to it, or has gone. (zonky's own stop gives up after 5 s.)
     *
     * @throws IllegalStateException when PostgreSQL is still running after {@code atMost}
     */
    public synchronized void stop(Duration atMost) {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                postgres = null;
            }
            if (dataDirectory != null) {
                Path pid = dataDirectory.resolve("postmaster.pid");
                long deadline = System.nanoTime() + atMost.toNanos();
                while (java.nio.file.Files.exists(pid)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("PostgreSQL was still shutting down after " + atMost
                                + " (a walsender waiting for its client to confirm?)");
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while PostgreSQL shut down", e);
                    }
                }
            }
        }
    }

    public void stop() {
        stop(Duration.ofMinutes(1));
    }

    private EmbeddedPostgres launch() {
        try {
            var builder = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // Its own hook would stop PostgreSQL while the sync service is still draining; the owner closes it in order.
                    .setRegisterShutdownHook(false)
                    .setServerConfig("wal_level", walLevel)
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("max_prepared_transactions", "64")
                    .setServerConfig("timezone", "UTC")
                    // Commit times of rows, which verify's repair weighs against the graph's last write (its evidence).
                    .setServerConfig("track_commit_timestamp", "on")
                    // Critical writes end with PREPARE TRANSACTION, which PostgreSQL's default (0) refuses.
                    .setServerConfig("max_prepared_transactions", "64")
                    // zonky turns synchronous_commit off; then a commit reaches the WAL's flush point (what logical
                    // decoding waits for) only at the WAL writer's next round, up to 200 ms later. PostgreSQL's
                    // default (on) is what a production server runs, and what commit-to-visible latency must be
                    // measured against. (zonky also starts with fsync off, so this costs no disk flush here.)
                    .setServerConfig("synchronous_commit", "on");
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            return builder.start();
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
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        stop();
    }
}
