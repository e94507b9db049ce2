package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.bookkeeping.PgTransactionLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code log.retention}: deletes rows of {@code nexus_sync.transaction_log} logged longer ago than the retention, at start
 * and every {@link #EVERY}, in bounded deletes ({@link PgTransactionLog#PRUNE_CHUNK} rows per statement, {@link #PAUSE}
 * between two) so that a first prune of a large log neither holds long locks nor writes a burst of WAL. A failed prune is
 * logged and tried again at the next round: the log is a record, its pruning never stops the service.
 */
public final class LogRetentionComponent implements Component {
    static final Duration EVERY = Duration.ofHours(1);
    static final Duration PAUSE = Duration.ofMillis(50);
    private static final Logger log = LoggerFactory.getLogger(LogRetentionComponent.class);

    private final PgTransactionLog transactionLog;
    private final Duration retention;
    private final Clock clock;
    private volatile boolean stopping;

    public LogRetentionComponent(PgTransactionLog transactionLog, Duration retention, Clock clock) {
        this.transactionLog = transactionLog;
        this.retention = retention;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "log-retention";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        if (retention.isZero()) {
            log.info("log.retention is off: nexus_sync.transaction_log keeps every row");
            while (!context.stoppedWithin(Duration.ofDays(1))) {
                // nothing to prune; this session only lasts until the stop
            }
            return;
        }
        do {
            pruneOnce(() -> stopping || context.stopping());
        } while (!context.stoppedWithin(EVERY));
    }

    /** One prune of the rows older than now minus the retention (what each round does; tests call it directly); the rows deleted. */
    public long pruneOnce(java.util.function.BooleanSupplier stop) throws InterruptedException {
        Instant cut = clock.instant().minus(retention);
        try {
            PgTransactionLog.Pruned pruned = transactionLog.prune(cut, PAUSE, stop);
            if (pruned.rows() > 0) {
                log.info("log.retention {}: deleted {} rows of nexus_sync.transaction_log logged before {} ({} statements)",
                        retention, pruned.rows(), cut, pruned.statements());
            } else {
                log.debug("log.retention {}: no row of nexus_sync.transaction_log was logged before {}", retention, cut);
            }
            return pruned.rows();
        } catch (SyncException e) {
            log.warn("log.retention: could not prune nexus_sync.transaction_log ({}); trying again in {}", e.getMessage(), EVERY);
            return 0;
        }
    }

    @Override
    public void stop() {
        stopping = true;
    }
}
