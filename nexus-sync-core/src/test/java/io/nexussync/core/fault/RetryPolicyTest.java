package io.nexussync.core.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration CAP = Duration.ofSeconds(5);

    private final List<Duration> slept = new ArrayList<>();
    private final List<Integer> retried = new ArrayList<>();

    @Test
    void shouldDoubleStepUntilCap() {
        RetryPolicy highest = policy(0, new FixedRandom(true));
        RetryPolicy lowest = policy(0, new FixedRandom(false));

        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8).stream().map(highest::backoff).map(Duration::toMillis))
                .containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L);
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8).stream().map(lowest::backoff).map(Duration::toMillis))
                .containsExactly(50L, 100L, 200L, 400L, 800L, 1600L, 2500L, 2500L);
    }

    @Test
    void shouldStayWithinHalfStepAndStep() {
        RetryPolicy policy = policy(0, new Random(42));

        for (int attempt = 1; attempt <= 40; attempt++) {
            long step = Math.min(INITIAL.toMillis() << Math.min(attempt - 1, 20), CAP.toMillis());
            for (int sample = 0; sample < 200; sample++) {
                assertThat(policy.backoff(attempt).toMillis()).as("attempt %d", attempt).isBetween(step / 2, step);
            }
        }
    }

    @Test
    void shouldStayAtCapForVeryManyAttempts() {
        RetryPolicy policy = policy(0, new FixedRandom(true));

        assertThat(policy.backoff(1_000).toMillis()).isEqualTo(CAP.toMillis());
        assertThat(policy.backoff(Integer.MAX_VALUE).toMillis()).isEqualTo(CAP.toMillis());
    }

    @Test
    void shouldRetryRetryableFailureUntilItSucceeds() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();

        String result = policy(0, new FixedRandom(true)).call("apply", () -> {
            if (calls.incrementAndGet() < 4) {
                throw SyncException.retryable("connection lost", null);
            }
            return "done";
        }, (operation, failure, attempt, wait) -> retried.add(attempt));

        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(4);
        assertThat(retried).containsExactly(1, 2, 3);
        assertThat(slept).extracting(Duration::toMillis).containsExactly(100L, 200L, 400L);
    }

    @Test
    void shouldNotRetryPersistentFailure() {
        AtomicInteger calls = new AtomicInteger();
        SyncException persistent = SyncException.persistent("constraint violated", null);

        assertThatThrownBy(() -> policy(0, new FixedRandom(true)).call("apply", () -> {
            calls.incrementAndGet();
            throw persistent;
        }, (operation, failure, attempt, wait) -> retried.add(attempt))).isSameAs(persistent);

        assertThat(calls).hasValue(1);
        assertThat(retried).isEmpty();
        assertThat(slept).isEmpty();
    }

    @Test
    void shouldNotCatchOtherExceptions() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy(0, new FixedRandom(true)).call("apply", () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("bug");
        }, (operation, failure, attempt, wait) -> retried.add(attempt))).isInstanceOf(IllegalStateException.class);

        assertThat(calls).hasValue(1);
    }

    @Test
    void shouldGiveUpAfterMaxAttempts() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy(3, new FixedRandom(true)).call("apply", () -> {
            throw SyncException.retryable("timeout " + calls.incrementAndGet(), null);
        }, (operation, failure, attempt, wait) -> retried.add(attempt)))
                .isInstanceOf(SyncException.class)
                .hasMessage("timeout 3");

        assertThat(calls).hasValue(3);
        assertThat(retried).containsExactly(1, 2);
        assertThat(slept).hasSize(2);
    }

    @Test
    void shouldTellListenerWhatFailedAndHowLongItWaits() throws InterruptedException {
        List<String> told = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();

        policy(0, new FixedRandom(true)).call("write-back", () -> {
            if (calls.incrementAndGet() == 1) {
                throw SyncException.retryable("deadlock", null);
            }
            return null;
        }, (operation, failure, attempt, wait) -> told.add(operation + " " + failure.getMessage() + " " + attempt + " " + wait.toMillis()));

        assertThat(told).containsExactly("write-back deadlock 1 100");
    }

    @Test
    void shouldStopRetryingWhenSleepIsInterrupted() {
        RetryPolicy policy = new RetryPolicy(INITIAL, CAP, 0, d -> {
            throw new InterruptedException();
        }, new FixedRandom(true));

        assertThatThrownBy(() -> policy.call("apply", () -> {
            throw SyncException.retryable("down", null);
        }, (operation, failure, attempt, wait) -> {})).isInstanceOf(InterruptedException.class);
    }

    private RetryPolicy policy(int maxAttempts, RandomGenerator random) {
        return new RetryPolicy(INITIAL, CAP, maxAttempts, slept::add, random);
    }

    /** Always draws the top or the bottom of the range, so the jitter's bounds can be checked exactly. */
    @Test
    void shouldWaitNoLongerThanAFailureHintsWhenThatIsShorterThanTheBackoff() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = policy(0, new FixedRandom(true));

        policy.call("apply", () -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                throw new HintedFailure(Duration.ofMillis(30)); // shorter than the 100 ms backoff
            }
            if (call == 2) {
                throw new HintedFailure(Duration.ofSeconds(4)); // longer than the 200 ms backoff
            }
            return "done";
        }, (operation, failure, attempt, wait) -> { });

        assertThat(slept).containsExactly(Duration.ofMillis(30), Duration.ofMillis(200));
    }

    private static final class HintedFailure extends SyncException implements RetryPolicy.WaitHint {
        private final Duration hint;

        HintedFailure(Duration hint) {
            super("circuit open", null, true);
            this.hint = hint;
        }

        @Override
        public Duration waitAtMost() {
            return hint;
        }
    }

    private record FixedRandom(boolean highest) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("the policy draws only bounded values");
        }

        @Override
        public long nextLong(long bound) {
            return highest ? bound - 1 : 0;
        }
    }

    @Test
    void shouldWaitAtMostASecondAfterLosingADeadlockWhateverTheAttempt() {
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), 0, d -> { }, new java.util.Random(3));
        SyncException deadlock = SyncException.contention("deadlock", null);
        SyncException outage = SyncException.retryable("connection refused", null);

        for (int attempt = 1; attempt <= 20; attempt++) {
            assertThat(policy.waitAfter(deadlock, attempt)).isLessThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(policy.waitAfter(outage, 12)).isGreaterThan(Duration.ofSeconds(1));
    }
}
