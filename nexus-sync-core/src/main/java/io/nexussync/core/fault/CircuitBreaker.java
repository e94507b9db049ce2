package io.nexussync.core.fault;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops calling a server that is down, so that the apply workers' retries cost nothing while it is away and
 * status can say since when it is away.
 *
 * <ul>
 *   <li>CLOSED: calls go through. {@code failureThreshold} retryable failures in a row (no success between) open it.</li>
 *   <li>OPEN: calls are rejected at once, without reaching the server, with a retryable {@link CircuitOpenException}
 *       (so the callers' {@link RetryPolicy} loops keep waiting, though not past the probe time, which the rejection
 *       carries), until the probe time: the open's wait, exponential with jitter and a cap ({@link RetryPolicy#backoff}),
 *       one step longer after each failed probe.</li>
 *   <li>HALF_OPEN: from the probe time, exactly one call goes through (the probe); every other caller is still
 *       rejected. Its success closes the circuit; a retryable failure opens it again with a longer wait.</li>
 * </ul>
 *
 * Only retryable failures count, and not lock contention: a persistent {@link SyncException} (a row the server
 * rejects) or a deadlock means the server answered, which is the opposite of an outage, and counts as a success.
 * So does any other exception. Thread-safe; the clock is injected so that tests never sleep.
 */
