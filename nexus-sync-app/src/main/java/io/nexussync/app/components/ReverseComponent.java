package io.nexussync.app.components;

import io.nexussync.app.config.ReverseSettings;
import io.nexussync.app.config.ReverseSettings.Mode;
import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.GraphOutbox;
import io.nexussync.core.reverse.PolledGraph;
import io.nexussync.core.reverse.ReverseApplier;
import io.nexussync.core.reverse.ReverseBatch;
import io.nexussync.core.reverse.ReverseCatalog;
import io.nexussync.core.reverse.ReverseListener;
import io.nexussync.core.reverse.ReversePoller;
import io.nexussync.core.reverse.ReverseStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reverse sync in the running service: graph edits to PostgreSQL. A session reads what flows back (the mapping's reverse
 * rules over the mapped tables' columns in PostgreSQL's catalog), decides how graph edits reach it (the mode: the plugin's
 * outbox, or the polling fallback), tells the plugin what to record (or, when nobody reads the outbox, to record nothing),
 * then runs rounds until stopped: {@link ReverseApplier#applyNext()} back to back while the outbox has entries and every
 * {@code reverse.outbox-interval} once it is empty, or {@link ReversePoller#pollOnce()} every {@code reverse.poll-interval}.
 *
 * <p>A retryable failure (a server away, a deadlock) ends the session and the supervisor starts a new one after its
 * backoff; the round it interrupted is repeated, which the applier makes harmless. {@code reverse.mode = plugin} on a
 * graph without the plugin stops the service: it was asked not to run so. Any other failure that no retry can fix (an
 * outbox entry this service cannot read, a statement PostgreSQL refuses) pauses reverse sync alone, shown in the status and
 * the log and tried again every {@link #PAUSE}: the forward stream is what the service is for.
 */
public final class ReverseComponent implements Component {
    private static final Logger log = LoggerFactory.getLogger(ReverseComponent.class);
    /** After a failure no retry can fix, before reverse sync is tried again. */
    static final Duration PAUSE = Duration.ofMinutes(1);
    /** While a backlog is drained, its depth is read at most this often (an emptied outbox needs no read). */
    static final Duration BACKLOG_EVERY = Duration.ofSeconds(1);

    /** What a session works with, built by the wiring (fakes in tests). Each call may reach a server. */
    public interface Sides {
        /** What flows back: the mapping's reverse rules over the mapped tables' columns as PostgreSQL's catalog has them now. */
        ReverseCatalog catalog();

        GraphOutbox outbox();

        PolledGraph polledGraph();

        ReverseStore store();

        /** Removes the plugin's configuration, so that it records nothing nobody would read. */
        void withdrawPlugin();

        /** The plugin's version if the probe finds it. */
        default Optional<String> probePlugin() {
            return outbox().pluginInstalled() ? Optional.of("installed") : Optional.empty();
        }
    }

    /** The session's phase, as the status shows it. */
    public enum State {
        STARTING, RUNNING, RETRYING, PAUSED, OFF, STOPPED;

        public String external() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What {@code /status} and the metrics show.
     *
     * @param mode            the mode this session runs in (null until decided)
     * @param outboxEntries   outbox entries waiting (null: not read, or no outbox in this mode)
     * @param oldestWaitingAt the graph commit time of the oldest waiting entry (null: none)
     */
    public record Status(Mode configuredMode, Mode mode, String pluginVersion, State state, long entriesApplied, Map<String, Long> appliedByEntity,
                         Map<String, Map<String, Long>> conflicts, Long outboxEntries, Instant oldestWaitingAt, Instant lastAppliedAt,
                         String lastError) {
        /** The age of the oldest waiting entry at {@code now} (0 when none waits). */
        public Duration lag(Instant now) {
            if (oldestWaitingAt == null) {
                return Duration.ZERO;
            }
            Duration lag = Duration.between(oldestWaitingAt, now);
            return lag.isNegative() ? Duration.ZERO : lag;
        }
    }

    private final Sides sides;
    private final ReverseSettings settings;
    private final Clock clock;
    private volatile ReverseListener observers = ReverseListener.NONE;
    private volatile boolean stopping;
    private volatile Mode mode;
    private volatile String pluginVersion;
    private volatile State state = State.STARTING;
    private volatile String lastError;
    private volatile GraphOutbox.Backlog backlog;
    private volatile Instant backlogReadAt;
    private volatile Instant lastAppliedAt;
    private final AtomicLong entriesApplied = new AtomicLong();
    private final Map<String, AtomicLong> appliedByEntity = new ConcurrentHashMap<>();
    private final Map<String, Map<String, AtomicLong>> conflicts = new ConcurrentHashMap<>();

    /** In the running service: the wiring's adapters, its settings and clock. */
    public static ReverseComponent of(io.nexussync.app.wiring.ServiceWiring wiring) {
        return new ReverseComponent(new ServiceReverseSides(wiring), wiring.config().reverse(), wiring.clock());
    }

    public ReverseComponent(Sides sides, ReverseSettings settings, Clock clock) {
        this.sides = sides;
        this.settings = settings;
        this.clock = clock;
    }

    /** Adds a listener (the metrics), told after each PostgreSQL transaction; from the next round on. */
    public void observe(ReverseListener next) {
        ReverseListener first = observers;
        observers = (entries, batch, at) -> {
            first.applied(entries, batch, at);
            next.applied(entries, batch, at);
        };
    }

    @Override
    public String name() {
        return "reverse";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        state = State.STARTING;
        if (settings.mode() == Mode.OFF) {
            runOff(context);
            return;
        }
        ReverseCatalog catalog = sides.catalog();
        Mode decided = decide();
        if (decided == Mode.PLUGIN) {
            sides.outbox().publish(catalog);
        } else {
            sides.withdrawPlugin();
        }
        if (mode != decided) {
            log.info("reverse sync: {}{}", decided == Mode.PLUGIN ? "the plugin's outbox (plugin " + pluginVersion + ")"
                    : "polling every " + settings.pollInterval().toMillis() + " ms (property edits only: no plugin in the graph's server)",
                    settings.mode() == Mode.AUTO ? ", chosen by reverse.mode=auto" : "");
        }
        mode = decided;
        if (catalog.isEmpty()) {
            log.info("reverse sync: the mapping lets nothing flow back from the graph");
        }
        Round round = decided == Mode.PLUGIN ? pluginRounds(catalog) : pollRounds(catalog);
        state = State.RUNNING;
        while (!stopping && !context.stopping()) {
            Duration wait;
            try {
                wait = round.next();
                if (state != State.RUNNING) {
                    log.info("reverse sync runs again");
                }
                state = State.RUNNING;
                lastError = null;
            } catch (SyncException e) {
                if (e.isRetryable()) {
                    throw e;
                }
                state = State.PAUSED;
                lastError = e.publicMessage();
                log.error("reverse sync paused for {} s (the forward stream goes on): {}", PAUSE.toSeconds(), e.getMessage());
                context.stoppedWithin(PAUSE);
                // A new session: the catalog, the probe and the plugin's configuration are read again too.
                return;
            }
            if (!wait.isZero() && context.stoppedWithin(wait)) {
                break;
            }
        }
        state = State.STOPPED;
    }

    /** One round; returns how long to wait before the next (zero: at once). */
    private interface Round {
        Duration next();
    }

    private Round pluginRounds(ReverseCatalog catalog) {
        GraphOutbox outbox = sides.outbox();
        ReverseApplier applier = new ReverseApplier(catalog, outbox, sides.store(), this::applied, clock, settings.batchSize());
        readBacklog(outbox);
        return () -> {
            int taken = applier.applyNext();
            if (taken < settings.batchSize()) {
                // The round read every entry there was and PostgreSQL has them now: the outbox was emptied, no need to count it.
                backlog = new GraphOutbox.Backlog(0, null);
                backlogReadAt = clock.instant();
            } else if (backlogReadAt == null || !clock.instant().isBefore(backlogReadAt.plus(BACKLOG_EVERY))) {
                readBacklog(outbox);
            }
            return taken == 0 ? settings.outboxInterval() : Duration.ZERO;
        };
    }

    private Round pollRounds(ReverseCatalog catalog) {
        backlog = null;
        ReversePoller poller = new ReversePoller(catalog, sides.polledGraph(), sides.store(), this::applied, clock, settings.batchSize());
        return () -> {
            poller.pollOnce();
            return settings.pollInterval();
        };
    }

    private void readBacklog(GraphOutbox outbox) {
        backlog = outbox.backlog();
        backlogReadAt = clock.instant();
    }

    /** The mode this session runs in: the configured one, the probe deciding {@code auto}. */
    private Mode decide() {
        if (settings.mode() == Mode.POLL) {
            pluginVersion = null;
            return Mode.POLL;
        }
        Optional<String> plugin = sides.probePlugin();
        pluginVersion = plugin.orElse(null);
        if (plugin.isPresent()) {
            return Mode.PLUGIN;
        }
        if (settings.mode() == Mode.PLUGIN) {
            throw SyncException.persistent("reverse.mode is plugin, but the graph's server has no nexus-sync plugin (its probe got no answer): "
                    + "copy the nexus-sync-neo4j-plugin jar into the server's plugins/ folder and restart it, or set NEXUS_SYNC_REVERSE_MODE "
                    + "to auto or poll (graph writers then raise neo4jVersion on what they edit; property edits only)", null);
        }
        return Mode.POLL;
    }

    /** Off: the plugin is told to record nothing, then the session waits for the stop. */
    private void runOff(ComponentContext context) throws InterruptedException {
        sides.withdrawPlugin();
        mode = Mode.OFF;
        backlog = null;
        state = State.OFF;
        while (!stopping && !context.stoppedWithin(Duration.ofDays(1))) {
            // nothing flows back
        }
    }

    /** Told by the applier or the poller after each PostgreSQL transaction. */
    private void applied(List<GraphEdit> entries, ReverseBatch batch, Instant at) {
        entriesApplied.addAndGet(batch.appliedEntries());
        batch.appliedByEntity().forEach((entity, n) -> appliedByEntity.computeIfAbsent(entity, e -> new AtomicLong()).addAndGet(n));
        for (ConflictRecord conflict : batch.conflicts()) {
            conflicts.computeIfAbsent(conflict.entity(), e -> new ConcurrentHashMap<>())
                    .computeIfAbsent(conflict.decision().spelling(), d -> new AtomicLong()).incrementAndGet();
        }
        if (batch.appliedEntries() > 0 || !batch.appliedByEntity().isEmpty()) {
            lastAppliedAt = at;
        }
        observers.applied(entries, batch, at);
    }

    @Override
    public void restarting(SyncException failure, Duration wait) {
        state = State.RETRYING;
        lastError = failure.publicMessage();
        log.warn("reverse sync starts again in {} ms: {}", wait.toMillis(), failure.getMessage());
    }

    public Status status() {
        Map<String, Long> byEntity = new TreeMap<>();
        appliedByEntity.forEach((entity, n) -> byEntity.put(entity, n.get()));
        Map<String, Map<String, Long>> byDecision = new TreeMap<>();
        conflicts.forEach((entity, decisions) -> {
            Map<String, Long> counts = new TreeMap<>();
            decisions.forEach((decision, n) -> counts.put(decision, n.get()));
            byDecision.put(entity, counts);
        });
        GraphOutbox.Backlog waiting = backlog;
        return new Status(settings.mode(), mode, pluginVersion, state, entriesApplied.get(), byEntity, byDecision,
                waiting == null ? null : waiting.entries(), waiting == null ? null : waiting.oldestCommittedAt(), lastAppliedAt, lastError);
    }

    public ReverseSettings settings() {
        return settings;
    }

    @Override
    public void stop() {
        // No interrupt: a round is one short PostgreSQL transaction and a few graph ones, and the loop ends after it.
        stopping = true;
    }
}
