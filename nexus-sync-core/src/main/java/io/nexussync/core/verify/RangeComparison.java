package io.nexussync.core.verify;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * Compares one subject's two sides as data-diff does: both read in key order, cut into ranges of consecutive keys,
 * each range summed up on each side as a count and a hash sum; only a range whose digests differ is looked into, key
 * by key, and its differing keys become suspects. Memory holds one range, whatever the table's size.
 *
 * <p>data-diff bisects a differing range again on the servers, because each database hashes its own rows there and
 * only digests cross the network. Neo4j Community has no hash function in Cypher, so the graph's entities stream to
 * verify whatever is done; a differing range is then looked into from the per-key hashes already at hand, with no
 * second read.
 *
 * <p>The two orders may disagree on a rare key (a composite key's text in PostgreSQL and in Neo4j): such a key shows
 * as missing on one side and extra on the other, both become suspects, and the check by key settles them. Order
 * affects speed only, never the result.
 */
final class RangeComparison {

    /** What one comparison saw. */
    record Outcome(long rows, long graphEntities, long ranges, long differingRanges, long suspects) {}

    /** Told after each range: entities compared so far (both sides), ranges done. */
    interface Progress {
        void range(long entities, long ranges);
    }

    private RangeComparison() {}

    static Outcome run(Iterator<EntityImage> rows, Iterator<EntityImage> graph, int rangeSize, Consumer<String> suspect, Progress progress) {
        Peeking left = new Peeking(rows);
        Peeking right = new Peeking(graph);
        long rowCount = 0;
        long graphCount = 0;
        long ranges = 0;
        long differing = 0;
        long suspects = 0;
        List<Entry> range = new ArrayList<>(rangeSize);
        Digest rowDigest = new Digest();
        Digest graphDigest = new Digest();
        while (left.hasNext() || right.hasNext()) {
            Entry entry;
            int order = !left.hasNext() ? 1 : !right.hasNext() ? -1 : EntityKeys.ORDER.compare(left.peek().key(), right.peek().key());
            if (order == 0) {
                entry = new Entry(left.peek().key(), left.next().hash(), right.next().hash());
            } else if (order < 0) {
                entry = new Entry(left.peek().key(), left.next().hash(), 0L);
            } else {
                entry = new Entry(right.peek().key(), 0L, right.next().hash());
            }
            rowCount += entry.rowHash != 0 ? 1 : 0;
            graphCount += entry.graphHash != 0 ? 1 : 0;
            rowDigest.add(entry.rowHash);
            graphDigest.add(entry.graphHash);
            range.add(entry);
            if (range.size() == rangeSize || !(left.hasNext() || right.hasNext())) {
                ranges++;
                if (!rowDigest.equals(graphDigest)) {
                    differing++;
                    for (Entry e : range) {
                        if (e.rowHash != e.graphHash) {
                            suspects++;
                            suspect.accept(e.key);
                        }
                    }
                }
                range.clear();
                rowDigest = new Digest();
                graphDigest = new Digest();
                progress.range(rowCount + graphCount, ranges);
            }
        }
        return new Outcome(rowCount, graphCount, ranges, differing, suspects);
    }

    private record Entry(String key, long rowHash, long graphHash) {}

    /** A range's count and hash sum (wrapping: a sum is order-free, so no sort is needed to compare two ranges). */
    private static final class Digest {
        long count;
        long sum;

        void add(long hash) {
            if (hash != 0) {
                count++;
                sum += hash;
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && d.count == count && d.sum == sum;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(sum);
        }
    }

    private static final class Peeking {
        private final Iterator<EntityImage> source;
        private EntityImage next;

        Peeking(Iterator<EntityImage> source) {
            this.source = source;
        }

        boolean hasNext() {
            return next != null || source.hasNext();
        }

        EntityImage peek() {
            if (next == null) {
                if (!source.hasNext()) {
                    throw new NoSuchElementException();
                }
                next = source.next();
            }
            return next;
        }

        EntityImage next() {
            EntityImage e = peek();
            next = null;
            return e;
        }
    }
}
