package io.nexussync.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of latencies in microseconds (a sorted copy; exact, no histogram). */
record Percentiles(int count, long p50, long p95, long p99, long max) {
    static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0);

    static Percentiles of(long[] micros) {
        if (micros.length == 0) {
            return NONE;
        }
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        return new Percentiles(sorted.length, rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99), sorted[sorted.length - 1]);
    }

    static long rank(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** "| p50 | p95 | p99 | max |" cells in milliseconds, or dashes when there were none. */
    String cells() {
        if (count == 0) {
            return "- | - | - | -";
        }
        return ms(p50) + " | " + ms(p95) + " | " + ms(p99) + " | " + ms(max);
    }

    static String ms(long micros) {
        double ms = micros / 1000.0;
        return ms >= 100 ? String.format("%,.0f", ms) : String.format("%.1f", ms);
    }
}
