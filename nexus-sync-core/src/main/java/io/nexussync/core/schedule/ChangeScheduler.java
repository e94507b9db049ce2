package io.nexussync.core.schedule;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.mapping.Lane;
import io.nexussync.core.mapping.Mapping;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The changes read and not yet handed to a worker, and the rules for cutting them into batches.
 *
 * <ul>
 *   <li><b>Lanes.</b> A batch takes critical changes first, then high, normal, low: a change waits behind
 *       a lower lane's backlog for at most the batches already in flight.</li>
 *   <li><b>Entities.</b> Changes to one entity form one pending item: consecutive upserts coalesce into the
 *       last state as they arrive (so a backlog of updates to hot rows costs one image each), and the item
 *       takes the highest lane of its changes, so a later urgent change carries the earlier ones with it
 *       and never overtakes them.</li>
 *   <li><b>Order.</b> An item goes out together with every pending item it must stay in order with
 *       ({@link Footprint}), and never while an item it conflicts with is in flight: batches in flight at
 *       the same time touch disjoint entities, so parallel workers cannot reorder one entity's changes.
 *       A TRUNCATE is a barrier: what came before it goes first, then it alone, then what came after.</li>
 * </ul>
 * Only the pipeline's thread calls this.
 */
public final class ChangeScheduler {
    private final Mapping mapping;
    private final LaneClassifier lanes;
    private final EnumMap<Lane, TreeMap<Long, Item>> queues = new EnumMap<>(Lane.class);
    private final TreeMap<Long, Item> byAge = new TreeMap<>();
    private final Map<String, List<Item>> owners = new HashMap<>();
    private final Map<String, Set<Item>> pointers = new HashMap<>();
    private final Map<String, Integer> inFlightKeys = new HashMap<>();
    private final Map<Integer, List<Item>> inFlight = new HashMap<>();
    private final TreeMap<Long, Item> barriers = new TreeMap<>();
    private long lastBarrier = -1;
    private long pendingChanges;
    private long pendingBytes;
    private int nextBatchId = 1;
    /** The id of a TRUNCATE's batch while it is in flight (nothing goes beside it), else 0. */
    private int barrierInFlight;
    /** Counts the times entities left flight (a batch done, a critical write's predecessors taken). */
    private long releases;
    /** The newest item enqueued: items are keyed by their first ordinal, so newer ones sort after it. */
    private long lastEnqueued = Long.MIN_VALUE;
    /**
     * What the last {@link #next} that found nothing to take knew: the release count then (-1: no such memo), the newest
     * item it looked at, and its order. Nothing pending it passed over can go before entities leave flight: taking a
     * batch and reading more changes only add to what an item must wait for. So, until a release, a call looks at the
     * items read since, and none when there are none: the loop asks after every burst of changes it reads, and looking
     * past every waiting item each time cost it more than the reading did.
     */
    private long stalledAtRelease = -1;
    private long stalledUpTo;
    private boolean stalledInStreamOrder;
    private Lane stalledLowestLane;
    /** Pending items {@link #next} has looked at as candidates, over its life: what a test of the memo above counts. */
    long candidatesExamined;

    public ChangeScheduler(Mapping mapping, LaneClassifier lanes) {
        this.mapping = mapping;
        this.lanes = lanes;
        for (Lane lane : Lane.values()) {
            queues.put(lane, new TreeMap<>());
        }
    }

    /**
     * Takes a change read from the stream. Returns false when it has no effect on the graph (nothing to
     * schedule: the caller counts it applied).
     */
    public boolean add(SourceChange change, long ordinal, Instant readAt) {
        Footprint footprint = Footprint.of(mapping, change.change());
        if (footprint == null) {
            return false;
        }
        Lane lane = lanes.classify(change.change(), footprint);
        if (footprint.barrier()) {
            Item barrier = new Item(footprint, ordinal, readAt);
            barrier.append(change, ordinal, lane, footprint, false);
            barriers.put(ordinal, barrier);
            lastBarrier = ordinal;
            enqueue(barrier);
            return true;
        }
        Item item = footprint.owns().size() == 1 ? latestOwner(footprint.primary()) : null;
        if (item == null || item.firstOrdinal < lastBarrier) {
            item = new Item(footprint, ordinal, readAt);
            item.append(change, ordinal, lane, footprint, coalescable(change, footprint));
            index(item, footprint);
            enqueue(item);
        } else {
            Lane before = item.lane;
            long bytesBefore = item.bytes;
            item.append(change, ordinal, lane, footprint, coalescable(change, footprint));
            index(item, footprint);
            pendingBytes += item.bytes - bytesBefore;
            pendingChanges++;
            if (item.lane != before) {
                queues.get(before).remove(item.firstOrdinal);
                queues.get(item.lane).put(item.firstOrdinal, item);
            }
        }
        return true;
    }

