package io.nexussync.core.deadletter;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.ConsumedAt;
import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.AppliedRanges;
import io.nexussync.core.model.AppliedRanges.Range;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.schedule.Footprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a batch that the graph refused, or that holds changes parked behind a dead letter, so that
 * only the refused changes are lost to the graph: the batch is split in halves (in stream order) until
 * each refused change is alone; everything else lands in order. A refused change becomes a dead letter,
 * and every later change in the batch to its entities is parked behind it. Runs on the batch's worker.
 *
 * <p>Each part commits with a record of every change of the batch handled so far, dead-lettered and parked ones
 * included ({@link Apply}): the stream's worker checkpoint (the batch's base plus those positions,
 * {@link #checkpointAfter}), or a Kafka consumer's offsets (each partition up to its first change not handled yet).
 * Parts go in stream order, so a change is written only once every earlier change of the batch is handled. A
 * dead letter is recorded in PostgreSQL before the graph commit that counts its change as handled; a crash
 * between the two records it again on replay, which the store makes a no-op.
 */
public final class BatchIsolation {
    private static final Logger log = LoggerFactory.getLogger(BatchIsolation.class);

    /**
     * One change of the batch with the stream positions it stands for, and where it was consumed from when it came
     * through Kafka (null when read from the slot).
     */
    public record Entry(SourceChange change, List<Position> positions, ConsumedAt consumedAt) {
        public Entry(SourceChange change, List<Position> positions) {
            this(change, positions, null);
        }
    }

    /** A park the pipeline must apply to its own view: {@code entities} wait behind {@code headId} from {@code from}. */
    public record Park(Set<String> entities, long headId, Position from) {}

    public record Outcome(ApplyResult result, int steps, List<Park> parks, int deadLettered, int parked) {}

    /**
     * Writes one part: {@code plan} with the record of {@code handled} (every change of the batch handled once this part
     * commits, in the order they were handled) in one graph transaction.
     */
    public interface Apply {
        ApplyResult apply(GraphWritePlan plan, List<Entry> handled) throws InterruptedException;
    }

    public interface Record {
        long record(DeadLetter letter) throws InterruptedException;
    }

    private final GraphPlanner planner;
    private final Apply writer;
    private final Record deadLetters;
    private final List<Entry> handled = new ArrayList<>();
    private final List<Park> parks = new ArrayList<>();
    private final List<CrossReference> crossReferences = new ArrayList<>();
    private ParkedEntities parked;
    private long nodeRows;
    private long relationshipRows;
    private int steps;
    private int deadLettered;
    private int parkedChanges;
    /** Something was handled (dead-lettered or parked) that no graph commit has counted yet. */
    private boolean uncounted;

    public BatchIsolation(GraphPlanner planner, Apply writer, Record deadLetters, ParkedEntities parked) {
        this.planner = planner;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.parked = parked;
    }

    /** The stream worker's record after {@code handled}: {@code base} (what was applied before the batch) plus their positions. */
    public static Checkpoint checkpointAfter(Checkpoint base, List<Entry> handled) {
        List<Range> ranges = new ArrayList<>();
        for (Entry entry : handled) {
            for (Position p : entry.positions()) {
                ranges.add(new Range(p, p));
            }
        }
        return new Checkpoint(base.committedEnd(), base.applied().union(AppliedRanges.of(ranges)), base.worker());
    }

    public Outcome run(List<Entry> entries) throws InterruptedException {
        isolate(withoutUnplannable(entries));
        if (uncounted) {
            writer.apply(planner.plan(List.of()), List.copyOf(handled));
        }
        return new Outcome(new ApplyResult(List.copyOf(crossReferences), nodeRows, relationshipRows), steps, List.copyOf(parks),
                deadLettered, parkedChanges);
    }

    private void isolate(List<Entry> entries) throws InterruptedException {
        List<Entry> live = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            Footprint footprint = Footprint.of(planner.mapping(), entry.change().change());
            long head = parked.headFor(footprint, first(entry));
            if (head == 0) {
                live.add(entry);
            } else {
                park(entry, footprint, head);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        try {
            GraphWritePlan plan = plan(live);
            List<Entry> before = List.copyOf(handled);
            handled.addAll(live);
            try {
                ApplyResult result = writer.apply(plan, List.copyOf(handled));
                crossReferences.addAll(result.crossReferences());
                nodeRows += result.nodeRows();
                relationshipRows += result.relationshipRows();
                steps += plan.steps().size();
                uncounted = false;
            } catch (SyncException e) {
                handled.clear();
                handled.addAll(before);
                throw e;
            }
        } catch (SyncException refused) {
            if (!refused.rejectsData()) {
                throw refused;
            }
            if (live.size() == 1) {
                refusedAlone(live.get(0), refused);
            } else {
                int half = live.size() / 2;
                isolate(live.subList(0, half));
                isolate(live.subList(half, live.size()));
            }
        }
    }

    /**
     * Changes the planner refuses on their own (a value without a graph form) are dead letters without a graph
     * round trip: planning is per row and costs microseconds, where halving costs two Neo4j transactions a step.
     */
    private List<Entry> withoutUnplannable(List<Entry> entries) throws InterruptedException {
        List<Entry> plannable = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            try {
                plan(List.of(entry));
                plannable.add(entry);
            } catch (SyncException refused) {
                if (!refused.rejectsData()) {
                    throw refused;
                }
                refusedAlone(entry, refused);
            }
        }
        return plannable;
    }

    private GraphWritePlan plan(List<Entry> entries) {
        try {
            return planner.plan(entries.stream().map(Entry::change).toList());
        } catch (SyncException e) {
            throw e;
        } catch (RuntimeException e) {
            // The planner's own checks (a row image without its key, say) are about the row it was given.
            throw SyncException.rejected(new ErrorText(String.valueOf(e.getMessage()),
                    "the planner cannot plan the change (" + e.getClass().getSimpleName() + "): the dead letter has the details"), e);
        }
    }

    /** A change refused on its own: a dead letter of its own, or parked behind the one its entities already wait behind. */
    private void refusedAlone(Entry entry, SyncException refused) throws InterruptedException {
        Footprint footprint = Footprint.of(planner.mapping(), entry.change().change());
        long head = parked.headFor(footprint, first(entry));
        if (head == 0) {
            deadLetter(entry, footprint, refused);
        } else {
            park(entry, footprint, head);
        }
    }

    private void deadLetter(Entry entry, Footprint footprint, SyncException refused) throws InterruptedException {
        Set<String> entities = footprint == null ? Set.of() : footprint.owns();
        long id = deadLetters.record(new DeadLetter(first(entry), entry.change().change(), entities, refused.getMessage(), 0,
                entry.consumedAt()));
        // The store raises the alert (its compensation); this line ties the dead letter to the stream position.
        log.debug("dead letter #{}: {} at {}: {}", id, describe(entry), first(entry), refused.getMessage());
        deadLettered++;
        parkBehind(entities, id, first(entry));
        handled.add(entry);
        uncounted = true;
    }

    private void park(Entry entry, Footprint footprint, long head) throws InterruptedException {
        Set<String> entities = footprint.owns();
        deadLetters.record(new DeadLetter(first(entry), entry.change().change(), entities, "waits behind dead letter #" + head, head,
                entry.consumedAt()));
        log.warn("{} at {} is parked behind dead letter #{}", describe(entry), first(entry), head);
        parkedChanges++;
        parkBehind(entities, head, first(entry));
        handled.add(entry);
        uncounted = true;
    }

    private void parkBehind(Set<String> entities, long head, Position from) {
        parked = parked.park(entities, head, from);
        parks.add(new Park(entities, head, from));
    }

    private static Position first(Entry entry) {
        return entry.positions().get(0);
    }

    private static String describe(Entry entry) {
        return entry.change().change().getClass().getSimpleName().toLowerCase() + " on "
                + io.nexussync.core.model.RowChange.tableOf(entry.change().change());
    }
}
