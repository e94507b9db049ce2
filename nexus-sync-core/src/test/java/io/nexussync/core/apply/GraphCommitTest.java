package io.nexussync.core.apply;

import io.nexussync.core.critical.CriticalDecision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.apply.GraphCommit.AfterCommit;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GraphCommitTest {
    private static final Lsn END_1 = Lsn.valueOf("0/1010");
    private static final Lsn END_2 = Lsn.valueOf("0/2010");

    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final JournalWriter writer = new JournalWriter();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final List<String> retries = new ArrayList<>();
    private final RetryPolicy.RetryListener listener = (operation, failure, attempt, wait) -> retries.add(operation + " " + attempt);

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    @Test
    void shouldWriteThePlanWithItsStreamCheckpointOrSnapshotMarkInOneCall() throws InterruptedException {
        GraphCommit graph = graphCommit();
        SnapshotMark mark = SnapshotMark.running(END_1, 10);

        graph.write(GraphWritePlan.EMPTY, CommitRecord.of(Checkpoint.after(END_1)), listener);
        graph.write(GraphWritePlan.EMPTY, CommitRecord.of(mark), listener);

        assertThat(journal).containsExactly("apply " + Checkpoint.after(END_1), "snapshot " + mark);
    }

    @Test
    void shouldRetryARetryableFailureTellingTheListenerAndThrowOthersAtOnce() throws InterruptedException {
        GraphCommit graph = graphCommit();
        writer.failures.add(SyncException.retryable("neo4j away", null));
        writer.failures.add(SyncException.retryable("still away", null));

        graph.write(GraphWritePlan.EMPTY, CommitRecord.of(Checkpoint.after(END_1)), listener);
        assertThat(retries).containsExactly("apply 1", "apply 2");
        assertThat(journal).containsExactly("apply " + Checkpoint.after(END_1));

        writer.failures.add(SyncException.persistent("constraint missing", null));
        assertThatThrownBy(() -> graph.write(GraphWritePlan.EMPTY, CommitRecord.of(SnapshotMark.running(END_1, 1)), listener))
                .hasMessage("constraint missing");
        assertThat(retries).containsExactly("apply 1", "apply 2");
    }

    @Test
    void shouldWriteAConsumedBatchWithItsOffsetsAndNeverRetryOneWhoseOffsetsMoved() throws InterruptedException {
        GraphCommit graph = graphCommit();
        ConsumedOffsets offsets = ConsumedOffsets.of("graph-a", new ConsumedOffsets.PartitionRange("changes", 0, 4, 9));
        writer.failures.add(SyncException.retryable("neo4j away", null));

        graph.write(GraphWritePlan.EMPTY, CommitRecord.of(offsets), listener);
        assertThat(retries).containsExactly("apply 1");
        assertThat(journal).containsExactly("consumed " + offsets);

        // A retry cannot help a batch another consumer overtook: it goes to the consumer at once, to seek.
        OffsetsMovedException moved = new OffsetsMovedException("graph-a", "changes", 0, 4, 9);
        writer.failures.add(moved);
        assertThatThrownBy(() -> graph.write(GraphWritePlan.EMPTY, CommitRecord.of(offsets), listener)).isSameAs(moved);
        assertThat(retries).containsExactly("apply 1");
        assertThat(journal).containsExactly("consumed " + offsets);
    }

    @Test
    void shouldFollowACommitWithWriteBackThenLogRowThenAcknowledgementInCommitOrder() throws InterruptedException {
        GraphCommit graph = graphCommit();
        // The first commit's write-back is slow: nothing of the second may overtake it, its acknowledgement least of all.
        graph.afterCommit(AfterCommit.of(result(2), listener).first(() -> journal.add("first")).logged(logRow(END_1)).releasing(END_1));
        graph.afterCommit(AfterCommit.of(result(1), listener).logged(logRow(END_2)).releasing(END_2));
        graph.drain();

        assertThat(journal).containsExactly("first", "write-back 2", "log " + END_1, "ack " + END_1,
                "write-back 1", "log " + END_2, "ack " + END_2);
    }

    @Test
    void shouldAcknowledgeAPositionOnlyMoveBehindTheCommitsHandedOverBefore() throws InterruptedException {
        GraphCommit graph = graphCommit();
        graph.afterCommit(AfterCommit.of(result(1), listener).logged(logRow(END_1)));
        graph.acknowledge(END_2);
        graph.drain();

        assertThat(journal).containsExactly("write-back 1", "log " + END_1, "ack " + END_2);
    }

    @Test
    void shouldAcknowledgeNothingForACommitThatMovedNothingAndSkipAnEmptyFollowUp() throws InterruptedException {
        GraphCommit graph = graphCommit();
        graph.afterCommit(AfterCommit.of(ApplyResult.NOTHING, listener));
        graph.afterCommit(AfterCommit.of(ApplyResult.NOTHING, listener).logged(logRow(END_1)).releasing(Lsn.INVALID));
        graph.drain();

        assertThat(journal).containsExactly("log " + END_1);
    }

    @Test
    void shouldStillLogAndAcknowledgeWhenTheWriteBackFailsForGood() throws InterruptedException {
        GraphCommit graph = new GraphCommit(writer, noSleepRetry(), new AfterCommitStage(pool), refs -> {
            journal.add("write-back refused");
            throw SyncException.persistent("permission denied", null);
        }, new JournalLog(), end -> journal.add("ack " + end));
        graph.afterCommit(AfterCommit.of(result(1), listener).logged(logRow(END_1)).releasing(END_1));
        graph.drain();

        assertThat(journal).containsExactly("write-back refused", "failed write-back", "log " + END_1, "ack " + END_1);
    }

    private GraphCommit graphCommit() {
        return new GraphCommit(writer, noSleepRetry(), new AfterCommitStage(pool), refs -> {
            if (refs.size() > 1) {
                sleep(50);
            }
            journal.add("write-back " + refs.size());
        }, new JournalLog(), end -> journal.add("ack " + end));
    }

    private static ApplyResult result(int crossReferences) {
        List<CrossReference> refs = new ArrayList<>();
        for (int i = 0; i < crossReferences; i++) {
            refs.add(new CrossReference(MappingLoader.builtIn().nodes().get(0), "id" + i, "4:x:" + i));
        }
        return new ApplyResult(refs, crossReferences, 0);
    }

    private static SyncLog.BatchRecord logRow(Lsn end) {
        return new SyncLog.BatchRecord(end, end, 1, 1, 1, 0, 0, Duration.ZERO);
    }

    private static RetryPolicy noSleepRetry() {
        return new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(10), 5, d -> { }, new Random(1));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class JournalLog implements SyncLog {
        @Override
        public void batchApplied(BatchRecord record) {
            journal.add("log " + record.toLsn());
        }

        @Override
        public void operationFailed(FailureRecord record) {
            journal.add("failed " + record.operation());
        }
    }

    private final class JournalWriter implements GraphWriter {
        final List<SyncException> failures = new ArrayList<>();

        @Override
        public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
            failIfAsked();
            journal.add("apply " + checkpoint);
            return ApplyResult.NOTHING;
        }

        @Override
        public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
            failIfAsked();
            journal.add("snapshot " + mark);
            return ApplyResult.NOTHING;
        }

        @Override
        public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
            failIfAsked();
            journal.add("repair " + repairId);
            return ApplyResult.NOTHING;
        }

        @Override
        public CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
            failIfAsked();
            journal.add("critical " + decision.gid());
            return new CriticalApplied(ApplyResult.NOTHING, decision, decision.commits());
        }

        @Override
        public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
            failIfAsked();
            journal.add("consumed " + offsets);
            return ApplyResult.NOTHING;
        }

        private void failIfAsked() {
            if (!failures.isEmpty()) {
                throw failures.remove(0);
            }
        }
    }
}
