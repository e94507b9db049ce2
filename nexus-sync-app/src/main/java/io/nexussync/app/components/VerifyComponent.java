package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.core.verify.RepairExecutor;
import io.nexussync.core.verify.Verifier;
import io.nexussync.core.verify.VerifyProgress;
import io.nexussync.core.verify.VerifyReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verify and repair in the running service, beside the stream. Its session carries out the repairs the reconciliation
 * log asks for (from {@code verify --repair}, the schedule, the admin API or a person's resolution), polling the queue
 * every {@link #REPAIR_POLL}; each repair goes through the stream's watermarks, so it lands in stream order. Verify runs
 * (every {@code verify.interval}, and when asked over the admin API) run on a thread of their own, one at a time, so that
 * repairs asked for meanwhile are not held up by a long scan.
 *
 * <p>Neither a failed repair nor a failed verify stops the service: the stream is what it is for. A failure is logged
 * and shown in {@code /status}; a repair that failed stays queued and is tried again at the next poll.
 */
public final class VerifyComponent implements Component {
    private static final Logger log = LoggerFactory.getLogger(VerifyComponent.class);
    /** How often the repair queue is read. */
    static final Duration REPAIR_POLL = Duration.ofSeconds(1);
    /** After a failed repair, before the queue is read again (a server away: do not spin on it). */
    static final Duration REPAIR_BACKOFF = Duration.ofSeconds(10);
    /** Who asks for a scheduled run (logged as the finder of what it finds). */
    public static final String SCHEDULE = "schedule";

    private final ServiceWiring wiring;
    private final Duration interval;
    private final boolean scheduledRepair;
    private final Clock clock;
    private volatile VerifyListener listener = VerifyListener.NONE;
    private final AtomicReference<Thread> verifyRun = new AtomicReference<>();
    private volatile RepairExecutor repairs;
    /** Set once the session has connected: {@code /status} must not connect to Neo4j to show verify's progress. */
    private volatile Verifier verifier;
    private volatile Thread runner;
    private volatile boolean stopping;
    private volatile Outcome last;
    private volatile Instant nextScheduled;
    private volatile String lastRepairError;

    /** The last run's end: its request, its report or why it failed, when it ended. */
    public record Outcome(Verifier.Request request, VerifyReport report, String error, Instant endedAt) {}

    public VerifyComponent(ServiceWiring wiring) {
        this.wiring = wiring;
        this.interval = wiring.config().verifyInterval();
        this.scheduledRepair = wiring.config().verifyRepair();
        this.clock = wiring.clock();
    }

    /** Adds a listener (the metrics); from the next run and repair on. */
    public void observe(VerifyListener next) {
        listener = listener.andThen(next);
    }

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        runner = Thread.currentThread();
        try {
            context.ready();
            if (repairs == null) {
                verifier = wiring.verifier();
                repairs = repairExecutor();
            }
            if (nextScheduled == null && !interval.isZero()) {
                // One interval after the start, not at it: a service restarted in a loop should not rescan every time.
                nextScheduled = clock.instant().plus(interval);
            }
            Duration wait = REPAIR_POLL;
            while (!stopping && !context.stoppedWithin(wait)) {
                wait = repairOnce() ? REPAIR_POLL : REPAIR_BACKOFF;
                Instant due = nextScheduled;
                if (due != null && !clock.instant().isBefore(due)) {
                    if (!start(new Verifier.Request(null, scheduledRepair, false, SCHEDULE))) {
                        log.info("scheduled verify skipped: a verify asked for over the admin API is still running");
                    }
                    nextScheduled = clock.instant().plus(interval);
                }
            }
        } finally {
            runner = null;
        }
    }

    /** @return false when the repair failed (logged; it stays queued) */
    private boolean repairOnce() throws InterruptedException {
        try {
            int settled = repairs.runOnce();
            if (settled > 0) {
                log.info("repaired {} findings", settled);
            }
            lastRepairError = null;
            return true;
        } catch (SyncException e) {
            lastRepairError = e.publicMessage();
            log.warn("repair failed, left queued and tried again in {} s: {}", REPAIR_BACKOFF.toSeconds(), e.getMessage());
            return false;
        }
    }

    private RepairExecutor repairExecutor() {
        GraphCommit commit = new GraphCommit(wiring.graphWriter(), wiring.retry(), new AfterCommitStage(wiring.afterCommit()),
                wiring.crossReferencesBehindCircuit(), SyncLog.NONE, GraphCommit.Acknowledger.NONE);
        return new RepairExecutor(wiring.mapping(), new ObservedReconciliationLog(wiring.reconciliations(), () -> listener, clock),
                wiring.verifySource(), wiring.verifyGraph(), wiring.backfillReader(), wiring.watermarks(), commit, RepairExecutor.Settings.DEFAULTS);
    }

    /**
     * Starts a verify run on a thread of its own.
     *
     * @return false when one is running (the caller says so; this one is not queued)
     */
    public boolean start(Verifier.Request request) {
        if (stopping) {
            throw SyncException.retryable(ErrorText.ours("the service is stopping: verify not started"), null);
        }
        Thread thread = new Thread(() -> execute(request), "nexus-sync-verify");
        thread.setDaemon(true);
        if (!verifyRun.compareAndSet(null, thread)) {
            return false;
        }
        thread.start();
        return true;
    }

    private void execute(Verifier.Request request) {
        try {
            VerifyReport report = wiring.verifier().run(request);
            last = new Outcome(request, report, null, clock.instant());
            listener.verified(request, report);
        } catch (InterruptedException e) {
            last = new Outcome(request, null, "interrupted: the service stopped", clock.instant());
        } catch (SyncException e) {
            log.warn("verify{} failed: {}", request.table() == null ? "" : " " + request.table(), e.getMessage());
            last = new Outcome(request, null, e.publicMessage(), clock.instant());
        } catch (RuntimeException e) {
            log.error("verify failed", e);
            last = new Outcome(request, null, "failed inside the service (" + e.getClass().getSimpleName() + "): the service log has the details",
                    clock.instant());
        } finally {
            verifyRun.set(null);
        }
    }

    /** The seed's {@code verify_neo4j_entity}, on the caller's thread (it reads one entity: it may run beside a verify run). */
    public VerifyReport checkEntity(TableId table, String key, boolean repair, String by) throws InterruptedException {
        return wiring.verifier().checkEntity(new Verifier.Request(table, repair, false, by), key);
    }

    public boolean running() {
        return verifyRun.get() != null;
    }

    /** The current or last run's figures, or null when none ran since the service started. */
    public VerifyProgress.Snapshot progress() {
        Verifier connected = verifier;
        return connected == null ? null : connected.progress().snapshot();
    }

    /** The last run that ended, or null. */
    public Outcome last() {
        return last;
    }

    /** When the schedule runs next, or null when it is off. */
    public Instant nextScheduled() {
        return nextScheduled;
    }

    /** The interval of the schedule (zero: off) and whether it repairs. */
    public Duration interval() {
        return interval;
    }

    public boolean scheduledRepair() {
        return scheduledRepair;
    }

    /** The last repair's failure, or null once one succeeded. */
    public String lastRepairError() {
        return lastRepairError;
    }

    @Override
    public void stop() {
        stopping = true;
        Thread run = verifyRun.get();
        if (run != null) {
            run.interrupt();
        }
        Thread session = runner;
        if (session != null) {
            // A repair waits for the stream to take its chunk; the chunk stays queued and is carried out at the next start.
            session.interrupt();
        }
    }
}
