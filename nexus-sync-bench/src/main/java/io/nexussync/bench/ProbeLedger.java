package io.nexussync.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pairs probe writes with the graph reads that first show them, for {@link VisibilityProbe}. Each probe row is written
 * with an increasing sequence number; the graph shows one row's writes in commit order (one entity, one partition), so
 * a read showing number {@code n} on a row makes every probe of that row up to {@code n} visible, including one the
 * graph never showed because a later one overwrote it in the same batch. Thread safe: one writer and one reader call in.
 */
final class ProbeLedger {
    /** One probe: when its commit returned and how long after that the graph showed it (nanoseconds, one clock). */
    record Sample(long committedNanos, long latencyNanos) {}

    private record Pending(long sequence, long committedNanos) {}

    private final List<ArrayDeque<Pending>> pending = new ArrayList<>();
    private final long[] lastCommitted;
    private final long[] highestSeen;
    private final List<Sample> samples = new ArrayList<>();
    private int unresolved;

    ProbeLedger(int rows) {
        for (int i = 0; i < rows; i++) {
            pending.add(new ArrayDeque<>());
        }
        lastCommitted = new long[rows];
        highestSeen = new long[rows];
        Arrays.fill(lastCommitted, -1);
        Arrays.fill(highestSeen, -1);
    }

    /** Probe {@code sequence} on {@code row} committed at {@code atNanos}; a row's sequence numbers must increase. */
    synchronized void committed(int row, long sequence, long atNanos) {
        if (sequence <= lastCommitted[row]) {
            throw new IllegalArgumentException("probe " + sequence + " on row " + row + " after probe " + lastCommitted[row]);
        }
        lastCommitted[row] = sequence;
        if (sequence <= highestSeen[row]) {
            // read before the writer could note its commit: visible within the commit's round trip, counted as 0
            samples.add(new Sample(atNanos, 0));
        } else {
            pending.get(row).addLast(new Pending(sequence, atNanos));
            unresolved++;
        }
    }

    /** A graph read that returned at {@code atNanos} showed probe {@code sequence} on {@code row}. */
    synchronized void seen(int row, long sequence, long atNanos) {
        highestSeen[row] = Math.max(highestSeen[row], sequence);
        ArrayDeque<Pending> queue = pending.get(row);
        while (!queue.isEmpty() && queue.peekFirst().sequence() <= sequence) {
            Pending p = queue.removeFirst();
            samples.add(new Sample(p.committedNanos(), Math.max(0, atNanos - p.committedNanos())));
            unresolved--;
        }
    }

    /** Probes committed and not yet seen in the graph. */
    synchronized int pending() {
        return unresolved;
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Percentiles of the latencies of the probes committed in [{@code fromNanos}, {@code toNanos}). */
    static Percentiles committedBetween(List<Sample> samples, long fromNanos, long toNanos) {
        return Percentiles.of(samples.stream()
                .filter(s -> s.committedNanos() - fromNanos >= 0 && s.committedNanos() - toNanos < 0)
                .mapToLong(s -> s.latencyNanos() / 1_000)
                .toArray());
    }
}