    /**
     * The next change to each of {@code entities} must not merge into the pending ones: they were read before a
     * dead letter's release and still wait behind it, the next ones come after it and apply.
     */
    public void keepApart(Set<String> entities) {
        for (String entity : entities) {
            Item item = latestOwner(entity);
            if (item != null) {
                item.lastCoalescable = false;
            }
        }
    }

    /** Upserts that keep their key may merge, except into a temporal relationship, whose every version is history. */
    private boolean coalescable(SourceChange change, Footprint footprint) {
        if (footprint.deletes() || change.change() instanceof RowChange.Delete) {
            return false;
        }
        return mapping.relationship(RowChange.tableOf(change.change())).map(r -> !r.temporal()).orElse(true);
    }

    /**
     * The next batch: up to {@code maxChanges} graph writes (an entity's coalesced upserts count once, however many
     * stream changes they hold: what the graph's transaction costs) and about {@code maxBytes}, highest lane first,
     * or null when nothing pending may go now (empty, or everything waits for a batch in flight).
     *
     * @param inStreamOrder take the oldest pending changes whatever their lane (when the checkpoint has become
     *                      too fragmented to carry more changes applied out of order)
     */
    public ScheduledBatch next(int maxChanges, long maxBytes, boolean inStreamOrder) {
        return next(maxChanges, maxBytes, inStreamOrder, Lane.LOW);
    }

    /**
     * As {@link #next(int, long, boolean)}, taking items of {@code lowestLane} or a higher lane only (and what they
     * must go with, whatever its lane): the urgent part of what is pending, while the rest waits for more reading.
     */
    public ScheduledBatch next(int maxChanges, long maxBytes, boolean inStreamOrder, Lane lowestLane) {
        if (byAge.isEmpty() || barrierInFlight != 0) {
            return null;
        }
        Long barrier = barriers.isEmpty() ? null : barriers.firstKey();
        if (barrier != null && byAge.firstKey().equals(barrier)) {
            return inFlight.isEmpty() ? take(new ArrayList<>(List.of(barriers.get(barrier)))) : null;
        }
        boolean stalled = stalledAtRelease == releases && stalledInStreamOrder == inStreamOrder && stalledLowestLane == lowestLane;
        if (stalled && (inStreamOrder || lastEnqueued <= stalledUpTo)) {
            return null;
        }
        long readAfter = stalled ? stalledUpTo : Long.MIN_VALUE;
        Set<Item> chosen = new LinkedHashSet<>();
        long changes = 0;
        long bytes = 0;
        Iterable<TreeMap<Long, Item>> order = inStreamOrder ? List.of(byAge) : lanesFrom(lowestLane);
        outer:
        for (TreeMap<Long, Item> queue : order) {
            for (Item candidate : queue.tailMap(readAfter, false).values()) {
                if (changes >= maxChanges || bytes >= maxBytes) {
                    break outer;
                }
                if (barrier != null && candidate.firstOrdinal >= barrier) {
                    break;
                }
                if (chosen.contains(candidate)) {
                    continue;
                }
                candidatesExamined++;
                Set<Item> group = closure(candidate, barrier);
                if (group == null) {
                    if (inStreamOrder) {
                        break outer;
                    }
                    continue;
                }
                group.removeAll(chosen);
                long groupChanges = group.stream().mapToLong(i -> i.changes.size()).sum();
                if (!chosen.isEmpty() && changes + groupChanges > maxChanges) {
                    continue;
                }
                chosen.addAll(group);
                changes += groupChanges;
                bytes += group.stream().mapToLong(i -> i.bytes).sum();
            }
        }
        if (chosen.isEmpty()) {
            stalledAtRelease = releases;
            stalledUpTo = lastEnqueued;
            stalledInStreamOrder = inStreamOrder;
            stalledLowestLane = lowestLane;
            return null;
        }
        return take(new ArrayList<>(chosen));
    }

