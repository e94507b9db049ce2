package io.nexussync.core.fault;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.apply.CriticalApplied;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.apply.CheckpointStore;
import io.nexussync.core.apply.CircuitBreakingCheckpointStore;
import io.nexussync.core.apply.CircuitBreakingConsumerOffsetStore;
import io.nexussync.core.apply.ConsumerOffsetStore;
import io.nexussync.core.apply.OffsetsMovedException;
import io.nexussync.core.apply.CircuitBreakingGraphWriter;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CircuitBreaker.State;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decorators put every call through the circuit, and the workers' own retry loops (the pipeline's
 * {@link RetryPolicy}, with its backoff) plus the circuit's fast rejection keep the calls that reach a server
 * which is down to about one probe per backoff step, however many workers wait.
 */
class CircuitBreakingWritersTest {
    static final Instant T0 = CircuitBreakerTest.T0;
    static final Duration OUTAGE = Duration.ofSeconds(120);
    static final int WORKERS = 4;

    private final ManualClock clock = new ManualClock(T0);
    private final DownUntil graph = new DownUntil(T0.plus(OUTAGE));

    static final Duration PROBE_CAP = Duration.ofSeconds(10);

    /** The service's settings: retries from 100 ms up to 30 s; the circuit opens after 3 and probes from 1 s up to 10 s. */
    private RetryPolicy workerRetries(long seed) {
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), 0, clock::advance, new Random(seed));
    }

    private CircuitBreaker circuit(long seed) {
        return new CircuitBreaker("neo4j", 3, new RetryPolicy(Duration.ofSeconds(1), PROBE_CAP, 0, d -> { }, new Random(seed)), clock);
    }

    @Test
    void shouldKeepSeveralWaitingWorkersToAboutOneProbePerBackoffStep() {
        for (long seed = 1; seed <= 20; seed++) {
            clock.set(T0);
            graph.calls.clear();
            CircuitBreaker circuit = circuit(seed);
            int finished = runWorkers(new CircuitBreakingGraphWriter(graph, circuit), seed);
            long reachedWhileDown = graph.callsBefore(graph.backAt);
            Instant allDone = clock.instant();

            clock.set(T0);
            graph.calls.clear();
            runWorkers(graph, seed);
            long withoutCircuit = graph.callsBefore(graph.backAt);

            if (seed == 1) {
                System.out.printf("%d workers, graph down %d s: %d calls reached it with the circuit, %d without; all through %.1f s after its return%n",
                        WORKERS, OUTAGE.toSeconds(), reachedWhileDown, withoutCircuit, Duration.between(graph.backAt, allDone).toMillis() / 1000.0);
            }
            assertThat(finished).isEqualTo(WORKERS);
            assertThat(circuit.status().state()).isEqualTo(State.CLOSED);
            assertThat(circuit.status().timesOpened()).isEqualTo(1);
            // 3 failures open it; then only probes, each at least the shortest wait of its step after the previous one.
            assertThat(reachedWhileDown).as("seed %d: calls that reached the graph while it was down", seed)
                    .isLessThanOrEqualTo(3 + mostProbesIn(OUTAGE));
            // The rejections carry the probe time, so no worker sleeps its long backoff past the graph's return.
            assertThat(Duration.between(graph.backAt, allDone)).as("seed %d: from the graph's return until every worker got through", seed)
                    .isLessThanOrEqualTo(PROBE_CAP.plus(CircuitBreaker.PROBE_POLL));
            assertThat(reachedWhileDown * 2).as("seed %d: %d calls with the circuit, %d without", seed, reachedWhileDown, withoutCircuit)
                    .isLessThan(withoutCircuit);
        }
    }

    @Test
    void shouldLetOneWorkersRetryLoopThroughOnceTheGraphIsBack() throws InterruptedException {
        CircuitBreaker circuit = circuit(7);
        GraphWriter writer = new CircuitBreakingGraphWriter(graph, circuit);
        List<String> rejections = new ArrayList<>();

        ApplyResult result = workerRetries(7).call("apply", () -> writer.apply(null, Checkpoint.NONE),
                (operation, failure, attempt, wait) -> {
                    if (failure instanceof CircuitOpenException) {
                        rejections.add(failure.getMessage());
                    }
                });

        assertThat(result).isSameAs(ApplyResult.NOTHING);
        assertThat(rejections).isNotEmpty().allSatisfy(m -> assertThat(m).startsWith("neo4j unreachable since " + T0));
        assertThat(graph.callsBefore(graph.backAt)).isLessThanOrEqualTo(3 + mostProbesIn(OUTAGE));
        assertThat(circuit.status().state()).isEqualTo(State.CLOSED);
    }

    @Test
    void shouldPutEveryGraphCallThroughTheCircuit() {
        CircuitBreaker circuit = new CircuitBreaker("neo4j", 1, CircuitBreakerTest.waits(true), clock);
        GraphWriter writer = new CircuitBreakingGraphWriter(graph, circuit);
        CheckpointStore store = new CircuitBreakingCheckpointStore(graph, circuit);
        assertThatThrownBy(store::loadCheckpoint).isInstanceOf(CircuitOpenException.class);
        int before = graph.calls.size();
        assertThat(before).as("the first call reached the graph and opened the circuit").isEqualTo(1);

        assertThatThrownBy(() -> writer.apply(null, Checkpoint.NONE)).isInstanceOf(CircuitOpenException.class);
        assertThatThrownBy(store::loadCheckpoint).isInstanceOf(CircuitOpenException.class);
        assertThatThrownBy(() -> writer.applySnapshot(null, SnapshotMark.NONE)).isInstanceOf(CircuitOpenException.class);
        assertThatThrownBy(store::loadSnapshotMark).isInstanceOf(CircuitOpenException.class);
        assertThatThrownBy(store::resetCheckpoint).isInstanceOf(CircuitOpenException.class);
        ConsumedOffsets offsets = ConsumedOffsets.of("graph-a", new ConsumedOffsets.PartitionRange("changes", 0, 0, 1));
        ConsumerOffsetStore offsetStore = new CircuitBreakingConsumerOffsetStore(graph, circuit);
        assertThatThrownBy(() -> writer.applyConsumed(null, offsets)).isInstanceOf(CircuitOpenException.class);
        assertThatThrownBy(() -> offsetStore.loadOffsets("graph-a", "changes")).isInstanceOf(CircuitOpenException.class);
        assertThatThrownBy(() -> offsetStore.resetOffsets("graph-a")).isInstanceOf(CircuitOpenException.class);
        assertThat(graph.calls).hasSize(before);
    }

    @Test
    void shouldNotCountABatchWhoseOffsetsMovedAsTheGraphBeingDown() {
        CircuitBreaker circuit = new CircuitBreaker("neo4j", 1, CircuitBreakerTest.waits(true), clock);
        GraphWriter writer = new CircuitBreakingGraphWriter(new DownUntil(T0) {
            @Override
            public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
                throw new OffsetsMovedException("graph-a", "changes", 0, 0, 7);
            }
        }, circuit);
        ConsumedOffsets offsets = ConsumedOffsets.of("graph-a", new ConsumedOffsets.PartitionRange("changes", 0, 0, 1));

        assertThatThrownBy(() -> writer.applyConsumed(null, offsets)).isInstanceOf(OffsetsMovedException.class);
        assertThatThrownBy(() -> writer.applyConsumed(null, offsets)).as("the graph answered: still closed").isInstanceOf(OffsetsMovedException.class);
        assertThat(circuit.status().state()).isEqualTo(State.CLOSED);
    }

    @Test
    void shouldPutWriteBackThroughItsOwnCircuit() {
        CircuitBreaker circuit = new CircuitBreaker("postgres write-back", 2, CircuitBreakerTest.waits(true), clock);
        List<Instant> writes = new ArrayList<>();
        CircuitBreakingCrossReferenceWriter writer = new CircuitBreakingCrossReferenceWriter(references -> {
            writes.add(clock.instant());
            throw SyncException.retryable("connection refused", null);
        }, circuit);
        List<CrossReference> none = List.of();

        assertThatThrownBy(() -> writer.write(none)).isNotInstanceOf(CircuitOpenException.class);
        assertThatThrownBy(() -> writer.write(none)).isInstanceOf(CircuitOpenException.class); // the second opens it
        assertThatThrownBy(() -> writer.write(none)).isInstanceOfSatisfying(CircuitOpenException.class,
                e -> assertThat(e.getMessage()).startsWith("postgres write-back unreachable since"));

        assertThat(writes).hasSize(2);
        assertThat(circuit.status().state()).isEqualTo(State.OPEN);
    }

    /** The most probes an outage can hold: every wait drawn at its shortest (half the step). */
    private static long mostProbesIn(Duration outage) {
        long elapsed = 0;
        long probes = 0;
        for (int step = 1; elapsed <= outage.toMillis(); step++) {
            elapsed += Math.min(1000L << Math.min(step - 1, 20), PROBE_CAP.toMillis()) / 2;
            probes++;
        }
        return probes;
    }

    /**
     * {@code WORKERS} workers, each running what {@link RetryPolicy#call} runs (call; on a retryable failure wait
     * {@code waitAfter(failure, attempt)}; again), interleaved in time order on the one clock.
     */
    private int runWorkers(GraphWriter writer, long seed) {
        RetryPolicy retries = workerRetries(seed);
        Instant[] next = new Instant[WORKERS];
        int[] attempt = new int[WORKERS];
        boolean[] done = new boolean[WORKERS];
        for (int w = 0; w < WORKERS; w++) {
            next[w] = T0.plusMillis(w);
        }
        int finished = 0;
        while (finished < WORKERS) {
            int w = -1;
            for (int i = 0; i < WORKERS; i++) {
                if (!done[i] && (w < 0 || next[i].isBefore(next[w]))) {
                    w = i;
                }
            }
            clock.set(next[w]);
            try {
                writer.apply(null, Checkpoint.NONE);
                done[w] = true;
                finished++;
            } catch (SyncException failure) {
                assertThat(failure.isRetryable()).isTrue();
                attempt[w]++;
                next[w] = clock.instant().plus(retries.waitAfter(failure, attempt[w]));
            }
            assertThat(clock.instant()).as("the workers never finished").isBefore(T0.plus(OUTAGE).plus(Duration.ofMinutes(5)));
        }
        return finished;
    }

    /** A graph that refuses connections until {@code backAt}, recording when each call reached it. */
    private class DownUntil implements GraphWriter, CheckpointStore, ConsumerOffsetStore {
        final Instant backAt;
        final List<Instant> calls = new ArrayList<>();

        DownUntil(Instant backAt) {
            this.backAt = backAt;
        }

        long callsBefore(Instant at) {
            return calls.stream().filter(t -> t.isBefore(at)).count();
        }

        private void call() {
            calls.add(clock.instant());
            if (clock.instant().isBefore(backAt)) {
                throw SyncException.retryable("connection refused", null);
            }
        }

        @Override
        public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
            call();
            return ApplyResult.NOTHING;
        }

        @Override
        public Checkpoint loadCheckpoint() {
            call();
            return Checkpoint.NONE;
        }

        @Override
        public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
            call();
            return ApplyResult.NOTHING;
        }

        @Override
        public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
            call();
            return ApplyResult.NOTHING;
        }

        @Override
        public CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
            call();
            return new CriticalApplied(ApplyResult.NOTHING, decision, decision.commits());
        }

        @Override
        public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
            call();
            return ApplyResult.NOTHING;
        }

        @Override
        public SnapshotMark loadSnapshotMark() {
            call();
            return SnapshotMark.NONE;
        }

        @Override
        public void resetCheckpoint() {
            call();
        }

        @Override
        public Map<Integer, Long> loadOffsets(String group, String topic) {
            call();
            return Map.of();
        }

        @Override
        public void resetOffsets(String group) {
            call();
        }
    }
}
