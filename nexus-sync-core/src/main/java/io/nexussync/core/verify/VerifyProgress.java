package io.nexussync.core.verify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Where a verify run is, for the console, {@code status} and {@code /status}: the table being compared, ranges and
 * entities done, the rate, and the time left at that rate (from the tables' estimated sizes). Written by the run's
 * thread, read by any.
 */
public final class VerifyProgress {
    private final Clock clock;
    private volatile Snapshot current;

    /**
     * @param running      false once the run has ended (the snapshot then holds its final figures)
     * @param entitiesTotal an estimate: rows plus graph entities of every subject of the run
     */
    public record Snapshot(boolean running, String table, long ranges, long entities, long entitiesTotal, Instant startedAt,
                           double entitiesPerSecond, Duration timeLeft, long suspects, long findings) {}

    public VerifyProgress(Clock clock) {
        this.clock = clock;
    }

    /** The latest figures, or null when no run has started since the service did. */
    public Snapshot snapshot() {
        return current;
    }

    void started(long entitiesTotal) {
        current = new Snapshot(true, null, 0, 0, entitiesTotal, clock.instant(), 0, null, 0, 0);
    }

    void at(String table, long ranges, long entities, long suspects, long findings) {
        Snapshot s = current;
        double seconds = Math.max(0.001, Duration.between(s.startedAt(), clock.instant()).toMillis() / 1000.0);
        double rate = entities / seconds;
        Duration left = rate <= 0 ? null : Duration.ofMillis((long) (Math.max(0, s.entitiesTotal() - entities) / rate * 1000));
        current = new Snapshot(true, table, ranges, entities, Math.max(s.entitiesTotal(), entities), s.startedAt(), rate, left, suspects, findings);
    }

    void ended(long findings) {
        Snapshot s = current;
        current = new Snapshot(false, null, s.ranges(), s.entities(), s.entities(), s.startedAt(), s.entitiesPerSecond(), Duration.ZERO,
                s.suspects(), findings);
    }

    /** One line for the console. */
    public static String describe(Snapshot s) {
        if (s == null) {
            return "no verify run yet";
        }
        String left = s.timeLeft() == null ? "?" : s.timeLeft().toSeconds() + " s";
        return (s.running() ? "verifying" + (s.table() == null ? "" : " " + s.table()) : "verify done") + ": " + s.ranges() + " ranges, "
                + s.entities() + " of ~" + s.entitiesTotal() + " entities, " + Math.round(s.entitiesPerSecond()) + "/s"
                + (s.running() ? ", " + left + " left" : "") + ", " + s.suspects() + " suspects, " + s.findings() + " findings";
    }
}
