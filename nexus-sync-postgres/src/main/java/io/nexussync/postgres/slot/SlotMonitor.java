package io.nexussync.postgres.slot;

import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the slot's health at start and then every {@code interval} on a thread of its own: keeps the
 * latest reading for status and metrics, logs a warning (at most every {@link #WARN_EVERY}) while the
 * retained WAL is above the threshold or the WAL is no longer reserved, and reports a lost slot once
 * to {@code onLost}, which stops the service.
 */
public final class SlotMonitor implements AutoCloseable {
    static final Duration WARN_EVERY = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(SlotMonitor.class);

    private final PgConnectionSource connections;
    private final PgSettings settings;
    private final long warnBytes;
    private final Duration interval;
    private final Consumer<SlotInvalidatedException> onLost;
    private volatile SlotHealth latest;
    private ScheduledExecutorService timer;
    private Instant warnedAt;
    private boolean lostReported;
    private String lastFailure;

    public SlotMonitor(PgConnectionSource connections, long warnBytes, Duration interval, Consumer<SlotInvalidatedException> onLost) {
        this.connections = connections;
        this.settings = connections.settings();
        this.warnBytes = warnBytes;
        this.interval = interval;
        this.onLost = onLost;
    }

    /** Reads the slot now. Throws the documented {@link SlotInvalidatedException} when PostgreSQL has invalidated it. */
    public SlotHealth checkNow() {
        SlotHealth health = read();
        if (health.lost()) {
            throw health.problem();
        }
        return health;
    }

    /** Starts the periodic reading; a lost slot found by it goes to {@code onLost}. */
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nexus-sync-slot-monitor");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::periodicCheck, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last reading, or null before the first. */
    public SlotHealth latest() {
        return latest;
    }

    public long warnBytes() {
        return warnBytes;
    }

    private void periodicCheck() {
        try {
            SlotHealth health = read();
            lastFailure = null;
            if (health.lost() && !lostReported) {
                lostReported = true;
                SlotInvalidatedException problem = health.problem();
                log.error("{}", problem.getMessage());
                onLost.accept(problem);
            }
        } catch (SyncException e) {
            // PostgreSQL unreachable: the stream reports and retries that; say it here once, not every interval.
            if (!e.getMessage().equals(lastFailure)) {
                log.warn("cannot read the health of slot {}: {}", settings.slot(), e.getMessage());
                lastFailure = e.getMessage();
            }
        } catch (RuntimeException e) {
            log.error("slot health check failed: {}", e.getMessage(), e);
        }
    }

    private synchronized SlotHealth read() {
        try (Connection connection = connections.connection()) {
            SlotHealth health = SlotHealthReader.read(connection, settings.slot());
            latest = health;
            warnIfNeeded(health);
            return health;
        } catch (SQLException e) {
            throw PgErrors.translate("reading the health of slot " + settings.slot(), settings, e);
        }
    }

    private void warnIfNeeded(SlotHealth health) {
        List<String> warnings = health.warnings(warnBytes);
        if (!warnings.isEmpty()) {
            if (warnedAt == null || !health.readAt().isBefore(warnedAt.plus(WARN_EVERY))) {
                warnings.forEach(w -> log.warn("{}", w));
                warnedAt = health.readAt();
            }
        } else if (warnedAt != null && !health.lost()) {
            log.info("slot '{}' is back within bounds: it retains {} of WAL",
                    settings.slot(), health.retainedWalBytes() == null ? "no" : Bytes.format(health.retainedWalBytes()));
            warnedAt = null;
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
