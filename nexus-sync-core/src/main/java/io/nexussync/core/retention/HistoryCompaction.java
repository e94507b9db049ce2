package io.nexussync.core.retention;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntToLongFunction;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History retention: removes the closed versions of every temporal relationship a mapping declares that ended before a
 * cut, {@link #CHUNK} per graph transaction, looping until none is left, so that a first compaction of a long history
 * neither holds many locks at once nor builds one huge transaction. Used by {@code nexus-sync history compact} and by the
 * service's {@code history.retention} rounds. Current versions are never touched.
 *
 * <h2>Why removing versions that ended before the cut cannot let a replayed or stale change in</h2>
 * The writer's guards ({@code StatementRenderer.openTemporal} / {@code closeTemporal}) judge a change by its pair's
 * versions: an open is skipped when a version began later than the change, or began in the same transaction at the
 * change's row version or later, or the current version is already at it; a close only closes the current version. A
 * removed version was opened and closed by changes the graph has applied, and each of them was applied in the same Neo4j
 * transaction as the checkpoint record that counts it; so a restart replays only changes the checkpoint does not count,
 * which for any one pair all come later in the stream than the ones that wrote its removed versions (the row's lock
 * orders them, so their commit times are no earlier). Such a change's guards read only versions that began at or after
 * its own commit time and the current version, and the current version is never removed; a removed version ended before
 * the cut, so it began no later than the changes still to come for its pair. The one version a still-to-come change can
 * share its commit time with is a version opened and closed inside its own transaction (applied in part before a
 * restart); that version has a lower row version (each UPDATE raises it), so the guard would not have skipped the change
 * for it either. (A row deleted and inserted again inside one transaction restarts at version 1: there the guard, seeing
 * the first version, would skip the second insert, and removing that first version can only let it apply, never let a
 * change in twice.) Hence the cut need not be older than the graph checkpoint's commit time: the checkpoint, not the cut,
 * keeps a replayed change out. What is enforced is that the cut is not in the future ({@link #checkCut}): such a cut is
 * a mistake, and a retention only ever compacts up to now minus its period.
 *
 * <p>Compaction changes no as-of answer at or after the cut: such an instant {@code t} matches a version only when
 * {@code t < validTo}, and every removed version has {@code validTo < cut <= t}.
 *
 * <p>Tombstones (node tables with {@code tombstones: true}) go after the versions, once a tombstone deleted before the cut
 * has no relationship left: its versions all ended by its deletion, so the versions' round has removed them, and nothing
 * at or after the cut could still show it. A tombstone whose row came back meanwhile is a live node again and is kept.
 */
public final class HistoryCompaction {
    /** Versions removed per graph transaction. */
    public static final int CHUNK = 1_000;
    private static final Logger log = LoggerFactory.getLogger(HistoryCompaction.class);

    private final List<RelationshipMapping> temporal;
    private final List<NodeMapping> tombstoning;
    private final java.util.Map<NodeMapping, List<String>> historyTypes;
    private final ClosedVersions versions;
    private final Clock clock;
    private final Duration pause;
    private final CompactionListener listener;

    /**
     * @param pause between two transactions of one type (the stream's batches get the graph in between); zero in tests
     */
    public HistoryCompaction(Mapping mapping, ClosedVersions versions, Clock clock, Duration pause, CompactionListener listener) {
        this.temporal = mapping.relationships().stream().filter(RelationshipMapping::temporal).toList();
        this.tombstoning = mapping.nodes().stream().filter(NodeMapping::tombstones).toList();
        this.historyTypes = new java.util.HashMap<>();
        tombstoning.forEach(node -> historyTypes.put(node, mapping.historyTypes(node.label())));
        this.versions = versions;
        this.clock = clock;
        this.pause = pause;
        this.listener = listener;
    }

    /** The cut of a retention: everything that ended more than {@code retention} ago. */
    public static Instant cutFor(Instant now, Duration retention) {
        if (retention.isZero() || retention.isNegative()) {
            throw new IllegalArgumentException("a history retention must be positive (0 or off keeps everything), not " + retention);
        }
        return now.minus(retention);
    }

    /** A cut that cannot be compacted to, with the reason and the fix. */
    public static final class CutRefused extends IllegalArgumentException {
        CutRefused(String message) {
            super(message);
        }
    }

    /** Refuses a cut later than {@code now}: compaction removes versions that ended before it, and the future has not ended. */
    public static void checkCut(Instant cut, Instant now) {
        if (cut.isAfter(now)) {
            throw new CutRefused(cut + " is in the future (now is " + now + "): give a time in the past, or how long ago (30d)");
        }
    }

    /** The temporal relationships the mapping declares, the ones compaction looks at. */
    public List<RelationshipMapping> temporalRelationships() {
        return temporal;
    }

    /** Counts, per temporal relationship, the closed versions that ended before {@code cut}, and the tombstones; removes nothing. */
    public CompactionReport dryRun(Instant cut) {
        checkCut(cut, clock.instant());
        List<CompactionReport.TypeResult> results = new ArrayList<>();
        for (RelationshipMapping type : temporal) {
            long started = System.nanoTime();
            long count = versions.countEndedBefore(type, cut);
            results.add(result(type.type(), type.table().toString(), count, 0, started));
        }
        List<CompactionReport.TypeResult> tombstones = new ArrayList<>();
        for (NodeMapping node : tombstoning) {
            long started = System.nanoTime();
            long count = versions.countTombstonesBefore(node, historyTypes.get(node), cut);
            tombstones.add(result(node.label(), node.table().toString(), count, 0, started));
        }
        return new CompactionReport(cut, true, results, tombstones, false);
    }

    /**
     * Removes, per temporal relationship, the closed versions that ended before {@code cut}, then per node table that keeps
     * them the tombstones deleted before it: {@link #CHUNK} per transaction until a transaction finds fewer, each type's
     * figures logged. {@code stop} is asked between two transactions.
     */
    public CompactionReport compact(Instant cut, BooleanSupplier stop) throws InterruptedException {
        checkCut(cut, clock.instant());
        List<CompactionReport.TypeResult> results = new ArrayList<>();
        List<CompactionReport.TypeResult> tombstones = new ArrayList<>();
        for (RelationshipMapping type : temporal) {
            if (!drain(type.type(), type.table().toString(), "closed versions", limit -> versions.removeEndedBefore(type, cut, limit), listener::removed, cut, stop, results)) {
                return new CompactionReport(cut, false, results, tombstones, true);
            }
        }
        for (NodeMapping node : tombstoning) {
            if (!drain(node.label(), node.table().toString(), "tombstones", limit -> versions.removeTombstonesBefore(node, cut, limit), listener::tombstonesRemoved, cut, stop, tombstones)) {
                return new CompactionReport(cut, false, results, tombstones, true);
            }
        }
        return new CompactionReport(cut, false, results, tombstones, false);
    }

    /** Removes {@link #CHUNK} at a time until a transaction finds fewer; false when stopped first (what was removed is added). */
    private boolean drain(String type, String table, String what, IntToLongFunction removeChunk, ObjLongConsumer<String> removedListener,
            Instant cut, BooleanSupplier stop,
            List<CompactionReport.TypeResult> results) throws InterruptedException {
        if (stop.getAsBoolean()) {
            return false;
        }
        long started = System.nanoTime();
        long removed = 0;
        int transactions = 0;
        boolean more = true;
        while (more) {
            long n = removeChunk.applyAsLong(CHUNK);
            transactions++;
            removed += n;
            if (n > 0) {
                removedListener.accept(type, n);
            }
            more = n >= CHUNK;
            if (more && stop.getAsBoolean()) {
                results.add(result(type, table, removed, transactions, started));
                log.info("history compaction stopped: {} {} of {} removed so far", removed, what, type);
                return false;
            }
            if (more && !pause.isZero()) {
                Thread.sleep(pause.toMillis());
            }
        }
        CompactionReport.TypeResult result = result(type, table, removed, transactions, started);
        results.add(result);
        log.info("history compaction: removed {} {} of {} ({}) that ended before {} in {} transaction(s), {} ms",
                removed, what, type, table, cut, transactions, result.took().toMillis());
        return true;
    }

    private static CompactionReport.TypeResult result(String type, String table, long removed, int transactions, long started) {
        return new CompactionReport.TypeResult(type, table, removed, transactions, Duration.ofNanos(System.nanoTime() - started));
    }
}
