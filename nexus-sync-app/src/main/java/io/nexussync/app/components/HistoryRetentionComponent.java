package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.retention.ClosedVersions;
import io.nexussync.core.retention.CompactionListener;
import io.nexussync.core.retention.CompactionReport;
import io.nexussync.core.retention.HistoryCompaction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code history.retention}: removes closed versions of the mapping's temporal relationships that ended longer ago than the
 * retention, at start and every {@link #EVERY}, {@link HistoryCompaction#CHUNK} per Neo4j transaction with {@link #PAUSE}
 * between two, so that the stream's batches get the graph in between. A failed round is logged and tried again at the next
 * one: history is a record, its compaction never stops the service. Off (0), the component only waits for the stop.
 * Its figures (last run, versions removed) are in {@code /status} ({@link #state}) and the metric
 * {@code nexus_sync_history_versions_removed_total{type}} (through {@link #observe}).
 */
public final class HistoryRetentionComponent implements Component {
    static final Duration EVERY = Duration.ofHours(1);
    static final Duration PAUSE = Duration.ofMillis(50);
    private static final Logger log = LoggerFactory.getLogger(HistoryRetentionComponent.class);

    private final Mapping mapping;
    private final Supplier<ClosedVersions> versions;
    private final Duration retention;
    private final Clock clock;
    private final Duration pause;
    private volatile CompactionListener listener = CompactionListener.NONE;
    private volatile boolean stopping;
    private volatile Round last;
    private volatile long removedSinceStart;
    private volatile long tombstonesRemovedSinceStart;

    /** One round's outcome, for {@code /status}: a report, or the failure's public text. */
    private record Round(Instant at, Instant cut, CompactionReport report, String error) {}

    /** @param versions the graph's closed versions, asked for at each round (the Neo4j driver connects at its first use) */
    public HistoryRetentionComponent(Mapping mapping, Supplier<ClosedVersions> versions, Duration retention, Clock clock) {
        this(mapping, versions, retention, clock, PAUSE);
    }

    HistoryRetentionComponent(Mapping mapping, Supplier<ClosedVersions> versions, Duration retention, Clock clock, Duration pause) {
        this.mapping = mapping;
        this.versions = versions;
        this.retention = retention;
        this.clock = clock;
        this.pause = pause;
    }

    /** Sets who is told of each transaction's removals (the metric). */
    public void observe(CompactionListener listener) {
        this.listener = listener;
    }

    /** The mapping whose temporal relationships are compacted (their types label the metric). */
    public Mapping mapping() {
        return mapping;
    }

    @Override
    public String name() {
        return "history-retention";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        if (retention.isZero()) {
            log.info("history.retention is off: temporal relationships keep every closed version");
            while (!context.stoppedWithin(Duration.ofDays(1))) {
                // nothing to compact; this session only lasts until the stop
            }
            return;
        }
        do {
            compactOnce(() -> stopping || context.stopping());
        } while (!context.stoppedWithin(EVERY));
    }

    /** One round: removes what ended before now minus the retention (what each round does; tests call it directly). */
    public CompactionReport compactOnce(BooleanSupplier stop) throws InterruptedException {
        Instant at = clock.instant();
        Instant cut = HistoryCompaction.cutFor(at, retention);
        try {
            CompactionReport report = new HistoryCompaction(mapping, versions.get(), clock, pause, listener).compact(cut, stop);
            removedSinceStart += report.versions();
            last = new Round(at, cut, report, null);
            tombstonesRemovedSinceStart += report.tombstonesRemoved();
            log.info("history.retention {}: removed {} closed versions that ended before {} and {} tombstones", retention, report.versions(), cut,
                    report.tombstonesRemoved());
            return report;
        } catch (SyncException e) {
            last = new Round(at, cut, null, e.publicMessage());
            log.warn("history.retention: could not compact the history ({}); trying again in {}", e.getMessage(), EVERY);
            return null;
        }
    }

    /** The body of {@code historyRetention} in {@code /status}: the setting, the last round (when, cut, per type) and the total. */
    public Map<String, Object> state() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("retention", retention.isZero() ? "off" : retention.toString());
        Round round = last;
        view.put("lastRunAt", round == null ? null : round.at().toString());
        view.put("lastCut", round == null ? null : round.cut().toString());
        view.put("lastRemoved", round == null || round.report() == null ? null : round.report().versions());
        if (round != null && round.report() != null) {
            Map<String, Object> byType = new LinkedHashMap<>();
            round.report().types().forEach(t -> byType.merge(t.type(), t.versions(), (a, b) -> (Long) a + (Long) b));
            view.put("lastRemovedByType", byType);
            Map<String, Object> tombstonesByLabel = new LinkedHashMap<>();
            round.report().tombstones().forEach(t -> tombstonesByLabel.put(t.type(), t.versions()));
            view.put("lastTombstonesRemovedByLabel", tombstonesByLabel);
        }
        view.put("lastError", round == null ? null : round.error());
        view.put("removedSinceStart", removedSinceStart);
        view.put("tombstonesRemovedSinceStart", tombstonesRemovedSinceStart);
        return view;
    }

    @Override
    public void stop() {
        stopping = true;
    }
}
