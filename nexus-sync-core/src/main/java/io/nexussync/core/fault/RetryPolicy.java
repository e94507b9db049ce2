package io.nexussync.core.fault;

import io.nexussync.core.error.SyncException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter (half the step fixed, half random) and a cap, for retryable {@link SyncException}s only
 * (shortened to what a {@link WaitHint} failure says). The
 * sleeper is injected so tests never sleep. Retries until it succeeds, a non-retryable error, or
 * {@code maxAttempts} (0: no limit, for a service that must outlast an outage).
 */
public final class RetryPolicy {

    /** Sleeps; interruptible, so a stopping service does not wait out a backoff. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * A failure that knows when trying again can first succeed (a circuit breaker's rejection: its next probe):
     * the wait is then the shorter of the backoff and that, so a retry loop that has backed off far does not
     * sleep past the moment the server may be back.
     */
    public interface WaitHint {
        Duration waitAtMost();
    }

    /** Told about each failed attempt before the wait, for the transaction log and the logs. */
    @FunctionalInterface
    public interface RetryListener {
        void retrying(String operation, SyncException failure, int attempt, Duration wait);
    }

    /** The longest wait before retrying a transaction that lost a deadlock or a lock timeout. */
    static final Duration CONTENTION_CAP = Duration.ofSeconds(1);

    private final Duration initial;
    private final Duration cap;
    private final int maxAttempts;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    public RetryPolicy(Duration initial, Duration cap, int maxAttempts, Sleeper sleeper, RandomGenerator random) {
        this.initial = initial;
        this.cap = cap;
        this.maxAttempts = maxAttempts;
        this.sleeper = sleeper;
        this.random = random;
    }

    public static RetryPolicy standard() {
        // ThreadLocalRandom: the apply loop and the after-commit stage retry from different threads.
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), 0,
                d -> Thread.sleep(d.toMillis()), ThreadLocalRandom.current());
    }

    /** The wait before attempt {@code attempt + 1}: uniform in [cap/2, cap] of the exponential step, so waits stay spread. */
    public Duration backoff(int attempt) {
        long ceiling = initial.toMillis() << Math.min(attempt - 1, 20);
        ceiling = Math.min(ceiling <= 0 ? Long.MAX_VALUE : ceiling, cap.toMillis());
        long half = ceiling / 2;
        return Duration.ofMillis(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }

    /** The wait after {@code failure} ended attempt {@code attempt}: the backoff, or what the failure hints when shorter. */
    public Duration waitAfter(SyncException failure, int attempt) {
        Duration wait = backoff(attempt);
        if (failure.isContention() && wait.compareTo(CONTENTION_CAP) > 0) {
            // A deadlock is not an outage: the other transaction is done within moments. Waiting up to the outage cap
            // (30 s) after a few lost deadlocks in a row left a batch starving behind a busy writer (DeadlockIT, once).
            long half = CONTENTION_CAP.toMillis() / 2;
            return Duration.ofMillis(half + random.nextLong(half + 1));
        }
        if (failure instanceof WaitHint hint && hint.waitAtMost().compareTo(wait) < 0) {
            return hint.waitAtMost().isNegative() ? Duration.ZERO : hint.waitAtMost();
        }
        return wait;
    }

    public <T> T call(String operation, Supplier<T> action, RetryListener listener) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (SyncException failure) {
                if (!failure.isRetryable() || (maxAttempts > 0 && attempt >= maxAttempts)) {
                    throw failure;
                }
                Duration wait = waitAfter(failure, attempt);
                listener.retrying(operation, failure, attempt, wait);
                sleeper.sleep(wait);
            }
        }
    }
}
