package io.nexussync.core.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CircuitBreaker.State;
import io.nexussync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Every transition of the circuit, under a clock the test moves (nothing sleeps). */
class CircuitBreakerTest {
    static final Instant T0 = Instant.parse("2026-11-24T23:50:01Z");
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock(T0);
    private final AtomicInteger reached = new AtomicInteger();
    /** With the highest draw the waits are exactly 1 s, 2 s, 4 s, ... capped at 30 s. */
    private final CircuitBreaker circuit = new CircuitBreaker("neo4j", 3, waits(true), clock);

    @Test
    void shouldStayClosedBelowTheThreshold() {
        fail(2);

        assertThat(circuit.status().state()).isEqualTo(State.CLOSED);
        assertThat(succeed()).isEqualTo("ok");
        assertThat(reached).hasValue(3);
    }

    @Test
    void shouldOpenAfterTheThresholdOfRetryableFailuresInARow() {
        fail(1);
        clock.advance(Duration.ofMillis(300));
        fail(2);

        CircuitBreaker.Status status = circuit.status();
        assertThat(status.state()).isEqualTo(State.OPEN);
        assertThat(status.since()).as("down since the first failure of the run").isEqualTo(T0);
        assertThat(status.nextProbeAt()).isEqualTo(T0.plusMillis(300).plus(FIRST_WAIT));
        assertThat(status.timesOpened()).isEqualTo(1);
        assertThat(status.lastError()).isEqualTo("connection refused");
        assertThat(status.reason()).isEqualTo("neo4j unreachable since 2026-11-24T23:50:01Z: connection refused");
    }

    @Test
    void shouldTellTheCallerWhoseFailureOpenedItOrFailedTheProbeToWaitOnlyUntilTheNextProbe() {
        fail(2);
        clock.advance(Duration.ofMillis(100));

        assertThatThrownBy(() -> circuit.call(this::refused)).isInstanceOfSatisfying(CircuitOpenException.class, opened -> {
            assertThat(opened.reachedTarget()).isTrue();
            assertThat(opened.getCause()).hasMessage("connection refused");
            assertThat(opened.waitAtMost()).isEqualTo(FIRST_WAIT);
            assertThat(opened.isRetryable()).isTrue();
        });
        clock.advance(Duration.ofMillis(400));
        assertThatThrownBy(this::succeed).isInstanceOfSatisfying(CircuitOpenException.class, rejected -> {
            assertThat(rejected.reachedTarget()).isFalse();
            assertThat(rejected.waitAtMost()).as("until the probe time").isEqualTo(Duration.ofMillis(600));
        });
        clock.advance(Duration.ofMillis(600));
        assertThatThrownBy(() -> circuit.call(this::refused)).isInstanceOfSatisfying(CircuitOpenException.class, probeFailed ->
                assertThat(probeFailed.waitAtMost()).as("the second wait").isEqualTo(Duration.ofSeconds(2)));
    }

    @Test
    void shouldTellCallersRejectedDuringAProbeToAskAgainSoon() {
        fail(3);
        clock.advance(FIRST_WAIT);

        circuit.call(() -> {
            assertThatThrownBy(this::succeed).isInstanceOfSatisfying(CircuitOpenException.class,
                    rejected -> assertThat(rejected.waitAtMost()).isEqualTo(CircuitBreaker.PROBE_POLL));
            return "probe";
        });
    }

    @Test
    void shouldTellItsListenerEachTimeItOpensFromClosedOnly() {
        AtomicInteger opened = new AtomicInteger();
        circuit.onOpen(opened::incrementAndGet);

        fail(3);
        assertThat(opened).hasValue(1);
        clock.advance(FIRST_WAIT);
        fail(1); // a failed probe: still the same outage
        assertThat(opened).hasValue(1);
        clock.advance(Duration.ofSeconds(2));
        succeed();
        fail(3);
        assertThat(opened).hasValue(2);
    }