    /**
     * The pending changes a transaction read after all of them, touching {@code footprints}, must follow: every
     * pending item of an entity it writes, the pending deletes of nodes it points at, the pending pointers to nodes it
     * deletes, and what those in turn must go with. Taken as one batch, or null when none is pending. For a critical
     * write, which goes ahead of everything else: call it with no batch in flight and no barrier pending
     * ({@link #hasPendingBarrier}).
     */
    public ScheduledBatch takeFollowed(List<Footprint> footprints) {
        if (footprints.isEmpty() || byAge.isEmpty()) {
            return null;
        }
        Item probe = new Item(footprints.get(0), Long.MAX_VALUE, null);
        for (Footprint footprint : footprints) {
            probe.owns.addAll(footprint.owns());
            probe.refs.addAll(footprint.refs());
            probe.deletes |= footprint.deletes();
        }
        Set<Item> group = closure(probe, null);
        if (group == null) {
            throw new IllegalStateException("a critical write's predecessors were taken while a batch touching them is in flight");
        }
        group.remove(probe);
        if (group.isEmpty()) {
            return null;
        }
        releases++;
        return take(new ArrayList<>(group));
    }

    /** True when a TRUNCATE waits: everything read before it goes first, so nothing may be taken around it. */
    public boolean hasPendingBarrier() {
        return !barriers.isEmpty();
    }

