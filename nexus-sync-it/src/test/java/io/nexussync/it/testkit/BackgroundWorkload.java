package io.nexussync.it.testkit;

import io.nexussync.demo.ContextNexusWorkload;
import io.nexussync.postgres.PgSettings;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Several application connections writing to all six tables at once until stopped. */
public final class BackgroundWorkload implements AutoCloseable {
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;
    /** Each transaction holds it shared; {@link #pause()} takes it whole, so the database is quiet until {@link #resume()}. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock gate = new java.util.concurrent.locks.ReentrantReadWriteLock(true);

    public BackgroundWorkload(PgSettings settings, int connections, long seed, int pauseMillis) throws Exception {
        this(settings, connections, seed, pauseMillis, false);
    }

    /** One that keeps going while PostgreSQL restarts: a broken connection is opened again (a transaction it broke is lost, as for any application). */
    public static BackgroundWorkload outlastingRestarts(PgSettings settings, int connections, long seed, int pauseMillis) throws Exception {
        return new BackgroundWorkload(settings, connections, seed, pauseMillis, true);
    }

    private BackgroundWorkload(PgSettings settings, int connections, long seed, int pauseMillis, boolean reconnect) throws Exception {
        ContextNexusWorkload.SharedIds ids = new ContextNexusWorkload.SharedIds();
        try (ContextNexusWorkload seeder = new ContextNexusWorkload(settings, ids, seed)) {
            seeder.seedSample(50, 10, 10);
        }
        for (int i = 0; i < connections; i++) {
            long appSeed = seed + i + 1;
            ContextNexusWorkload first = new ContextNexusWorkload(settings, ids, appSeed);
            Thread t = new Thread(() -> {
                ContextNexusWorkload app = first;
                try {
                    while (!stopping) {
                        gate.readLock().lock();
                        try {
                            if (app.transaction()) {
                                transactions.incrementAndGet();
                            }
                        } catch (SQLException e) {
                            if (!reconnect) {
                                throw e;
                            }
                            closeQuietly(app);
                            app = null;
                            while (app == null && !stopping) {
                                Thread.sleep(200);
                                try {
                                    app = new ContextNexusWorkload(settings, ids, appSeed + reconnects.incrementAndGet() * 1000);
                                } catch (SQLException stillDown) {
                                    // the server is not back yet
                                }
                            }
                            if (app == null) {
                                return;
                            }
                        } finally {
                            gate.readLock().unlock();
                        }
                        if (pauseMillis > 0) {
                            Thread.sleep(pauseMillis);
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                } finally {
                    closeQuietly(app);
                }
            }, "workload-" + i);
            workers.add(t);
            t.start();
        }
    }

    private static void closeQuietly(ContextNexusWorkload app) {
        if (app != null) {
            try {
                app.close();
            } catch (Exception ignored) {
                // a connection the server closed
            }
        }
    }

    /** Waits for the transactions in flight to end and lets no new one begin until {@link #resume()} (same thread). */
    public void pause() {
        gate.writeLock().lock();
    }

    public void resume() {
        gate.writeLock().unlock();
    }

    public long transactions() {
        return transactions.get();
    }

    /** Connections opened again after PostgreSQL went away (only {@link #outlastingRestarts}). */
    public long reconnects() {
        return reconnects.get();
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        for (Thread t : workers) {
            t.join(30_000);
        }
        if (failure.get() != null) {
            throw new AssertionError("the workload failed", failure.get());
        }
    }
}
