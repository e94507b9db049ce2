package io.nexussync.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * The service's ordinary PostgreSQL connections, pooled (HikariCP): the write-back, the transaction log, dead letters,
 * backfill, the slot monitor, the table watch and the admin API borrow one per unit of work and give it back. This is the
 * one place that resets a connection: one that failed with a connection error (SQLState 08, 57P0x: a restart, a socket
 * timeout) is dropped instead of given back, and an idle one is checked before it is lent again, so a PostgreSQL restart
 * costs the borrowers one failure each, not a connection broken for good. The replication stream and the snapshot's
 * exported view are not pooled ({@link PgConnections}).
 *
 * <p>Opens no connection until the first borrow; then keeps one open while idle. A borrow fails as fast as a connection of its own would: when the pool
 * cannot open one, the borrower gets PostgreSQL's (or the network's) own failure, which {@link PgErrors} classifies as it
 * always did; it waits only while every connection is lent out.
 */
public final class PgPool implements PgConnectionSource, AutoCloseable {
    /** Connections at most: the threads that use PostgreSQL at once are few (after-commit, backfill, monitors, admin). */
    public static final int DEFAULT_SIZE = 6;
    /** How long a borrower waits for a connection another thread holds before the borrow fails (retryable). */
    static final Duration WAIT_FOR_FREE = Duration.ofSeconds(30);
    /** A borrow's wait is cut in slices so that the pool's failure to open a connection reaches the borrower at once. */
    private static final Duration BORROW_SLICE = Duration.ofMillis(250);
    private static final Duration LONGEST_VALIDATION = Duration.ofSeconds(5);

    private final PgSettings settings;
    private final int size;
    private HikariDataSource pool;
    private boolean closed;

    public PgPool(PgSettings settings) {
        this(settings, DEFAULT_SIZE);
    }

    public PgPool(PgSettings settings, int size) {
        this.settings = settings;
        this.size = size;
    }

    /** The pool, started at the first borrow: a command that never borrows never connects. */
    private synchronized HikariDataSource pool() throws SQLException {
        if (closed) {
            throw new SQLException("the PostgreSQL connection pool is closed", "08003");
        }
        if (pool == null) {
            pool = start(settings, size);
        }
        return pool;
    }

    private static HikariDataSource start(PgSettings settings, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("nexus-sync");
        config.setJdbcUrl(settings.url());
        // The same settings as a connection of its own (socket and connect timeouts, keepalive), one application name.
        config.setDataSourceProperties(PgConnections.ordinary(settings, "nexus-sync pool"));
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(BORROW_SLICE.toMillis());
        config.setValidationTimeout(validationTimeout(settings).toMillis());
        // A server down at the first borrow is that borrower's failure to report, not the pool's.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /** Checking an idle connection must not wait longer than the socket timeout would let a query wait. */
    private static Duration validationTimeout(PgSettings settings) {
        Duration socket = settings.socketTimeout();
        if (socket == null || socket.isZero() || socket.compareTo(LONGEST_VALIDATION) > 0) {
            return LONGEST_VALIDATION;
        }
        return socket.compareTo(BORROW_SLICE) < 0 ? BORROW_SLICE : socket;
    }

    @Override
    public Connection connection() throws SQLException {
        HikariDataSource pool = pool();
        long deadline = System.nanoTime() + WAIT_FOR_FREE.toNanos();
        while (true) {
            try {
                return pool.getConnection();
            } catch (SQLTransientConnectionException timedOut) {
                // HikariCP's timeout carries the pool's last failure to open (or check) a connection: give the borrower
                // that, as a connection of its own would have failed, so that the failure is classified and worded as before.
                Throwable failure = timedOut.getCause();
                if (failure instanceof SQLException sql) {
                    throw sql;
                }
                if (failure != null) {
                    throw new SQLException("cannot open a connection: " + failure, "08001", failure);
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new SQLTransientConnectionException("no pooled connection came free within " + WAIT_FOR_FREE.toSeconds()
                            + " s (all " + size + " lent out)", "08000", timedOut);
                }
            }
        }
    }

    @Override
    public PgSettings settings() {
        return settings;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (pool != null) {
            pool.close();
        }
    }
}
