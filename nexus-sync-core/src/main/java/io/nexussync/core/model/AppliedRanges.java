package io.nexussync.core.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Changes applied ahead of a checkpoint's committed end, as inclusive ranges of stream positions: a
 * range claims every change the stream holds between its two ends. Lanes and parallel workers apply
 * changes out of stream order; these ranges are how a restart knows which of the replayed changes are
 * already in the graph. Immutable; ranges sorted and not overlapping.
 */
public final class AppliedRanges {
    public static final AppliedRanges EMPTY = new AppliedRanges(List.of());

    /** One inclusive range of stream positions. */
    public record Range(Position from, Position to) {
        public Range {
            if (to.compareTo(from) < 0) {
                throw new IllegalArgumentException("range ends before it starts: " + from + ".." + to);
            }
        }

        boolean contains(Position p) {
            return p.compareTo(from) >= 0 && p.compareTo(to) <= 0;
        }
    }

    private final List<Range> ranges;

    private AppliedRanges(List<Range> ranges) {
        this.ranges = ranges;
    }

    /** Sorts and merges {@code ranges} (overlapping ones, and ones that continue each other inside one transaction). */
    public static AppliedRanges of(List<Range> ranges) {
        if (ranges.isEmpty()) {
            return EMPTY;
        }
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing(Range::from));
        List<Range> merged = new ArrayList<>();
        Range open = sorted.get(0);
        for (int i = 1; i < sorted.size(); i++) {
            Range next = sorted.get(i);
            if (next.from().compareTo(open.to()) <= 0 || continues(open.to(), next.from())) {
                open = new Range(open.from(), next.to().compareTo(open.to()) > 0 ? next.to() : open.to());
            } else {
                merged.add(open);
                open = next;
            }
        }
        merged.add(open);
        return new AppliedRanges(List.copyOf(merged));
    }

    /** The first {@code changes} changes of the transaction at {@code tx} (the form checkpoints had before lanes). */
    public static AppliedRanges prefixOf(Lsn tx, long changes) {
        return tx.isValid() && changes > 0 ? of(List.of(new Range(new Position(tx, 0), new Position(tx, changes - 1)))) : EMPTY;
    }

    private static boolean continues(Position end, Position start) {
        return end.tx().equals(start.tx()) && end.index() + 1 == start.index();
    }

    public boolean contains(Position p) {
        int low = 0;
        int high = ranges.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            Range r = ranges.get(mid);
            if (p.compareTo(r.from()) < 0) {
                high = mid - 1;
            } else if (p.compareTo(r.to()) > 0) {
                low = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    public AppliedRanges union(AppliedRanges other) {
        if (other.ranges.isEmpty()) {
            return this;
        }
        List<Range> all = new ArrayList<>(ranges);
        all.addAll(other.ranges);
        return of(all);
    }

    /** Drops what lies wholly in transactions before {@code committedEnd}: the checkpoint covers those anyway. */
    public AppliedRanges after(Lsn committedEnd) {
        if (ranges.isEmpty() || !committedEnd.isValid()) {
            return this;
        }
        List<Range> kept = ranges.stream().filter(r -> !r.to().tx().isBefore(committedEnd)).toList();
        return kept.size() == ranges.size() ? this : new AppliedRanges(kept);
    }

    public List<Range> ranges() {
        return ranges;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** {@code tx#i-tx#j,...} with positions as {@code hex LSN value:index}; what {@link #parse} reads. */
    public String encode() {
        StringBuilder text = new StringBuilder();
        for (Range r : ranges) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(Long.toHexString(r.from().tx().value())).append(':').append(r.from().index()).append('-')
                    .append(Long.toHexString(r.to().tx().value())).append(':').append(r.to().index());
        }
        return text.toString();
    }

    public static AppliedRanges parse(String text) {
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        List<Range> ranges = new ArrayList<>();
        for (String range : text.split(",")) {
            String[] ends = range.split("-");
            if (ends.length != 2) {
                throw new IllegalArgumentException("not an applied range (expected tx:i-tx:j): " + range);
            }
            ranges.add(new Range(position(ends[0]), position(ends[1])));
        }
        return of(ranges);
    }

    private static Position position(String text) {
        String[] parts = text.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("not a stream position (expected hexLsn:index): " + text);
        }
        return new Position(Lsn.of(Long.parseUnsignedLong(parts[0], 16)), Long.parseLong(parts[1]));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppliedRanges other && ranges.equals(other.ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        return ranges.isEmpty() ? "[]" : ranges.stream().map(r -> r.from() + ".." + r.to()).toList().toString();
    }
}
