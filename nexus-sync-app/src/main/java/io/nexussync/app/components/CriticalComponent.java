package io.nexussync.app.components;

import io.nexussync.app.config.CriticalSettings;
import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalDecisions;
import io.nexussync.core.critical.CriticalListener;
import io.nexussync.core.critical.CriticalRecovery;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.critical.PreparedTransactions.Finished;
import io.nexussync.core.critical.PreparedTransactions.Prepared;
import io.nexussync.core.error.SyncException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Critical writes in the running service: {@link CriticalRecovery} at the start of each session and then every
 * {@code critical.recovery-interval}, so that no transaction prepared as {@code nexus_sync:<id>} stays prepared (the
 * stream finishes most of them itself, as it applies them). Each pass's report is what {@code /status}, the metrics and
 * {@code /health} show: how many are prepared and since when; one prepared longer than {@code critical.alert-age} is a
 * health reason, as it holds its row locks and PostgreSQL's xmin horizon.
 *
 * <p>A pass that fails (a server away, a COMMIT PREPARED PostgreSQL refuses) is logged once per outage and tried again at
 * the next interval; it never stops the service: what is prepared waits in PostgreSQL, and the next pass finishes it.
 * {@link #listener()} is what the stream and recovery tell what they decide and finish (the counts, and the metrics
 * {@link #observe observing} it).
 */
public final class CriticalComponent implements Component {
    private static final Logger log = LoggerFactory.getLogger(CriticalComponent.class);

    /**
     * What {@code /status} and the metrics show.
     *
     * @param prepared         critical writes prepared at the last look (the end of the last pass, or a look after a failed one)
     * @param oldestPreparedAt when the oldest of them was prepared (null: none)
     * @param lastPassAt       when the last pass ended well (null: none yet)
     * @param lastError        why the last pass failed (null: it did not), without any server's text
     * @param committed        critical writes committed in PostgreSQL since the start (by the stream or recovery)
     * @param rolledBack       critical writes rolled back since the start
     */
    public record Status(int prepared, Instant oldestPreparedAt, Instant lastPassAt, String lastError, long committed, long rolledBack) {
        /** How long the oldest has been prepared at {@code now} (zero when none is). */
        public Duration oldestAge(Instant now) {
            if (oldestPreparedAt == null) {
                return Duration.ZERO;
            }
            Duration age = Duration.between(oldestPreparedAt, now);
            return age.isNegative() ? Duration.ZERO : age;
        }
    }

    private final PreparedTransactions prepared;
    private final Supplier<CriticalDecisions> decisions;
    private final CriticalSettings settings;
    private final Clock clock;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong rolledBack = new AtomicLong();
    private final CriticalListener listener = new Counting();
    private volatile CriticalListener observers = CriticalListener.NONE;
    private volatile CriticalRecovery recovery;
    private volatile boolean stopping;
    private volatile boolean failing;
    private volatile int preparedCount;
    private volatile Instant oldestPreparedAt;
    private volatile Instant lastPassAt;
    private volatile String lastError;

    /** In the running service: PostgreSQL's prepared transactions on the pool, the graph's decisions behind the Neo4j circuit. */
    public static CriticalComponent of(ServiceWiring wiring) {
        // With write-back off another graph decides the prepared critical writes in PostgreSQL: recovery here sees none.
        return new CriticalComponent(wiring.writesBack() ? wiring.preparedTransactions() : PreparedTransactions.NONE, wiring::criticalDecisions,
                wiring.config().critical(), wiring.clock());
    }

    /** @param decisions asked once, at the first pass (it connects to the graph) */
    public CriticalComponent(PreparedTransactions prepared, Supplier<CriticalDecisions> decisions, CriticalSettings settings, Clock clock) {
        this.prepared = prepared;
        this.decisions = decisions;
        this.settings = settings;
        this.clock = clock;
    }

    /** What the stream and recovery tell of each critical write: counted here, then passed to the observers. */
    public CriticalListener listener() {
        return listener;
    }

    /** Adds a listener (the metrics); from the next call on. */
    public void observe(CriticalListener next) {
        CriticalListener first = observers;
        observers = new CriticalListener() {
            @Override
            public void decided(CriticalDecision standing, Instant preparedAt) {
                first.decided(standing, preparedAt);
                next.decided(standing, preparedAt);
            }

            @Override
            public void finished(String gid, Finished result, Instant preparedAt) {
                first.finished(gid, result, preparedAt);
                next.finished(gid, result, preparedAt);
            }
        };
    }

    @Override
    public String name() {
        return "critical";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        while (!stopping) {
            pass();
            if (context.stoppedWithin(settings.recoveryInterval())) {
                break;
            }
        }
    }

    /** One recovery pass; a failure is logged (once per outage) and shown, and the next pass tries again. */
    void pass() {
        try {
            CriticalRecovery.Report report = recovery().run();
            Instant now = clock.instant();
            preparedCount = report.waiting();
            oldestPreparedAt = report.oldestWaitingPreparedAt();
            lastPassAt = now;
            lastError = null;
            if (failing) {
                failing = false;
                log.info("critical write recovery works again");
            }
            if (report.committed() + report.rolledBack() > 0) {
                log.info("critical write recovery: {} committed, {} rolled back, {} left to the stream", report.committed(), report.rolledBack(),
                        report.waiting());
            }
        } catch (SyncException e) {
            failed(e.publicMessage(), e.getMessage(), null);
        } catch (RuntimeException e) {
            failed("failed inside the service (" + e.getClass().getSimpleName() + "): the service log has the details", e.toString(), e);
        }
    }

    private CriticalRecovery recovery() {
        CriticalRecovery built = recovery;
        if (built == null) {
            built = new CriticalRecovery(prepared, decisions.get(), settings.timeout(), clock, listener);
            recovery = built;
        }
        return built;
    }

    private void failed(String shown, String full, RuntimeException unexpected) {
        lastError = shown;
        if (!failing) {
            failing = true;
            String message = "critical write recovery failed; tried again every {} ms, and logged again once it works (prepared critical writes "
                    + "wait in PostgreSQL meanwhile): {}";
            if (unexpected == null) {
                log.warn(message, settings.recoveryInterval().toMillis(), full);
            } else {
                log.error(message, settings.recoveryInterval().toMillis(), full, unexpected);
            }
        } else {
            log.debug("critical write recovery failed again: {}", full);
        }
        // What is prepared still shows (PostgreSQL may answer while the graph does not).
        try {
            List<Prepared> open = prepared.list();
            preparedCount = open.size();
            oldestPreparedAt = open.stream().map(Prepared::preparedAt).min(Instant::compareTo).orElse(null);
        } catch (RuntimeException unreadable) {
            log.debug("the prepared critical writes cannot be read either: {}", unreadable.toString());
        }
    }

    public Status status() {
        return new Status(preparedCount, oldestPreparedAt, lastPassAt, lastError, committed.get(), rolledBack.get());
    }

    public CriticalSettings settings() {
        return settings;
    }

    /** Why {@code /health} is degraded on account of critical writes (none, or one prepared longer than {@code critical.alert-age}). */
    public List<String> healthReasons() {
        Status status = status();
        Duration age = status.oldestAge(clock.instant());
        if (status.prepared() == 0 || age.compareTo(settings.alertAge()) <= 0) {
            return List.of();
        }
        return List.of(status.prepared() + " critical write" + (status.prepared() == 1 ? " is" : "s are") + " prepared in PostgreSQL, the oldest for "
                + age.toSeconds() + " s (critical.alert-age is " + settings.alertAge().toSeconds() + " s): a prepared transaction holds its row "
                + "locks and PostgreSQL's xmin horizon until nexus-sync commits or rolls it back"
                + (status.lastError() == null ? "" : "; recovery fails: " + status.lastError())
                + " (nexus-sync status names the oldest)");
    }

    @Override
    public void stop() {
        // No interrupt: a pass is a few short statements; the session ends at its next wait.
        stopping = true;
    }

    private final class Counting implements CriticalListener {
        @Override
        public void decided(CriticalDecision standing, Instant preparedAt) {
            observers.decided(standing, preparedAt);
        }

        @Override
        public void finished(String gid, Finished result, Instant preparedAt) {
            if (result == Finished.COMMITTED) {
                committed.incrementAndGet();
            } else if (result == Finished.ROLLED_BACK) {
                rolledBack.incrementAndGet();
            }
            observers.finished(gid, result, preparedAt);
        }
    }
}