    @Test
    void shouldHonourAConfiguredThreshold() {
        CircuitBreaker eager = new CircuitBreaker("neo4j", 1, waits(true), clock);
        assertThatThrownBy(() -> eager.call(this::refused)).isInstanceOf(CircuitOpenException.class);
        assertThat(eager.status().state()).isEqualTo(State.OPEN);

        CircuitBreaker patient = new CircuitBreaker("neo4j", 5, waits(true), clock);
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> patient.call(this::refused)).isNotInstanceOf(CircuitOpenException.class);
        }
        assertThat(patient.status().state()).isEqualTo(State.CLOSED);
    }

    @Test
    void shouldCountOnlyFailuresInARow() {
        fail(2);
        succeed();
        fail(2);

        assertThat(circuit.status().state()).isEqualTo(State.CLOSED);
    }

    @Test
    void shouldRejectWithoutReachingTheTargetWhileOpenAndSayWhatAndSinceWhen() {
        fail(3);
        clock.advance(FIRST_WAIT.minusMillis(1));

        assertThatThrownBy(this::succeed).isInstanceOfSatisfying(CircuitOpenException.class, rejected -> {
            assertThat(rejected.isRetryable()).as("the workers' retry loops must keep waiting").isTrue();
            assertThat(rejected.isContention()).isFalse();
            assertThat(rejected.target()).isEqualTo("neo4j");
            assertThat(rejected.downSince()).isEqualTo(T0);
            assertThat(rejected.getMessage()).startsWith("neo4j unreachable since 2026-11-24T23:50:01Z").contains("connection refused");
        });
        assertThat(reached).as("only the three failures reached the target").hasValue(3);
        assertThat(circuit.status().state()).isEqualTo(State.OPEN);
    }

    @Test
    void shouldLetExactlyOneProbeThroughAtTheProbeTime() {
        fail(3);
        clock.advance(FIRST_WAIT);
        AtomicInteger rejectedDuringProbe = new AtomicInteger();

        String result = circuit.call(() -> {
            reached.incrementAndGet();
            assertThat(circuit.status().state()).isEqualTo(State.HALF_OPEN);
            // Another worker while the probe is under way: rejected, and the target is not called.
            for (int i = 0; i < 3; i++) {
                try {
                    circuit.call(() -> {
                        reached.incrementAndGet();
                        return "second";
                    });
                } catch (CircuitOpenException expected) {
                    rejectedDuringProbe.incrementAndGet();
                }
            }
            return "probe";
        });

        assertThat(result).isEqualTo("probe");
        assertThat(rejectedDuringProbe).hasValue(3);
        assertThat(reached).as("three failures and the probe").hasValue(4);
    }

    @Test
    void shouldCloseWhenTheProbeSucceeds() {
        fail(3);
        clock.advance(FIRST_WAIT.plusMillis(5));

        succeed();

        CircuitBreaker.Status status = circuit.status();
        assertThat(status.state()).isEqualTo(State.CLOSED);
        assertThat(status.since()).isEqualTo(clock.instant());
        assertThat(status.nextProbeAt()).isNull();
        assertThat(status.reason()).isNull();
        assertThat(status.timesOpened()).isEqualTo(1);
        succeed();
        assertThat(reached).as("calls go through again").hasValue(5);
    }

    @Test
    void shouldOpenAgainWithALongerWaitEachTimeTheProbeFails() {
        fail(3);
        Duration expected = FIRST_WAIT;
        for (int probe = 1; probe <= 7; probe++) {
            clock.advance(expected);
            fail(1);
            expected = expected.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : expected.multipliedBy(2);
            CircuitBreaker.Status status = circuit.status();
            assertThat(status.state()).isEqualTo(State.OPEN);
            assertThat(status.nextProbeAt()).as("after failed probe %d", probe).isEqualTo(clock.instant().plus(expected));
            assertThat(status.since()).as("still down since the first failure").isEqualTo(T0);
            assertThat(status.timesOpened()).as("a failed probe is not a new outage").isEqualTo(1);
        }
        assertThat(expected).isEqualTo(MAX_WAIT);
    }

    @Test
    void shouldKeepWaitsWithinHalfAndAllOfTheStepWithTheLowestDraw() {
        CircuitBreaker low = new CircuitBreaker("neo4j", 1, waits(false), clock);
        assertThatThrownBy(() -> low.call(this::refused)).isInstanceOf(SyncException.class);
        assertThat(low.status().nextProbeAt()).isEqualTo(T0.plus(FIRST_WAIT.dividedBy(2)));
    }

    @Test
    void shouldStartTheWaitsAgainForANewOutage() {
        fail(3);
        clock.advance(FIRST_WAIT);
        fail(1); // a failed probe: the next wait is 2 s
        clock.advance(Duration.ofSeconds(2));
        succeed(); // back
        clock.advance(Duration.ofMinutes(1));
        Instant secondOutage = clock.instant();

        fail(3);

        CircuitBreaker.Status status = circuit.status();
        assertThat(status.timesOpened()).isEqualTo(2);
        assertThat(status.since()).isEqualTo(secondOutage);
        assertThat(status.nextProbeAt()).isEqualTo(secondOutage.plus(FIRST_WAIT));
    }

    @Test
    void shouldNotOpenOnPersistentFailures() {
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> circuit.call(this::badRow)).isNotInstanceOf(CircuitOpenException.class);
        }

        assertThat(circuit.status().state()).isEqualTo(State.CLOSED);
        assertThat(reached).hasValue(10);
    }

    @Test
    void shouldNotOpenOnLockContention() {
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> circuit.call(() -> {
                reached.incrementAndGet();
                throw SyncException.contention("deadlock", null);
            })).isNotInstanceOf(CircuitOpenException.class);
        }

        assertThat(circuit.status().state()).isEqualTo(State.CLOSED);
    }

    @Test
    void shouldTakeAPersistentFailureAsAnAnswerThatBreaksTheRun() {
        fail(2);
        assertThatThrownBy(() -> circuit.call(this::badRow)).isInstanceOf(SyncException.class);
        fail(2);

        assertThat(circuit.status().state()).as("the server answered between the failures").isEqualTo(State.CLOSED);
    }

    @Test
    void shouldCloseWhenTheProbeIsAnsweredWithAPersistentFailure() {
        fail(3);
        clock.advance(FIRST_WAIT);

        assertThatThrownBy(() -> circuit.call(this::badRow)).hasMessage("constraint violated");

        assertThat(circuit.status().state()).as("a bad row is not an outage").isEqualTo(State.CLOSED);
    }

    @Test
    void shouldNeverStayHalfOpenWhenTheProbeThrowsSomethingElse() {
        fail(3);
        clock.advance(FIRST_WAIT);

        assertThatThrownBy(() -> circuit.call(() -> {
            throw new IllegalStateException("a bug");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(circuit.status().state()).isEqualTo(State.CLOSED);
        assertThat(succeed()).isEqualTo("ok");
    }

    @Test
    void shouldNotMoveTheProbeTimeWhenACallLetInWhileClosedFailsLate() {
        assertThatThrownBy(() -> circuit.call(() -> {
            reached.incrementAndGet();
            fail(3); // other workers meanwhile: the circuit opens under this call
            clock.advance(Duration.ofMillis(500));
            throw SyncException.retryable("read timed out", null);
        })).hasMessage("read timed out");

        CircuitBreaker.Status status = circuit.status();
        assertThat(status.state()).isEqualTo(State.OPEN);
        assertThat(status.nextProbeAt()).as("only a probe's failure moves the probe time").isEqualTo(T0.plus(FIRST_WAIT));
        assertThat(status.lastError()).isEqualTo("read timed out");
    }

    @Test
    void shouldShowOnlyThePublicFormOfTheLastErrorAndLogAndThrowTheFullOne() {
        SyncException quotingARow = SyncException.retryable(new ErrorText(
                "PostgreSQL failed during write-back (SQLState 40001: could not serialize access to row-value-4711), will retry",
                "PostgreSQL failed during write-back (SQLState 40001), will retry"), null);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> circuit.call(() -> {
                throw quotingARow;
            })).isInstanceOf(SyncException.class);
        }

        CircuitBreaker.Status status = circuit.status();
        assertThat(status.state()).isEqualTo(State.OPEN);
        assertThat(status.lastError()).isEqualTo("PostgreSQL failed during write-back (SQLState 40001), will retry");
        assertThat(status.reason()).doesNotContain("row-value-4711").contains("SQLState 40001");
        assertThatThrownBy(() -> circuit.call(this::succeed)).isInstanceOfSatisfying(CircuitOpenException.class, rejected -> {
            assertThat(rejected.getMessage()).as("for the log").contains("row-value-4711");
            assertThat(rejected.publicMessage()).doesNotContain("row-value-4711").contains("SQLState 40001").contains("circuit open");
        });
    }

    // --- helpers

    /** Calls that reach the target and fail: the failure itself, or the one that opened the circuit with it as cause. */
    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            int before = reached.get();
            assertThatThrownBy(() -> circuit.call(this::refused)).isInstanceOf(SyncException.class)
                    .satisfies(e -> assertThat(e instanceof CircuitOpenException open ? open.getCause() : e).hasMessage("connection refused"));
            assertThat(reached).as("the call reached the target").hasValue(before + 1);
        }
    }

    private String succeed() {
        return circuit.call(() -> {
            reached.incrementAndGet();
            return "ok";
        });
    }

    private String refused() {
        reached.incrementAndGet();
        throw SyncException.retryable("connection refused", null);
    }

    private String badRow() {
        reached.incrementAndGet();
        throw SyncException.persistent("constraint violated", null);
    }

    static RetryPolicy waits(boolean highest) {
        return new RetryPolicy(FIRST_WAIT, MAX_WAIT, 0, d -> { }, new FixedRandom(highest));
    }

    record FixedRandom(boolean highest) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only bounded draws");
        }

        @Override
        public long nextLong(long bound) {
            return highest ? bound - 1 : 0;
        }
    }
}
