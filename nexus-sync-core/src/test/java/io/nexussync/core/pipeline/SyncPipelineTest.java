package io.nexussync.core.pipeline;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.apply.CriticalApplied;
import io.nexussync.core.capture.ChangeSource;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.capture.TransactionReader;
import io.nexussync.core.fault.RetryPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.deadletter.DeadLetter;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.function.BooleanSupplier;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SyncPipelineTest {
    private static final TableId CONTENT_ITEMS = TableId.parse("content_items");
    private static final TableId AUDIT_LOG = TableId.parse("audit_log");
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final GraphPlanner planner = new GraphPlanner(MappingLoader.builtIn());
    private final List<String> journal = Collections.synchronizedList(new ArrayList<>());
    private final ManualClock clock = new ManualClock(T0);
    private final FakeChangeSource source = new FakeChangeSource(journal);
    private final RecordingGraphWriter writer = new RecordingGraphWriter(journal);
    private final SyncProgress progress = new SyncProgress();
    private final RecordingCrossReferenceWriter crossReferences = new RecordingCrossReferenceWriter(journal);

    @Test
    void shouldAcknowledgeCommitEndOnlyAfterApplyReturned() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.add(tx(2, "0/2000", "0/2010", insert("c2")));

        pipeline(100).run(Checkpoint.NONE);

        assertThat(journal).containsExactly("apply " + Checkpoint.after(lsn("0/2010")), "ack 0/2010");
        assertThat(writer.applied).singleElement().satisfies(a -> assertThat(upsertedIds(a.plan())).containsExactly("c1", "c2"));
    }

    @Test
    void shouldAcknowledgeEachBatchAfterItsApply() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        source.add(tx(2, "0/2000", "0/2010", insert("c2")));
        SyncPipeline pipeline = pipeline(100);

        pipeline.run(Checkpoint.NONE);

        assertThat(journal).containsExactly(
                "apply " + Checkpoint.after(lsn("0/1010")), "ack 0/1010",
                "apply " + Checkpoint.after(lsn("0/2010")), "ack 0/2010");
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/2010")));
    }

    @Test
    void shouldSkipTransactionCoveredByStartCheckpoint() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("old1"), insert("old2")));
        source.add(tx(2, "0/2000", "0/2010", insert("new")));

        pipeline(100).run(Checkpoint.after(lsn("0/1010")));

        assertThat(writer.applied).singleElement().satisfies(a -> {
            assertThat(upsertedIds(a.plan())).containsExactly("new");
            assertThat(a.plan().sourceChanges()).isEqualTo(1);
            assertThat(a.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/2010")));
        });
        assertThat(source.acknowledged).containsExactly(lsn("0/2010"));
    }

    @Test
    void shouldApplyNothingWhenEveryTransactionIsCovered() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("old")));

        pipeline(100).run(Checkpoint.after(lsn("0/1010")));

        assertThat(writer.attempts).isZero();
        assertThat(source.acknowledged).isEmpty();
    }

    @Test
    void shouldSkipChangesOfPartialTransactionAlreadyApplied() throws InterruptedException {
        source.add(tx(7, "0/2000", "0/2010", insert("c1"), insert("c2"), insert("c3"), insert("c4")));

        pipeline(100).run(new Checkpoint(lsn("0/1010"), lsn("0/2000"), 2));

        assertThat(writer.applied).singleElement().satisfies(a -> {
            assertThat(upsertedIds(a.plan())).containsExactly("c3", "c4");
            assertThat(a.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/2010")));
        });
        assertThat(source.acknowledged).containsExactly(lsn("0/2010"));
    }

    @Test
    void shouldNotSkipChangesOfOtherTransactionThanPartialOne() throws InterruptedException {
        source.add(tx(8, "0/3000", "0/3010", insert("c1"), insert("c2"), insert("c3")));

        pipeline(100).run(new Checkpoint(lsn("0/1010"), lsn("0/2000"), 2));

        assertThat(upsertedIds(writer.applied.get(0).plan())).containsExactly("c1", "c2", "c3");
    }

    @Test
    void shouldDropEchoOfWriteBackButAcknowledgeIt() throws InterruptedException {
        source.add(echoTx(3, "0/1000", "0/1010", update("c1")));

        pipeline(100).run(Checkpoint.NONE);

        assertThat(writer.attempts).isZero();
        assertThat(source.acknowledged).containsExactly(lsn("0/1010"));
    }

    @Test
    void shouldDropOnlyEchoTransactionFromBatch() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.add(echoTx(2, "0/2000", "0/2010", update("c1"), update("c9")));
        source.add(tx(3, "0/3000", "0/3010", insert("c3")));

        pipeline(100).run(Checkpoint.NONE);

        assertThat(writer.applied).singleElement().satisfies(a -> {
            assertThat(upsertedIds(a.plan())).containsExactly("c1", "c3");
            assertThat(a.plan().sourceChanges()).isEqualTo(2);
        });
        assertThat(source.acknowledged).containsExactly(lsn("0/3010"));
    }

    @Test
    void shouldKeepTransactionWhoseMessageHasAnotherPrefix() throws InterruptedException {
        List<CaptureEvent> events = new ArrayList<>(tx(1, "0/1000", "0/1010", insert("c1")));
        events.add(1, new CaptureEvent.Message(true, lsn("0/0F00"), "someone-else", new byte[0]));
        source.add(events);

        pipeline(100).run(Checkpoint.NONE);

        assertThat(upsertedIds(writer.applied.get(0).plan())).containsExactly("c1");
    }

    @Test
    void shouldCarryPartialCheckpointWhenBatchEndsInsideTransaction() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.add(tx(2, "0/2000", "0/2010", insert("c2"), insert("c3"), insert("c4"), insert("c5")));

        pipeline(3).run(Checkpoint.NONE);

        assertThat(progress.itemsRead()).as("five changes and two transaction ends").isEqualTo(7);
        assertThat(journal).containsExactly(
                "apply " + new Checkpoint(lsn("0/1010"), lsn("0/2000"), 2), "ack 0/1010",
                "apply " + Checkpoint.after(lsn("0/2010")), "ack 0/2010");
        assertThat(upsertedIds(writer.applied.get(0).plan())).containsExactly("c1", "c2", "c3");
        assertThat(upsertedIds(writer.applied.get(1).plan())).containsExactly("c4", "c5");
    }

    @Test
    void shouldAcknowledgeNothingWhenFirstBatchEndsInsideFirstTransaction() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), insert("c2"), insert("c3")));
        source.then(() -> assertThat(source.acknowledged).isEmpty());

        pipeline(2).run(Checkpoint.NONE);

        assertThat(writer.applied).extracting(Applied::checkpoint)
                .containsExactly(new Checkpoint(Lsn.INVALID, lsn("0/1000"), 2), Checkpoint.after(lsn("0/1010")));
        assertThat(source.acknowledged).containsExactly(lsn("0/1010"));
    }

    @Test
    void shouldCountUnmappedChangesInPartialCheckpointButNotInBatchSize() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), new RowChange.Insert(AUDIT_LOG, Map.of("id", 1)), insert("c2"), insert("c3"),
                insert("c4")));

        pipeline(3).run(Checkpoint.NONE);

        assertThat(writer.applied.get(0).checkpoint()).isEqualTo(new Checkpoint(Lsn.INVALID, lsn("0/1000"), 4));
        assertThat(upsertedIds(writer.applied.get(0).plan())).containsExactly("c1", "c2", "c3");
        assertThat(upsertedIds(writer.applied.get(1).plan())).containsExactly("c4");
        assertThat(source.acknowledged).containsExactly(lsn("0/1010"));
    }

    @Test
    void shouldApplyEveryChangeExactlyOnceWhenResumingFromPartialCheckpoint() throws InterruptedException {
        List<List<CaptureEvent>> stream = List.of(
                tx(1, "0/1000", "0/1010", insert("c1")),
                tx(2, "0/2000", "0/2010", insert("c2"), insert("c3"), insert("c4"), insert("c5"), insert("c6")),
                tx(3, "0/3000", "0/3010", insert("c7")));
        stream.forEach(source::add);
        writer.failOnAttempt(2, SyncException.persistent("graph refused", null));
        assertThatThrownBy(() -> pipeline(3).run(Checkpoint.NONE)).hasMessage("graph refused");
        Checkpoint saved = writer.applied.get(writer.applied.size() - 1).checkpoint();

        FakeChangeSource replay = new FakeChangeSource(journal);
        stream.forEach(replay::add);
        SyncPipeline resumed = newPipeline(replay, SyncLog.NONE, new BatchPolicy(3, Duration.ofMillis(50)), clock);
        replay.stopWhenDrained(resumed);
        resumed.run(saved);

        assertThat(saved).isEqualTo(new Checkpoint(lsn("0/1010"), lsn("0/2000"), 2));
        assertThat(writer.applied).flatExtracting(a -> upsertedIds(a.plan()))
                .containsExactly("c1", "c2", "c3", "c4", "c5", "c6", "c7");
        assertThat(resumed.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/3010")));
    }

    @Test
    void shouldRetryRetryableFailureAndApplyBatchOnce() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        writer.failOnAttempt(1, SyncException.retryable("connection reset", null));
        // A stop gives up retrying (see the next tests): this one must come after the retry.
        source.holdStopUntil(() -> !writer.applied.isEmpty());

        pipeline(100).run(Checkpoint.NONE);

        assertThat(writer.attempts).isEqualTo(2);
        assertThat(writer.applied).hasSize(1);
        assertThat(journal).containsExactly("fail connection reset", "apply " + Checkpoint.after(lsn("0/1010")), "ack 0/1010");
    }

    @Test
    void shouldLogAFailedAttemptButNotACallAnOpenCircuitTurnedAway() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        writer.failOnAttempt(1, SyncException.retryable("connection refused", null));
        writer.failOnAttempt(2, new SyncException("neo4j circuit open", null, true) {
            @Override
            public boolean reachedTarget() {
                return false;
            }
        });
        source.holdStopUntil(() -> !writer.applied.isEmpty());
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        SyncLog log = new SyncLog() {
            @Override
            public void batchApplied(BatchRecord record) {}

            @Override
            public void operationFailed(FailureRecord record) {
                logged.add(record.error());
            }
        };
        SyncPipeline pipeline = newPipeline(source, log, new BatchPolicy(100, Duration.ofMillis(50)), clock);
        source.stopWhenDrained(pipeline);

        pipeline.run(Checkpoint.NONE);

        assertThat(writer.attempts).isEqualTo(3);
        assertThat(logged).containsExactly("connection refused");
    }

    @Test
    void shouldLogEachEntityOfARetriedBatchWriteAndSettleItsRowsWhenTheWriteCommits() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), insert("c2")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        writer.failOnAttempt(1, SyncException.retryable("connection reset", null));
        writer.failOnAttempt(2, SyncException.retryable("connection reset again", null));
        source.holdStopUntil(() -> !writer.applied.isEmpty());
        List<SyncLog.FailureRecord> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> ends = Collections.synchronizedList(new ArrayList<>());
        List<SyncLog.BatchRecord> batches = Collections.synchronizedList(new ArrayList<>());
        SyncLog log = new SyncLog() {
            @Override
            public void batchApplied(BatchRecord record) {
                batches.add(record);
            }

            @Override
            public void operationFailed(FailureRecord record) {
                failures.add(record);
            }

            @Override
            public void retriesEnded(String retryGroup, RetryEnd end, int retries, String error) {
                ends.add(retryGroup + " " + end.status() + " " + retries);
            }
        };
        SyncPipeline pipeline = newPipeline(source, log, new BatchPolicy(100, Duration.ofMillis(50)), clock);
        source.stopWhenDrained(pipeline);

        pipeline.run(Checkpoint.NONE);

        assertThat(failures).hasSize(2).allSatisfy(f -> {
            assertThat(f.retryGroup()).isEqualTo(failures.get(0).retryGroup()).isNotNull();
            assertThat(f.entityCount()).isEqualTo(2);
            assertThat(f.entities()).extracting(e -> e.operation() + " " + e.table() + ":" + e.key() + " " + e.graphType() + " " + e.graphId())
                    .containsExactly("insert public.content_items:c1 ContentItem c1", "insert public.content_items:c2 ContentItem c2");
            assertThat(f.nextAttemptIn()).isNotNull();
        });
        assertThat(failures).extracting(SyncLog.FailureRecord::attempt).containsExactly(1, 2);
        assertThat(ends).containsExactly(failures.get(0).retryGroup() + " succeeded-after-retry 2");
        assertThat(batches).singleElement().satisfies(b -> assertThat(b.summary().changes())
                .isEqualTo(Map.of("public.content_items", Map.of("insert", 2))));
    }

    @Test
    void shouldWriteNoEntityRowForABatchThatCommitsAtTheFirstAttempt() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        source.holdStopUntil(() -> !writer.applied.isEmpty());
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        SyncLog log = new SyncLog() {
            @Override
            public void batchApplied(BatchRecord record) {
                calls.add("batch " + record.summary().changes());
            }

            @Override
            public void operationFailed(FailureRecord record) {
                calls.add("failure");
            }

            @Override
            public void retriesEnded(String retryGroup, RetryEnd end, int retries, String error) {
                calls.add("end");
            }
        };
        SyncPipeline pipeline = newPipeline(source, log, new BatchPolicy(100, Duration.ofMillis(50)), clock);
        source.stopWhenDrained(pipeline);

        pipeline.run(Checkpoint.NONE);

        assertThat(calls).containsExactly("batch {public.content_items={insert=1}}");
    }

    @Test
    void shouldPropagatePersistentFailureWithoutAcknowledging() {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        SyncException failure = SyncException.persistent("constraint violated", null);
        writer.failOnAttempt(1, failure);

        assertThatThrownBy(() -> pipeline(100).run(Checkpoint.NONE)).isSameAs(failure);

        assertThat(writer.attempts).isEqualTo(1);
        assertThat(source.acknowledged).isEmpty();
    }

    @Test
    void shouldGiveUpRetryingWhenStoppingSoRestartReplaysBatch() {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        writer.failOnAttempt(1, SyncException.retryable("graph down", null));

        assertThatThrownBy(() -> pipeline(100).run(Checkpoint.NONE)).hasMessage("graph down");

        assertThat(writer.attempts).isEqualTo(1);
        assertThat(source.acknowledged).isEmpty();
    }

    @Test
    void shouldPassCrossReferencesToWriterBeforeAcknowledging() throws InterruptedException {
        NodeMapping contentItems = planner.mapping().node(CONTENT_ITEMS).orElseThrow();
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), insert("c2")));
        writer.result = plan -> new ApplyResult(upsertedIds(plan).stream()
                .map(id -> new CrossReference(contentItems, id, "4:db:" + id)).toList(), 2, 0);

        pipeline(100).run(Checkpoint.NONE);

        assertThat(crossReferences.written).containsExactly(List.of(
                new CrossReference(contentItems, "c1", "4:db:c1"), new CrossReference(contentItems, "c2", "4:db:c2")));
        assertThat(journal).containsExactly("apply " + Checkpoint.after(lsn("0/1010")), "write-back 2", "ack 0/1010");
    }

    @Test
    void shouldNotCallCrossReferenceWriterWithoutCrossReferences() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));

        pipeline(100).run(Checkpoint.NONE);

        assertThat(crossReferences.written).isEmpty();
    }

    @Test
    void shouldDrainOpenBatchWhenStopped() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        source.add(tx(2, "0/2000", "0/2010", insert("c2")));
        SyncPipeline pipeline = pipeline(100);

        pipeline.run(Checkpoint.NONE);

        assertThat(writer.applied).hasSize(1);
        assertThat(upsertedIds(writer.applied.get(0).plan())).containsExactly("c1", "c2");
        assertThat(source.acknowledged).containsExactly(lsn("0/2010"));
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/2010")));
    }

    @Test
    void shouldDrainOpenTransactionWithPartialCheckpointWhenStopped() throws InterruptedException {
        List<CaptureEvent> open = new ArrayList<>(tx(1, "0/1000", "0/1010", insert("c1"), insert("c2")));
        open.remove(open.size() - 1);
        source.add(open);

        pipeline(100).run(Checkpoint.NONE);

        assertThat(writer.applied).singleElement()
                .satisfies(a -> assertThat(a.checkpoint()).isEqualTo(new Checkpoint(Lsn.INVALID, lsn("0/1000"), 2)));
        assertThat(source.acknowledged).isEmpty();
    }

    @Test
    void shouldNotSpinWhileATransactionWithNothingToApplyIsStillArriving() throws InterruptedException {
        List<CaptureEvent> echo = echoTx(9, "0/4000", "0/4010", update("c1"));
        source.add(echo.subList(0, 2));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));

        pipeline(100).run(Checkpoint.NONE);

        // The window was overdue with nothing to write; the next wait must be a real one, not a busy poll.
        assertThat(source.pollTimeouts.get(source.pollTimeouts.size() - 1)).isPositive();
        assertThat(writer.attempts).isZero();
    }

    @Test
    void shouldApplyACriticalChangeInTheFirstBatchAfterItWasReadWhateverLowBacklogIsAhead() throws InterruptedException {
        insertsThenAViewCountBacklog();
        source.then(() -> { }); // the stream pauses: the loop has caught up and applies what it read
        source.add(tx(3, "0/3000", "0/3010", new RowChange.Update(CONTENT_ITEMS, null, revoked("z"))));
        // The first batch commits only once everything is read: from then on the critical change waits in the queue.
        writer.beforeApply = () -> {
            try {
                source.drained.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        SyncPipeline pipeline = pipeline(10);
        pipeline.run(Checkpoint.NONE);

        List<List<String>> batches = writer.applied.stream().map(a -> upsertedIds(a.plan())).toList();
        int critical = indexOfBatchRevoking(writer.applied);
        assertThat(critical).as("batches %s", batches).isEqualTo(1);
        assertThat(batches.subList(2, batches.size())).as("the low backlog comes after it").isNotEmpty();
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/3010")));
    }

    @Test
    void shouldReadABacklogThroughBeforeApplyingItsLowerLanesSoACriticalChangeBehindItGoesFirst() throws InterruptedException {
        int rows = 2 * ApplyLoop.READ_BURST;
        insertsThenAViewCountBacklog(rows);
        source.add(tx(3, "0/3000", "0/3010", new RowChange.Update(CONTENT_ITEMS, null, revoked("z"))));

        SyncPipeline pipeline = pipeline(100);
        pipeline.run(Checkpoint.NONE);

        List<List<String>> batches = writer.applied.stream().map(a -> upsertedIds(a.plan())).toList();
        assertThat(indexOfBatchRevoking(writer.applied)).as("the critical change is in the first batch: %s", batches).isZero();
        assertThat(batches.stream().mapToInt(List::size).sum())
                .as("read through before it was applied, each row's insert and update went as one graph write")
                .isEqualTo(rows + 1);
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/3010")));
    }

    @Test
    void shouldNotTakeAMomentWithoutChangesInTheMiddleOfAnOldBacklogForHavingCaughtUp() throws InterruptedException {
        int rows = 2 * ApplyLoop.READ_BURST;
        insertsThenAViewCountBacklog(rows);
        source.then(() -> { }); // the capture thread falls behind the loop for a moment
        source.add(tx(3, "0/3000", "0/3010", new RowChange.Update(CONTENT_ITEMS, null, revoked("z"))));
        // The backlog was committed an hour ago.
        clock.set(T0.plus(Duration.ofHours(1)));

        SyncPipeline pipeline = pipeline(100);
        pipeline.run(Checkpoint.NONE);

        List<List<String>> batches = writer.applied.stream().map(a -> upsertedIds(a.plan())).toList();
        assertThat(indexOfBatchRevoking(writer.applied)).as("the critical change is in the first batch: %s", batches).isZero();
    }

    @Test
    void shouldApplyALagThatBuildsAfterTheLoopCaughtUpWhileReadingIt() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("first")));
        source.then(() -> clock.advance(Duration.ofSeconds(1))); // caught up with what the start found; its window passes
        source.then(() -> {
            // its batch is done and back before the lag arrives, so the worker is free for the lag's first burst: a
            // fixed pause after the write was not enough on a loaded CI machine, so wait for the worker to go idle
            for (int waited = 0; !applyWorkersIdleAfterWork() && waited < 10_000; waited += 5) {
                pause(5);
            }
        });
        // Many bursts long: the worker records how far the reading got when it starts a batch, and on a loaded machine it
        // starts milliseconds after the loop handed it over (with two bursts, CI read the whole lag in that time)
        insertsThenAViewCountBacklog(16 * ApplyLoop.READ_BURST);
        int events = source.scripted();
        List<Integer> polledAtApply = new java.util.concurrent.CopyOnWriteArrayList<>();
        writer.beforeApply = () -> polledAtApply.add(source.polled);

        SyncPipeline pipeline = pipeline(100);
        pipeline.run(Checkpoint.NONE);

        assertThat(polledAtApply.subList(1, polledAtApply.size())).as("the lag's batches went out while it was read (%d events)", events)
                .anyMatch(polled -> polled < events - ApplyLoop.READ_BURST);
    }

    @Test
    void shouldApplyTheLowerLanesWhileReadingOnceTheyHaveWaitedTheLongestReadFirstAllows() throws InterruptedException {
        // Every look at the clock takes a millisecond: the reading of this backlog outlasts READ_FIRST_AT_MOST.
        Clock ticking = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return clock.getZone();
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                clock.advance(Duration.ofMillis(1));
                return clock.instant();
            }
        };
        int rows = 4_000;
        assertThat(ApplyLoop.READ_FIRST_AT_MOST).isLessThan(Duration.ofMillis(rows));
        insertsThenAViewCountBacklog(rows);
        source.add(tx(3, "0/3000", "0/3010", new RowChange.Update(CONTENT_ITEMS, null, revoked("z"))));
        SyncPipeline pipeline = newPipeline(source, SyncLog.NONE, new BatchPolicy(100, Duration.ofMillis(50)), ticking);
        source.stopWhenDrained(pipeline);

        pipeline.run(Checkpoint.NONE);

        assertThat(indexOfBatchRevoking(writer.applied)).as("batches went out before the reading reached the critical change").isPositive();
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/3010")));
    }

    /** The first batch was written and every apply worker has handed its result back and waits for the next task. */
    private boolean applyWorkersIdleAfterWork() {
        if (writer.applied.isEmpty()) {
            return false;
        }
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("nexus-sync-apply-"))
                .allMatch(e -> Arrays.stream(e.getValue()).anyMatch(frame -> frame.getMethodName().equals("getTask")));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> revoked(String id) {
        Map<String, Object> row = row(id);
        row.put("access_level", "private");
        return row;
    }

    @Test
    void shouldSkipExactlyTheChangesTheCheckpointRecordsAsAppliedBeyondItsEnd() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("old")));
        source.add(tx(2, "0/2000", "0/2010", insert("c2"), insert("c3"), insert("c4"), insert("c5")));
        source.add(tx(3, "0/3000", "0/3010", insert("c6")));
        source.add(tx(4, "0/4000", "0/4010", insert("c7")));
        Checkpoint start = new Checkpoint(lsn("0/1010"), io.nexussync.core.model.AppliedRanges.of(List.of(
                new io.nexussync.core.model.AppliedRanges.Range(new io.nexussync.core.model.Position(lsn("0/2000"), 1),
                        new io.nexussync.core.model.Position(lsn("0/2000"), 2)),
                new io.nexussync.core.model.AppliedRanges.Range(new io.nexussync.core.model.Position(lsn("0/3000"), 0),
                        new io.nexussync.core.model.Position(lsn("0/3000"), 0)))), 0);

        SyncPipeline pipeline = pipeline(100);
        pipeline.run(start);

        assertThat(writer.applied).flatExtracting(a -> upsertedIds(a.plan())).containsExactlyInAnyOrder("c2", "c5", "c7");
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/4010")));
    }

    @Test
    void shouldKeepChangesAppliedAheadBeforeACrashInTheFirstRecordWrittenAfterTheRestart() throws InterruptedException {
        // The run before the crash applied c6 (tx 3) ahead of c2 (tx 2): its checkpoint says so with a range.
        source.add(tx(2, "0/2000", "0/2010", insert("c2")));
        source.add(tx(3, "0/3000", "0/3010", insert("c6")));
        io.nexussync.core.model.Position c6 = new io.nexussync.core.model.Position(lsn("0/3000"), 0);
        Checkpoint start = new Checkpoint(lsn("0/1010"), io.nexussync.core.model.AppliedRanges.of(List.of(
                new io.nexussync.core.model.AppliedRanges.Range(c6, c6))), 0);

        SyncPipeline pipeline = pipeline(1);
        pipeline.run(start);

        assertThat(writer.applied).flatExtracting(a -> upsertedIds(a.plan())).containsExactly("c2");
        // Batch one went out before tx 3 was read again; had the service been killed right after it, the graph's
        // record (this worker's, replaced) must still say c6 is in the graph, or the next start applies it twice.
        assertThat(writer.applied.get(0).checkpoint().isApplied(c6)).isTrue();
    }

    @Test
    void shouldApplyEveryChangeOnceAndAcknowledgeInOrderWithWorkersFinishingOutOfOrder() throws InterruptedException {
        Random random = new Random(7);
        int transactions = 200;
        Map<Integer, Integer> sizes = new LinkedHashMap<>();
        for (int t = 1; t <= transactions; t++) {
            List<RowChange> changes = new ArrayList<>();
            int n = 1 + random.nextInt(4);
            sizes.put(t, n);
            for (int i = 0; i < n; i++) {
                changes.add(insert("t" + t + "-" + i));
            }
            source.add(tx(t, Long.toHexString(t) + "/0", Long.toHexString(t) + "/10", changes.toArray(RowChange[]::new)));
        }
        writer.beforeApply = () -> pause(random.nextInt(3));
        SyncPipeline pipeline = newPipeline(source, SyncLog.NONE, new BatchPolicy(7, Duration.ofMillis(50)).withWorkers(3), Clock.systemUTC());
        source.stopWhenDrained(pipeline);

        pipeline.run(Checkpoint.NONE);

        List<String> ids = writer.applied.stream().flatMap(a -> upsertedIds(a.plan()).stream()).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).hasSize((int) writer.applied.stream().mapToLong(a -> a.plan().sourceChanges()).sum());
        assertThat(writer.applied.stream().map(a -> a.checkpoint().worker()).distinct().count()).as("workers used").isGreaterThan(1);
        assertThat(source.acknowledged).isSortedAccordingTo(Lsn::compareTo);
        assertThat(source.acknowledged.get(source.acknowledged.size() - 1)).isEqualTo(lsn(Long.toHexString(transactions) + "/10"));
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn(Long.toHexString(transactions) + "/10")));
        // What a restart loads: each worker's last record, merged. It must hold everything, though no single record may.
        Map<Integer, Checkpoint> lastRecordOfEachWorker = new LinkedHashMap<>();
        writer.applied.forEach(a -> lastRecordOfEachWorker.put(a.checkpoint().worker(), a.checkpoint()));
        Checkpoint loaded = lastRecordOfEachWorker.values().stream().reduce(Checkpoint.NONE, Checkpoint::merge);
        sizes.forEach((t, n) -> {
            for (int i = 0; i < n; i++) {
                assertThat(loaded.isApplied(new io.nexussync.core.model.Position(lsn(Long.toHexString(t) + "/0"), i)))
                        .as("change %d of transaction %d in the merged records %s", i, t, loaded).isTrue();
            }
        });
    }

    private static int indexOfBatchRevoking(List<Applied> applied) {
        for (int i = 0; i < applied.size(); i++) {
            boolean revokes = applied.get(i).plan().steps().stream()
                    .filter(GraphStep.UpsertNodes.class::isInstance)
                    .flatMap(s -> ((GraphStep.UpsertNodes) s).rows().stream())
                    .anyMatch(r -> r.id().equals("z") && r.properties().containsValue("private"));
            if (revokes) {
                return i;
            }
        }
        return -1;
    }


    @Test
    void shouldTellTheApplyListenerEachBatchAndEachFailedAttemptByEntityType() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), insert("c2"), update("c1")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        writer.failOnAttempt(1, SyncException.retryable("connection reset", null));
        source.holdStopUntil(() -> !writer.applied.isEmpty());
        RecordingApplyListener listener = new RecordingApplyListener();

        pipeline(100).applyListener(listener).run(Checkpoint.NONE);

        assertThat(listener.events).containsExactly("failed [public.content_items] retryable", "batch 3 {public.content_items=3}");
    }

    @Test
    void shouldTellTheApplyListenerOfEachDeadLetterByEntityTypeButNotOfTheRefusedBatchItSplits() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), poisoned("bad"), insert("c2")));
        writer.refusePoison();
        RecordingApplyListener listener = new RecordingApplyListener();

        pipeline(100).deadLetters(new InMemoryDeadLetters()).applyListener(listener).run(Checkpoint.NONE);

        assertThat(listener.events).containsExactly("dead public.content_items", "batch 3 {public.content_items=3}");
    }

    /** The sync metrics' view of the apply half, as lines. */
    private static final class RecordingApplyListener implements ApplyListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void batchCommitted(io.nexussync.core.mapping.Lane lane, int changes, Map<String, Integer> changesByEntityType) {
            events.add("batch " + changes + " " + new java.util.TreeMap<>(changesByEntityType));
        }

        @Override
        public void failed(String operation, java.util.Set<String> entityTypes, SyncException failure) {
            events.add("failed " + entityTypes + (failure.isRetryable() ? " retryable" : " persistent"));
        }

        @Override
        public void deadLettered(String entityType) {
            events.add("dead " + entityType);
        }
    }

    @Test
    void shouldDeadLetterOnlyTheRefusedChangeAndLandTheRestOfItsBatchInOrder() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), poisoned("bad"), insert("c2"), insert("c3"), insert("c4")));
        writer.refusePoison();
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();

        SyncPipeline pipeline = pipeline(100).deadLetters(deadLetters);
        pipeline.run(Checkpoint.NONE);

        assertThat(writer.applied.stream().flatMap(a -> upsertedIds(a.plan()).stream())).containsExactly("c1", "c2", "c3", "c4");
        assertThat(deadLetters.letters).singleElement().satisfies(letter -> {
            assertThat(letter.isHead()).isTrue();
            assertThat(letter.position()).isEqualTo(new Position(lsn("0/1000"), 1));
            assertThat(letter.error()).contains("poison");
        });
        // Dead-lettered counts as handled: the graph's record covers the whole transaction and the slot moves on.
        for (int i = 0; i < 5; i++) {
            assertThat(writer.loadCheckpoint().isApplied(new Position(lsn("0/1000"), i))).isTrue();
        }
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/1010")));
        assertThat(source.acknowledged).containsExactly(lsn("0/1010"));
    }

    @Test
    void shouldParkLaterChangesToADeadLetteredEntityUntilARetryBringsItsCurrentRow() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", poisoned("x")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        source.add(tx(2, "0/2000", "0/2010", update("x"), insert("other")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        Map<String, Object> fixed = row("x");
        fixed.put("title", "fixed");
        source.add(List.of(new CaptureEvent.Begin(3, lsn("0/3000"), T0.plusSeconds(3)),
                new CaptureEvent.DeadLetterRelease(1, true, List.of(new RowChange.Insert(CONTENT_ITEMS, fixed))),
                new CaptureEvent.Commit(lsn("0/3000"), lsn("0/3010"), T0.plusSeconds(3))));
        writer.refusePoison();
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();

        SyncPipeline pipeline = pipeline(100).deadLetters(deadLetters);
        pipeline.run(Checkpoint.NONE);

        // The update behind the dead letter waits (a newer state never overtakes the refused one), the other row lands.
        assertThat(deadLetters.letters).extracting(DeadLetter::behind).containsExactly(0L, 1L);
        assertThat(deadLetters.letters.get(1).position()).isEqualTo(new Position(lsn("0/2000"), 0));
        List<String> titlesOfX = writer.applied.stream().flatMap(a -> nodeRows(a.plan()).stream())
                .filter(r -> r.id().equals("x")).map(r -> (String) r.properties().get("title")).toList();
        assertThat(titlesOfX).containsExactly("fixed");
        assertThat(writer.applied.stream().flatMap(a -> upsertedIds(a.plan()).stream())).contains("other");
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/3010")));
    }

    @Test
    void shouldParkChangesBehindADeadLetterLoadedAtStartAndRecordEachOnlyOnceWhenReplayed() throws InterruptedException {
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
        deadLetters.record(new DeadLetter(new Position(lsn("0/1000"), 0), poisoned("x"), java.util.Set.of(nodeKey("x")), "poison", 0));
        source.add(tx(1, "0/1000", "0/1010", poisoned("x"), insert("c1")));
        source.then(() -> clock.advance(Duration.ofSeconds(1)));
        source.add(tx(2, "0/2000", "0/2010", update("x")));
        writer.refusePoison();

        SyncPipeline pipeline = pipeline(100).deadLetters(deadLetters);
        pipeline.run(Checkpoint.NONE);

        assertThat(deadLetters.letters).extracting(DeadLetter::position)
                .containsExactly(new Position(lsn("0/1000"), 0), new Position(lsn("0/2000"), 0));
        assertThat(writer.applied.stream().flatMap(a -> upsertedIds(a.plan()).stream())).containsExactly("c1");
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/2010")));
    }

    @Test
    void shouldDeadLetterARowThePlannerCannotConvertWithoutStoppingTheStream() throws InterruptedException {
        Map<String, Object> bad = row("bad");
        bad.put("title", new io.nexussync.core.model.Unconvertible("public.content_items.title: no Neo4j form"));
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), new RowChange.Insert(CONTENT_ITEMS, bad), insert("c2")));
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();

        pipeline(100).deadLetters(deadLetters).run(Checkpoint.NONE);

        assertThat(writer.applied.stream().flatMap(a -> upsertedIds(a.plan()).stream())).containsExactly("c1", "c2");
        assertThat(deadLetters.letters).singleElement().satisfies(l -> assertThat(l.error()).contains("title: no Neo4j form"));
        assertThat(source.acknowledged).containsExactly(lsn("0/1010"));
    }

    @Test
    void shouldFindARowThePlannerRefusesWithoutHalvingTheBatchInNeo4j() throws InterruptedException {
        List<RowChange> changes = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            Map<String, Object> row = row("c" + i);
            if (i == 41) {
                row.put("title", new io.nexussync.core.model.Unconvertible("public.content_items.title: no Neo4j form"));
            }
            changes.add(new RowChange.Insert(CONTENT_ITEMS, row));
        }
        source.add(tx(1, "0/1000", "0/1010", changes.toArray(RowChange[]::new)));
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();

        pipeline(100).deadLetters(deadLetters).run(Checkpoint.NONE);

        assertThat(deadLetters.letters).hasSize(1);
        assertThat(writer.attempts).as("one graph transaction for the 63 good rows and the record").isOne();
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    void shouldStopRatherThanSplitForeverWhenTheGraphRefusesEvenTheCheckpointAlone() {
        source.add(tx(1, "0/1000", "0/1010", insert("c1"), insert("c2")));
        writer.refuses = plan -> true;

        assertThatThrownBy(() -> pipeline(100).deadLetters(new InMemoryDeadLetters()).run(Checkpoint.NONE))
                .isInstanceOf(SyncException.class).hasMessageContaining("even in parts");
    }

    @Test
    void shouldStillStopForAFailureThatIsNotAboutTheData() {
        source.add(tx(1, "0/1000", "0/1010", insert("c1")));
        SyncException failure = SyncException.persistent("Neo4j refused the credentials", null);
        writer.failOnAttempt(1, failure);

        assertThatThrownBy(() -> pipeline(100).deadLetters(new InMemoryDeadLetters()).run(Checkpoint.NONE)).isSameAs(failure);
    }

    @Test
    void shouldFailOnChangeOutsideTransaction() {
        source.add(List.of(new CaptureEvent.Change(insert("c1"))));

        assertThatThrownBy(() -> pipeline(100).run(Checkpoint.NONE))
                .isInstanceOf(SyncException.class)
                .hasMessageContaining("outside a transaction");
    }

    @Test
    void shouldApplyACriticalWriteAheadOfTheLowBacklogAfterWhatItFollowsAndOnlyThenCommitItInPostgres() throws InterruptedException {
        insertsThenAViewCountBacklog();
        java.util.concurrent.CountDownLatch criticalRead = new java.util.concurrent.CountDownLatch(1);
        source.then(criticalRead::countDown);
        Map<String, Object> revoked = row("z");
        revoked.put("access_level", "private");
        source.add(prepared(3, "nexus_sync:revoke-z", "0/3000", "0/3010", new RowChange.Update(CONTENT_ITEMS, null, revoked)));
        source.add(List.of(new CaptureEvent.CommitPrepared(3, lsn("0/4000"), lsn("0/4010"), T0.plusSeconds(4), "nexus_sync:revoke-z")));
        // The first batch commits only once the critical write is about to be read: the backlog is read and waiting by then.
        writer.beforeApply = () -> {
            try {
                criticalRead.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        RecordingPrepared prepared = new RecordingPrepared();

        SyncPipeline pipeline = pipeline(10).critical(prepared, io.nexussync.core.critical.CriticalListener.NONE);
        pipeline.run(Checkpoint.NONE);

        List<GraphWritePlan> plans = writer.applied.stream().map(Applied::plan).toList();
        int critical = plans.indexOf(writer.criticalPlans.get("nexus_sync:revoke-z"));
        int insertOfZ = indexOfPlanUpserting(plans, "z", "project");
        assertThat(insertOfZ).as("the insert it follows goes first").isBetween(0, critical - 1);
        // Before it: the batch that was in flight and those a free worker took while its three events were read.
        assertThat(critical).as("ahead of the low backlog (%s writes in all)", plans.size()).isLessThanOrEqualTo(5);
        // In stream order it would come last. How many backlog writes remain after it depends on how much of the
        // view-count backlog coalesced into inserts still pending when it was read (reading goes in bursts): 4 to 7 seen.
        assertThat(plans.size() - critical - 1).as("the backlog comes after it").isGreaterThanOrEqualTo(3);
        assertThat(plans.stream().flatMap(p -> upsertedIds(p).stream()).distinct().count()).as("every row").isEqualTo(61);
        assertThat(nodeRows(writer.criticalPlans.get("nexus_sync:revoke-z"))).singleElement()
                .satisfies(row -> assertThat(row.properties()).containsEntry("accessLevel", "private"));
        assertThat(journal).containsSubsequence("critical nexus_sync:revoke-z commit", "finish nexus_sync:revoke-z commit");
        assertThat(prepared.finished).singleElement().satisfies(d -> assertThat(d.commits()).isTrue());
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/4010")));
    }

    @Test
    void shouldRollBackACriticalWriteTheGraphRefusesWithTheReasonAndMovePastIt() throws InterruptedException {
        source.add(tx(1, "0/1000", "0/1010", insert("a")));
        source.add(prepared(2, "nexus_sync:bad", "0/2000", "0/2010", poisoned("b"), update("a")));
        source.add(tx(3, "0/3000", "0/3010", insert("c")));
        writer.refusePoison();
        RecordingPrepared prepared = new RecordingPrepared();

        SyncPipeline pipeline = pipeline(10).critical(prepared, io.nexussync.core.critical.CriticalListener.NONE);
        pipeline.run(Checkpoint.NONE);

        assertThat(writer.criticalPlans).isEmpty();
        assertThat(writer.decisions.get("nexus_sync:bad")).satisfies(d -> {
            assertThat(d.commits()).isFalse();
            assertThat(d.reason()).contains("the graph refused it").contains("poison");
            assertThat(d.decidedBy()).isEqualTo(CriticalDecision.BY_STREAM);
        });
        assertThat(prepared.finished).singleElement().satisfies(d -> assertThat(d.commits()).isFalse());
        assertThat(writer.applied.stream().flatMap(a -> upsertedIds(a.plan()).stream())).containsExactly("a", "c");
        assertThat(writer.loadCheckpoint().isApplied(new Position(lsn("0/2000"), 1))).isTrue();
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/3010")));
    }

    @Test
    void shouldFollowADecisionTheGraphHoldsAlreadyAndWriteNothingOfTheTransaction() throws InterruptedException {
        CriticalDecision timedOut = CriticalDecision.rollback("nexus_sync:late", 1, "timed out", T0, null, CriticalDecision.BY_RECOVERY);
        writer.decisions.put("nexus_sync:late", timedOut);
        source.add(prepared(1, "nexus_sync:late", "0/1000", "0/1010", insert("a")));
        RecordingPrepared prepared = new RecordingPrepared();

        SyncPipeline pipeline = pipeline(10).critical(prepared, io.nexussync.core.critical.CriticalListener.NONE);
        pipeline.run(Checkpoint.NONE);

        assertThat(writer.criticalPlans).isEmpty();
        assertThat(prepared.finished).containsExactly(timedOut);
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/1010")));
    }

    @Test
    void shouldLeaveACriticalWriteTheStartCheckpointHoldsToRecovery() throws InterruptedException {
        source.add(prepared(1, "nexus_sync:done", "0/1000", "0/1010", insert("a")));
        source.add(List.of(new CaptureEvent.CommitPrepared(1, lsn("0/2000"), lsn("0/2010"), T0, "nexus_sync:done")));
        RecordingPrepared prepared = new RecordingPrepared();

        SyncPipeline pipeline = pipeline(10).critical(prepared, io.nexussync.core.critical.CriticalListener.NONE);
        pipeline.run(Checkpoint.after(lsn("0/1010")));

        assertThat(writer.applied).isEmpty();
        assertThat(prepared.finished).isEmpty();
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/2010")));
    }

    @Test
    void shouldApplyAnApplicationsPreparedTransactionOnlyAtItsCommitPrepared() throws InterruptedException {
        source.add(prepared(1, "app-xa:7", "0/1000", "0/1010", insert("held")));
        source.add(tx(2, "0/2000", "0/2010", insert("between")));
        source.add(List.of(new CaptureEvent.CommitPrepared(1, lsn("0/3000"), lsn("0/3010"), T0.plusSeconds(3), "app-xa:7")));
        source.add(prepared(4, "app-xa:8", "0/4000", "0/4010", insert("rolled-back")));
        source.add(List.of(new CaptureEvent.RollbackPrepared(4, lsn("0/4010"), lsn("0/5010"), T0.plusSeconds(5), "app-xa:8")));

        SyncPipeline pipeline = pipeline(1);
        pipeline.run(Checkpoint.NONE);

        assertThat(writer.applied.stream().flatMap(a -> upsertedIds(a.plan()).stream())).containsExactly("between", "held");
        assertThat(writer.decisions).isEmpty();
        assertThat(pipeline.checkpoint()).isEqualTo(Checkpoint.after(lsn("0/5010")));
    }

    /** Transaction 1 inserts c0..c59 and z; transaction 2 updates the view count of c0..c59 (the low lane). */
    private void insertsThenAViewCountBacklog() {
        insertsThenAViewCountBacklog(60);
    }

    /** Transaction 1 inserts {@code rows} content items c0... and z; transaction 2 updates the view count of the c rows (the low lane). */
    private void insertsThenAViewCountBacklog(int rows) {
        List<RowChange> inserts = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            inserts.add(insert("c" + i));
        }
        inserts.add(insert("z"));
        source.add(tx(1, "0/1000", "0/1010", inserts.toArray(RowChange[]::new)));
        List<RowChange> viewCounts = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            Map<String, Object> row = row("c" + i);
            row.put("view_count", 1L);
            viewCounts.add(new RowChange.Update(CONTENT_ITEMS, null, row));
        }
        source.add(tx(2, "0/2000", "0/2010", viewCounts.toArray(RowChange[]::new)));
    }

    private static int indexOfPlanUpserting(List<GraphWritePlan> plans, String id, String accessLevel) {
        for (int i = 0; i < plans.size(); i++) {
            for (GraphStep.NodeRow row : nodeRows(plans.get(i))) {
                if (row.id().equals(id) && accessLevel.equals(row.properties().get("accessLevel"))) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** A prepared transaction as two-phase decoding sends it: its changes at PREPARE; COMMIT PREPARED comes on its own. */
    private static List<CaptureEvent> prepared(long xid, String gid, String prepareLsn, String endLsn, RowChange... changes) {
        List<CaptureEvent> events = new ArrayList<>();
        Instant at = T0.plusSeconds(xid);
        events.add(new CaptureEvent.BeginPrepare(xid, lsn(prepareLsn), lsn(endLsn), at, gid));
        for (RowChange change : changes) {
            events.add(new CaptureEvent.Change(change));
        }
        events.add(new CaptureEvent.Prepare(xid, lsn(prepareLsn), lsn(endLsn), at, gid));
        return events;
    }

    private SyncPipeline pipeline(int maxChanges) {
        SyncPipeline pipeline = newPipeline(source, SyncLog.NONE, new BatchPolicy(maxChanges, Duration.ofMillis(50)), clock);
        source.stopWhenDrained(pipeline);
        return pipeline;
    }

    private SyncPipeline newPipeline(ChangeSource source, SyncLog log, BatchPolicy policy, Clock clock) {
        return SyncPipeline.builder().source(source).planner(planner).writer(writer).crossReferences(crossReferences).syncLog(log)
                .policy(policy).retry(noSleepRetry()).clock(clock).progress(progress).afterCommitExecutor(Runnable::run).build();
    }

    private static RetryPolicy noSleepRetry() {
        return new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(10), 0, d -> {}, new Random(1));
    }

    private static List<CaptureEvent> tx(long xid, String finalLsn, String endLsn, RowChange... changes) {
        List<CaptureEvent> events = new ArrayList<>();
        Instant at = T0.plusSeconds(xid);
        events.add(new CaptureEvent.Begin(xid, lsn(finalLsn), at));
        for (RowChange change : changes) {
            events.add(new CaptureEvent.Change(change));
        }
        events.add(new CaptureEvent.Commit(lsn(finalLsn), lsn(endLsn), at));
        return events;
    }

    /** What a write-back transaction looks like: the tag message first, then its updates. */
    private static List<CaptureEvent> echoTx(long xid, String finalLsn, String endLsn, RowChange... changes) {
        List<CaptureEvent> events = tx(xid, finalLsn, endLsn, changes);
        events.add(1, new CaptureEvent.Message(true, lsn(finalLsn), TransactionReader.ECHO_PREFIX, "x".getBytes(StandardCharsets.UTF_8)));
        return events;
    }

    private static RowChange insert(String id) {
        return new RowChange.Insert(CONTENT_ITEMS, row(id));
    }

    private static RowChange poisoned(String id) {
        Map<String, Object> row = row(id);
        row.put("title", "poison");
        return new RowChange.Insert(CONTENT_ITEMS, row);
    }

    private static String nodeKey(String id) {
        return io.nexussync.core.schedule.Footprint.nodeKey("ContentItem", id);
    }

    private static List<GraphStep.NodeRow> nodeRows(GraphWritePlan plan) {
        return plan.steps().stream()
                .filter(GraphStep.UpsertNodes.class::isInstance)
                .flatMap(s -> ((GraphStep.UpsertNodes) s).rows().stream())
                .toList();
    }

    private static RowChange update(String id) {
        return new RowChange.Update(CONTENT_ITEMS, null, row(id));
    }

    private static Map<String, Object> row(String id) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("title", "title of " + id);
        row.put("access_level", "project");
        row.put("view_count", 0L);
        row.put("pg_version", 1L);
        return row;
    }

    private static Lsn lsn(String text) {
        return Lsn.valueOf(text);
    }

    private static List<String> upsertedIds(GraphWritePlan plan) {
        return plan.steps().stream()
                .filter(GraphStep.UpsertNodes.class::isInstance)
                .flatMap(s -> ((GraphStep.UpsertNodes) s).rows().stream())
                .map(GraphStep.NodeRow::id)
                .toList();
    }

    /** Hands out scripted events; an action in the script runs when polled and reads as "nothing arrived". */
    private static final class FakeChangeSource implements ChangeSource {
        private final Deque<Object> script = new ArrayDeque<>();
        private final List<String> journal;
        final List<Lsn> acknowledged = new ArrayList<>();
        final List<Duration> pollTimeouts = new ArrayList<>();
        private SyncPipeline stopWhenDrained;
        private BooleanSupplier stopAllowed = () -> true;
        final java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);
        /** Scripted events and actions handed out so far. */
        volatile int polled;

        FakeChangeSource(List<String> journal) {
            this.journal = journal;
        }

        void add(List<CaptureEvent> events) {
            script.addAll(events);
        }

        void then(Runnable action) {
            script.add(action);
        }

        int scripted() {
            return script.size();
        }

        void holdStopUntil(BooleanSupplier condition) {
            this.stopAllowed = condition;
        }

        void stopWhenDrained(SyncPipeline pipeline) {
            this.stopWhenDrained = pipeline;
        }

        @Override
        public CaptureEvent poll(Duration timeout) {
            pollTimeouts.add(timeout);
            Object next = script.poll();
            if (next != null) {
                polled++;
            }
            if (next == null) {
                drained.countDown();
                if (stopWhenDrained != null && stopAllowed.getAsBoolean()) {
                    stopWhenDrained.stop();
                }
                return null;
            }
            if (next instanceof Runnable action) {
                action.run();
                return null;
            }
            return (CaptureEvent) next;
        }

        @Override
        public void acknowledge(Lsn appliedEnd) {
            acknowledged.add(appliedEnd);
            journal.add("ack " + appliedEnd);
        }

        @Override
        public void close() {}
    }

    private record Applied(GraphWritePlan plan, Checkpoint checkpoint) {}

    private static final class RecordingGraphWriter implements GraphWriter {
        private final List<String> journal;
        private final Map<Integer, SyncException> failures = new LinkedHashMap<>();
        final List<Applied> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile int attempts;
        Function<GraphWritePlan, ApplyResult> result = plan -> ApplyResult.NOTHING;
        volatile Runnable beforeApply = () -> { };
        volatile java.util.function.Predicate<GraphWritePlan> refuses = plan -> false;

        RecordingGraphWriter(List<String> journal) {
            this.journal = journal;
        }

        void failOnAttempt(int attempt, SyncException failure) {
            failures.put(attempt, failure);
        }

        /** Refuses, as Neo4j refuses a uniqueness clash, every plan that holds a row titled "poison". */
        void refusePoison() {
            refuses = plan -> nodeRowsOf(plan).stream().anyMatch(r -> "poison".equals(r.properties().get("title")));
        }

        private static List<GraphStep.NodeRow> nodeRowsOf(GraphWritePlan plan) {
            return nodeRows(plan);
        }

        @Override
        public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
            beforeApply.run();
            attempts++;
            SyncException failure = failures.remove(attempts);
            if (failure != null) {
                journal.add("fail " + failure.getMessage());
                throw failure;
            }
            if (refuses.test(plan)) {
                throw SyncException.rejected("the graph refused a row: poison", null);
            }
            applied.add(new Applied(plan, checkpoint));
            journal.add("apply " + checkpoint);
            return result.apply(plan);
        }

        public Checkpoint loadCheckpoint() {
            return applied.isEmpty() ? Checkpoint.NONE : applied.get(applied.size() - 1).checkpoint();
        }

        @Override
        public ApplyResult applySnapshot(GraphWritePlan plan, io.nexussync.core.model.SnapshotMark mark) {
            throw new AssertionError("the stream pipeline never writes snapshot chunks");
        }

        @Override
        public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
            throw new AssertionError("the stream pipeline writes repairs as stream batches");
        }

        @Override
        public ApplyResult applyConsumed(GraphWritePlan plan, io.nexussync.core.apply.ConsumedOffsets offsets) {
            throw new AssertionError("the stream pipeline keeps its position in checkpoint records, not Kafka offsets");
        }

        /** The graph's decisions by gid: the first recorded stands, as the uniqueness constraint makes it. */
        final Map<String, CriticalDecision> decisions = new java.util.concurrent.ConcurrentHashMap<>();
        /** The plans written under a commit decision, by gid. */
        final Map<String, GraphWritePlan> criticalPlans = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public synchronized CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
            CriticalDecision standing = decisions.get(decision.gid());
            boolean writePlan = standing == null && decision.commits();
            if (writePlan && refuses.test(plan)) {
                throw SyncException.rejected("the graph refused a row: poison", null);
            }
            if (standing == null) {
                decisions.put(decision.gid(), decision);
                standing = decision;
            }
            if (writePlan) {
                criticalPlans.put(decision.gid(), plan);
            }
            applied.add(new Applied(writePlan ? plan : GraphWritePlan.EMPTY, checkpoint));
            journal.add("critical " + decision.gid() + " " + standing.outcome().text());
            return new CriticalApplied(writePlan ? result.apply(plan) : ApplyResult.NOTHING, standing, writePlan);
        }
    }

    /** PostgreSQL's prepared transactions as the pipeline sees them: what it was told to do, in order. */
    private final class RecordingPrepared implements PreparedTransactions {
        final List<CriticalDecision> finished = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public List<Prepared> list() {
            return List.of();
        }

        @Override
        public Finished finish(CriticalDecision decision) {
            finished.add(decision);
            journal.add("finish " + decision.gid() + " " + decision.outcome().text());
            return decision.commits() ? Finished.COMMITTED : Finished.ROLLED_BACK;
        }
    }

    /** Dead letters by position, recorded once each, as the PostgreSQL table does. */
    private static final class InMemoryDeadLetters implements DeadLetterStore {
        final List<DeadLetter> letters = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public synchronized long record(DeadLetter letter) {
            for (int i = 0; i < letters.size(); i++) {
                if (letters.get(i).position().equals(letter.position())) {
                    // As the table answers a replay: the head the recorded change waits behind.
                    return letters.get(i).isHead() ? i + 1 : letters.get(i).behind();
                }
            }
            letters.add(letter);
            return letters.size();
        }

        @Override
        public Map<String, Parked> parkedEntities() {
            Map<String, Parked> parked = new LinkedHashMap<>();
            for (int i = 0; i < letters.size(); i++) {
                DeadLetter letter = letters.get(i);
                long head = letter.isHead() ? i + 1 : letter.behind();
                letter.entities().forEach(e -> parked.putIfAbsent(e, new Parked(head, letter.position())));
            }
            return parked;
        }
    }

    private static final class RecordingCrossReferenceWriter implements CrossReferenceWriter {
        private final List<String> journal;
        final List<List<CrossReference>> written = new ArrayList<>();

        RecordingCrossReferenceWriter(List<String> journal) {
            this.journal = journal;
        }

        @Override
        public void write(List<CrossReference> references) {
            written.add(List.copyOf(references));
            journal.add("write-back " + references.size());
        }
    }
}