    /** The batch committed (or was given up): its entities are free for the next batches. */
    public void done(ScheduledBatch batch) {
        releases++;
        List<Item> items = inFlight.remove(batch.id());
        if (barrierInFlight == batch.id()) {
            barrierInFlight = 0;
        }
        if (items == null) {
            return;
        }
        for (Item item : items) {
            for (String key : item.keys()) {
                inFlightKeys.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    public boolean isEmpty() {
        return byAge.isEmpty();
    }

    public long pendingChanges() {
        return pendingChanges;
    }

    /** Estimated heap held by pending changes. */
    public long pendingBytes() {
        return pendingBytes;
    }

    /** When the oldest pending change was read, or null when none is pending. */
    public Instant oldestReadAt() {
        return byAge.isEmpty() ? null : byAge.firstEntry().getValue().readAt;
    }

    /** PostgreSQL's commit time of the oldest pending change, or null when none is pending. */
    public Instant oldestPendingCommittedAt() {
        return byAge.isEmpty() ? null : byAge.firstEntry().getValue().committedAt.get(0);
    }

    /** True when an item of {@code lane} or a higher lane is pending. */
    public boolean hasPendingAtOrAbove(Lane lane) {
        for (Lane l : Lane.values()) {
            if (l.compareTo(lane) > 0) {
                return false;
            }
            if (!queues.get(l).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private List<TreeMap<Long, Item>> lanesFrom(Lane lowestLane) {
        List<TreeMap<Long, Item>> from = new ArrayList<>(Lane.values().length);
        for (Lane lane : Lane.values()) {
            if (lane.compareTo(lowestLane) <= 0) {
                from.add(queues.get(lane));
            }
        }
        return from;
    }

    /** Pending stream changes per lane (a coalesced item counts all the changes it holds, in its lane). */
    public Map<Lane, Long> pendingByLane() {
        Map<Lane, Long> counts = new EnumMap<>(Lane.class);
        queues.forEach((lane, queue) -> counts.put(lane, queue.values().stream().mapToLong(i -> i.ordinals.size).sum()));
        return counts;
    }

    /**
     * {@code candidate} and every pending item it must go with, or null when one of them conflicts with a batch
     * in flight or lies beyond a pending barrier.
     */
    private Set<Item> closure(Item candidate, Long barrier) {
        Set<Item> group = new LinkedHashSet<>();
        ArrayDeque<Item> work = new ArrayDeque<>();
        work.add(candidate);
        group.add(candidate);
        while (!work.isEmpty()) {
            Item item = work.poll();
            if ((barrier != null && item.firstOrdinal > barrier) || conflictsInFlight(item)) {
                return null;
            }
            for (String own : item.owns) {
                for (Item other : owners.getOrDefault(own, List.of())) {
                    if (group.add(other)) {
                        work.add(other);
                    }
                }
                if (item.deletes) {
                    for (Item other : pointers.getOrDefault(own, Set.of())) {
                        if (group.add(other)) {
                            work.add(other);
                        }
                    }
                }
            }
            for (String ref : item.refs) {
                for (Item other : owners.getOrDefault(ref, List.of())) {
                    if (other.deletes && group.add(other)) {
                        work.add(other);
                    }
                }
            }
        }
        return group;
    }

    private boolean conflictsInFlight(Item item) {
        if (inFlightKeys.isEmpty()) {
            return false;
        }
        for (String key : item.keys()) {
            if (inFlightKeys.containsKey(key)) {
                return true;
            }
        }
        return false;
    }

    private ScheduledBatch take(List<Item> items) {
        int id = nextBatchId++;
        if (nextBatchId == Integer.MAX_VALUE) {
            nextBatchId = 1;
        }
        record Entry(long ordinal, SourceChange change, long[] covered) {}
        List<Entry> entries = new ArrayList<>();
        int total = 0;
        for (Item item : items) {
            total += item.ordinals.size;
        }
        long[] ordinals = new long[total];
        Lane[] laneOf = new Lane[total];
        Instant[] committedAt = new Instant[total];
        int n = 0;
        Lane highest = Lane.LOW;
        boolean barrier = false;
        items.sort(Comparator.comparingLong(i -> i.firstOrdinal));
        for (Item item : items) {
            unlink(item);
            int from = 0;
            for (int i = 0; i < item.changes.size(); i++) {
                long last = item.changeOrdinals.get(i);
                int to = from;
                while (to < item.ordinals.size && item.ordinals.values[to] <= last) {
                    to++;
                }
                entries.add(new Entry(last, item.changes.get(i), Arrays.copyOfRange(item.ordinals.values, from, to)));
                from = to;
            }
            for (int i = 0; i < item.ordinals.size; i++) {
                ordinals[n] = item.ordinals.values[i];
                laneOf[n] = item.laneOfOrdinal.get(i);
                committedAt[n] = item.committedAt.get(i);
                n++;
            }
            if (item.lane.compareTo(highest) < 0) {
                highest = item.lane;
            }
            barrier |= item.barrier;
            for (String key : item.keys()) {
                inFlightKeys.merge(key, 1, Integer::sum);
            }
        }
        entries.sort(Comparator.comparingLong(Entry::ordinal));
        inFlight.put(id, items);
        if (barrier) {
            barrierInFlight = id;
        }
        return new ScheduledBatch(id, entries.stream().map(Entry::change).toList(), entries.stream().map(Entry::covered).toList(),
                ordinals, laneOf, committedAt, highest, barrier);
    }

    private void enqueue(Item item) {
        lastEnqueued = Math.max(lastEnqueued, item.firstOrdinal);
        queues.get(item.lane).put(item.firstOrdinal, item);
        byAge.put(item.firstOrdinal, item);
        pendingChanges += item.ordinals.size;
        pendingBytes += item.bytes;
    }

    private void unlink(Item item) {
        queues.get(item.lane).remove(item.firstOrdinal);
        byAge.remove(item.firstOrdinal);
        if (item.barrier) {
            barriers.remove(item.firstOrdinal);
        }
        for (String own : item.owns) {
            List<Item> list = owners.get(own);
            if (list != null) {
                list.remove(item);
                if (list.isEmpty()) {
                    owners.remove(own);
                }
            }
        }
        for (String ref : item.refs) {
            Set<Item> set = pointers.get(ref);
            if (set != null) {
                set.remove(item);
                if (set.isEmpty()) {
                    pointers.remove(ref);
                }
            }
        }
        pendingChanges -= item.ordinals.size;
        pendingBytes -= item.bytes;
    }

    private Item latestOwner(String key) {
        List<Item> list = owners.get(key);
        return list == null || list.isEmpty() ? null : list.get(list.size() - 1);
    }

    private void index(Item item, Footprint footprint) {
        for (String own : footprint.owns()) {
            List<Item> list = owners.computeIfAbsent(own, k -> new ArrayList<>(1));
            if (!list.contains(item)) {
                list.add(item);
            }
        }
        for (String ref : footprint.refs()) {
            pointers.computeIfAbsent(ref, k -> new HashSet<>()).add(item);
        }
    }

    /** The pending changes to one entity (or a TRUNCATE), in stream order. */
    private static final class Item {
        final long firstOrdinal;
        final Instant readAt;
        final boolean barrier;
        final Set<String> owns = new LinkedHashSet<>(2);
        final Set<String> refs = new LinkedHashSet<>(2);
        final List<SourceChange> changes = new ArrayList<>(1);
        /** The ordinal each entry of {@code changes} sorts by in its batch: its last stream change's. */
        final List<Long> changeOrdinals = new ArrayList<>(1);
        final LongList ordinals = new LongList();
        final List<Lane> laneOfOrdinal = new ArrayList<>(1);
        final List<Instant> committedAt = new ArrayList<>(1);
        Lane lane = Lane.LOW;
        boolean deletes;
        boolean lastCoalescable;
        long bytes;
        /** {@link Sizes#of} the last entry of {@code changes}: what a coalescing append takes off again. */
        long lastChangeBytes;

        Item(Footprint footprint, long firstOrdinal, Instant readAt) {
            this.bytes = Sizes.PER_ITEM;
            this.firstOrdinal = firstOrdinal;
            this.readAt = readAt;
            this.barrier = footprint.barrier();
        }

        Set<String> keys() {
            if (refs.isEmpty()) {
                return owns;
            }
            Set<String> keys = new HashSet<>(owns);
            keys.addAll(refs);
            return keys;
        }

        /** @param coalescable an upsert that may merge into an upsert just before it (not for temporal relationships: each version is history) */
        void append(SourceChange change, long ordinal, Lane changeLane, Footprint footprint, boolean coalescable) {
            owns.addAll(footprint.owns());
            refs.addAll(footprint.refs());
            deletes |= footprint.deletes();
            if (changeLane.compareTo(lane) < 0) {
                lane = changeLane;
            }
            ordinals.add(ordinal);
            laneOfOrdinal.add(changeLane);
            committedAt.add(change.commitTime());
            int last = changes.size() - 1;
            SourceChange merged = coalescable && last >= 0 && lastCoalescable ? coalesce(changes.get(last), change) : null;
            lastCoalescable = coalescable;
            if (merged != null) {
                bytes -= lastChangeBytes;
                changes.set(last, merged);
                changeOrdinals.set(last, ordinal);
            } else {
                changes.add(change);
                changeOrdinals.add(ordinal);
            }
            lastChangeBytes = Sizes.of(changes.get(changes.size() - 1));
            bytes += lastChangeBytes + Sizes.PER_ORDINAL;
        }

        /**
         * An upsert after an upsert of the same row, neither moving its key, is the later image (with unchanged
         * TOAST values taken from the earlier one); null when the two must stay apart.
         */
        private static SourceChange coalesce(SourceChange earlier, SourceChange later) {
            Map<String, Object> earlierRow = upsertRow(earlier.change());
            Map<String, Object> laterRow = upsertRow(later.change());
            if (earlierRow == null || laterRow == null) {
                return null;
            }
            return new SourceChange(new RowChange.Update(RowChange.tableOf(later.change()), null, Unchanged.keepFrom(earlierRow, laterRow)),
                    later.txFinalLsn(), later.commitTime());
        }

        private static Map<String, Object> upsertRow(RowChange change) {
            if (change instanceof RowChange.Insert insert) {
                return insert.newValues();
            }
            if (change instanceof RowChange.Update update) {
                return update.newValues();
            }
            return null;
        }

    }

    /** A growable array of longs, to keep ordinals off the boxed-object heap. */
    static final class LongList {
        long[] values = new long[1];
        int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }
}