public final class CircuitBreaker {
    private static final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);

    public enum State { CLOSED, OPEN, HALF_OPEN }

    /**
     * What status and health show.
     *
     * @param since       CLOSED: when it closed (or was created); OPEN and HALF_OPEN: when the target went down
     *                    (the first failure of the run that opened it), kept across failed probes
     * @param lastError   the last retryable failure's public message ({@link SyncException#publicMessage()}: no server
     *                    text, no row value; kept after closing, for the record), or null
     * @param nextProbeAt when OPEN: when the next call may probe; otherwise null
     * @param timesOpened how often it went from CLOSED to OPEN since the start
     */
    public record Status(String target, State state, Instant since, String lastError, Instant nextProbeAt, long timesOpened) {
        public boolean isClosed() {
            return state == State.CLOSED;
        }

        /** For health: "neo4j unreachable since 2026-11-24T23:50:01Z: connection refused"; null when closed. */
        public String reason() {
            return isClosed() ? null : target + " unreachable since " + since + ": " + lastError;
        }
    }

    /** @param failureThreshold retryable failures in a row that open the circuit; firstWait and maxWait bound the wait before a probe */
    public record Settings(int failureThreshold, Duration firstWait, Duration maxWait) {
        public static final Settings DEFAULT = new Settings(3, Duration.ofSeconds(1), Duration.ofSeconds(30));

        public Settings {
            if (failureThreshold < 1) {
                throw new IllegalArgumentException("failureThreshold must be at least 1: " + failureThreshold);
            }
        }
    }

    /** How long a caller rejected while a probe is under way waits at most before it asks again. */
    static final Duration PROBE_POLL = Duration.ofSeconds(1);

    private final String target;
    private final int failureThreshold;
    private final RetryPolicy waits;
    private final Clock clock;

    private State state = State.CLOSED;
    private Instant since;
    private Instant firstFailureAt;
    private int failuresInARow;
    private int failedOpens;
    private Instant nextProbeAt;
    private ErrorText lastError;
    private long timesOpened;
    private volatile Runnable onOpen = () -> { };

    /** @param waits only its {@link RetryPolicy#backoff} is used: the wait before the probe after the n-th open in a row */
    public CircuitBreaker(String target, int failureThreshold, RetryPolicy waits, Clock clock) {
        this.target = target;
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be at least 1: " + failureThreshold);
        }
        this.failureThreshold = failureThreshold;
        this.waits = waits;
        this.clock = clock;
        this.since = clock.instant();
    }

    public static CircuitBreaker of(String target, Settings settings, Clock clock) {
        RetryPolicy waits = new RetryPolicy(settings.firstWait(), settings.maxWait(), 0, d -> { },
                java.util.concurrent.ThreadLocalRandom.current());
        return new CircuitBreaker(target, settings.failureThreshold(), waits, clock);
    }

    public String target() {
        return target;
    }

    /** Runs {@code listener} (on the caller's thread, outside the circuit's lock) each time the circuit opens from closed. */
    public CircuitBreaker onOpen(Runnable listener) {
        this.onOpen = listener;
        return this;
    }

    public synchronized Status status() {
        return new Status(target, state, since, lastError == null ? null : lastError.shown(), state == State.OPEN ? nextProbeAt : null,
                timesOpened);
    }

    public void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    /** Runs {@code action} unless the circuit rejects the call; records how it went. */
    public <T> T call(Supplier<T> action) {
        boolean probe = admit();
        boolean recorded = false;
        try {
            T result = action.get();
            recorded = true;
            answered();
            return result;
        } catch (SyncException failure) {
            recorded = true;
            if (failure.isRetryable() && !failure.isContention()) {
                SyncException thrown = failed(probe, failure);
                if (thrown instanceof CircuitOpenException open && open.openedTheCircuit()) {
                    notifyOpened();
                }
                throw thrown;
            }
            answered();
            throw failure;
        } finally {
            if (!recorded) {
                // Any other exception or error: the server was not shown to be away.
                answered();
            }
        }
    }

    /** @return whether this call is the probe; throws when the circuit rejects it */
    private synchronized boolean admit() {
        switch (state) {
            case CLOSED:
                return false;
            case OPEN:
                Instant now = clock.instant();
                if (now.isBefore(nextProbeAt)) {
                    throw rejection("next probe at " + nextProbeAt, Duration.between(now, nextProbeAt));
                }
                state = State.HALF_OPEN;
                log.info("{}: probing whether it is back (down since {})", target, since);
                return true;
            default:
                throw rejection("a probe is under way", PROBE_POLL);
        }
    }

    private CircuitOpenException rejection(String when, Duration waitAtMost) {
        ErrorText last = lastError == null ? ErrorText.ours("none") : lastError;
        return new CircuitOpenException(target, since, waitAtMost,
                last.after(target + " unreachable since " + since + " (circuit open, " + when + "; last error: ").then(")"));
    }

    private synchronized void answered() {
        failuresInARow = 0;
        if (state != State.CLOSED) {
            Instant now = clock.instant();
            log.warn("{} is reachable again after {} s (down since {}); circuit closed", target,
                    Duration.between(since, now).toSeconds(), since);
            state = State.CLOSED;
            since = now;
            nextProbeAt = null;
        }
    }

    /**
     * @return what the caller gets: the failure itself, or, when it opened the circuit (the last of the threshold, or
     *         a failed probe), the same failure with the next probe time, so that the caller does not sleep past it
     */
    private synchronized SyncException failed(boolean probe, SyncException failure) {
        Instant now = clock.instant();
        lastError = failure.text();
        if (state == State.CLOSED) {
            if (failuresInARow == 0) {
                firstFailureAt = now;
            }
            failuresInARow++;
            if (failuresInARow >= failureThreshold) {
                state = State.OPEN;
                since = firstFailureAt;
                timesOpened++;
                failedOpens = 1;
                nextProbeAt = now.plus(waits.backoff(failedOpens));
                log.warn("{} unreachable since {} ({} failures in a row): circuit open, calls rejected until {}: {}",
                        target, since, failuresInARow, nextProbeAt, lastError.full());
                return opened(now, failure, true);
            }
        } else if (probe) {
            state = State.OPEN;
            failedOpens++;
            nextProbeAt = now.plus(waits.backoff(failedOpens));
            log.warn("{} still unreachable (down since {}): next probe at {}: {}", target, since, nextProbeAt, lastError.full());
            return opened(now, failure, false);
        }
        // A call let in while closed that fails after the circuit opened changes nothing but the last error.
        return failure;
    }

    private CircuitOpenException opened(Instant now, SyncException failure, boolean fromClosed) {
        return new CircuitOpenException(target, since, Duration.between(now, nextProbeAt),
                failure.text().after(target + " unreachable since " + since + " (circuit open, next probe at " + nextProbeAt + "): "), failure,
                fromClosed);
    }

    private void notifyOpened() {
        try {
            onOpen.run();
        } catch (RuntimeException e) {
            log.error("{}: a listener to the circuit opening failed: {}", target, e.getMessage(), e);
        }
    }
}
