package io.nexussync.kafka.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.ConsumerOffsetStore;
import io.nexussync.core.apply.CriticalApplied;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.apply.OffsetsMovedException;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.deadletter.DeadLetter;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.kafka.records.ChangeRecord;
import io.nexussync.kafka.records.ChangeRecordCodec;
import io.nexussync.core.capture.StreamItem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The apply loop against Kafka's own MockConsumer and a graph writer that records what it is given: where a partition
 * resumes, what a batch says it consumed, and what happens when the graph holds other offsets. (KafkaRolesIT runs it
 * against a real broker and Neo4j with SIGKILLs.)
 */
class KafkaApplyTest {
    private static final String TOPIC = "changes";
    private static final TableId THREADS = new TableId("public", "threads");
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final String CRITICAL = "changes.critical";
    private static final TopicPartition C0 = new TopicPartition(CRITICAL, 0);

    private final ChangeRecordCodec codec = new ChangeRecordCodec(MappingLoader.builtIn());
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final Map<Integer, Long> graphOffsets = new HashMap<>();
    private final Map<Integer, Long> criticalGraphOffsets = new HashMap<>();
    private final RecordingWriter writer = new RecordingWriter();
    private final List<SyncLog.BatchRecord> logged = new ArrayList<>();

    private KafkaApply apply(Checkpoint handedOver) {
        return apply(handedOver, false);
    }

    private KafkaApply apply(Checkpoint handedOver, boolean lanes) {
        ConsumerOffsetStore store = new ConsumerOffsetStore() {
            @Override
            public Map<Integer, Long> loadOffsets(String group, String topic) {
                return Map.copyOf(topic.equals(CRITICAL) ? criticalGraphOffsets : graphOffsets);
            }

            @Override
            public void resetOffsets(String group) {
                graphOffsets.clear();
                criticalGraphOffsets.clear();
            }
        };
        SyncLog log = new SyncLog() {
            @Override
            public void batchApplied(BatchRecord record) {
                logged.add(record);
            }

            @Override
            public void operationFailed(FailureRecord record) {}
        };
        GraphCommit graph = new GraphCommit(writer, RetryPolicy.standard(), new AfterCommitStage(Runnable::run), references -> { }, log,
                GraphCommit.Acknowledger.NONE);
        return new KafkaApply(consumer, "group-a", TOPIC, lanes ? CRITICAL : null, record -> codec.decode(record.value()), new GraphPlanner(MappingLoader.builtIn()),
                graph, store, handedOver, Duration.ofMillis(10), (operation, failure, attempt, wait) -> { });
    }

    @Test
    void shouldWriteAWaitingCriticalRecordBeforeTheBacklogAndKeepBothTopicsOffsets() throws Exception {
        graphOffsets.put(0, 10L);
        criticalGraphOffsets.put(0, 3L);
        KafkaApply apply = apply(Checkpoint.NONE, true);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, C0, 0L));
        consumer.updateEndOffsets(Map.of(C0, 4L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(C0, P0));
            for (int i = 0; i < 500; i++) {
                consumer.addRecord(record(P0, 10 + i, 0x1000 + i, "t-" + i));
            }
            // Committed after the backlog: in the change topic it would be written last.
            consumer.addRecord(deleteRecord(C0, 3, 0x9000, "t-gone"));
        });
        consumer.schedulePollTask(apply::stop);
        apply.run();

        assertThat(writer.consumed).extracting(ConsumedOffsets::ranges).containsExactly(
                List.of(new ConsumedOffsets.PartitionRange(CRITICAL, 0, 3, 4)),
                List.of(new ConsumedOffsets.PartitionRange(TOPIC, 0, 10, 510)));
        assertThat(writer.changesPerBatch).as("the critical change is the first graph batch, alone").containsExactly(1L, 500L);
        assertThat(logged).hasSize(2);
        assertThat(logged.get(0).summary().consumed()).containsOnlyKeys(CRITICAL + "/0");
    }

    @Test
    void shouldHoldTheChangeTopicBackWhileItsCriticalPartitionHasUnreadRecords() throws Exception {
        KafkaApply apply = apply(Checkpoint.NONE, true);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, C0, 0L));
        // The broker holds a committed critical record this member has not read yet (its fetch is behind the change topic's).
        consumer.updateEndOffsets(Map.of(C0, 1L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(C0, P0));
            consumer.addRecord(record(P0, 0, 0x100, "t-1"));
            consumer.addRecord(record(P0, 1, 0x200, "t-2"));
        });
        consumer.schedulePollTask(() -> {
            assertThat(writer.consumed).as("nothing of the change topic is written before the critical record").isEmpty();
            assertThat(consumer.paused()).as("the change topic waits for the critical one").containsExactly(P0);
            consumer.addRecord(deleteRecord(C0, 0, 0x150, "t-0"));
            // Committed later: not waited for (the held records were polled before it).
            consumer.updateEndOffsets(Map.of(C0, 5L));
        });
        consumer.schedulePollTask(() -> assertThat(consumer.paused()).isEmpty());
        consumer.schedulePollTask(apply::stop);
        apply.run();

        assertThat(writer.consumed).extracting(ConsumedOffsets::ranges).containsExactly(
                List.of(new ConsumedOffsets.PartitionRange(CRITICAL, 0, 0, 1)),
                List.of(new ConsumedOffsets.PartitionRange(TOPIC, 0, 0, 2)));
    }

    @Test
    void shouldResumeBothTopicsAtTheGraphsOffsetsAfterTheGraphRefusedACriticalBatch() throws Exception {
        KafkaApply apply = apply(Checkpoint.NONE, true);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, C0, 0L));
        consumer.updateEndOffsets(Map.of(C0, 1L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(C0, P0));
            consumer.addRecord(deleteRecord(C0, 0, 0x150, "t-0"));
            consumer.addRecord(record(P0, 0, 0x100, "t-1"));
            // Another member applied both topics' records meanwhile.
            criticalGraphOffsets.put(0, 1L);
            graphOffsets.put(0, 1L);
            writer.refuseNext = new OffsetsMovedException("group-a", CRITICAL, 0, 0, 1);
        });
        consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 1, 0x200, "t-2")));
        consumer.schedulePollTask(apply::stop);
        apply.run();

        assertThat(consumer.position(C0)).isEqualTo(1);
        assertThat(consumer.paused()).isEmpty();
        assertThat(writer.consumed).extracting(ConsumedOffsets::ranges).containsExactly(
                List.of(new ConsumedOffsets.PartitionRange(TOPIC, 0, 1, 2)));
    }

    private ConsumerRecord<byte[], byte[]> deleteRecord(TopicPartition partition, long offset, long tx, String id) {
        StreamItem.Change change = new StreamItem.Change(new SourceChange(new RowChange.Delete(THREADS, Map.of("id", id)), Lsn.of(tx),
                Instant.parse("2026-12-07T12:00:00Z")), new Position(Lsn.of(tx), 0));
        ChangeRecord encoded = codec.encode(change);
        return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, encoded.key().getBytes(), encoded.value());
    }

    @Test
    void shouldResumeEachPartitionWhereTheGraphSaysAndRecordWhatEachBatchConsumed() throws Exception {
        graphOffsets.put(0, 5L);
        KafkaApply apply = apply(Checkpoint.NONE);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            // Records before the graph's offset of partition 0 must not be read again: the seek skips them.
            consumer.addRecord(record(P0, 5, 0x100, "t-1"));
            consumer.addRecord(record(P0, 6, 0x200, "t-2"));
            consumer.addRecord(record(P1, 0, 0x150, "t-3"));
        });
        consumer.schedulePollTask(apply::stop);
        apply.run();

        assertThat(consumer.position(P0)).isEqualTo(7);
        assertThat(writer.consumed).singleElement().satisfies(offsets -> assertThat(offsets.ranges()).containsExactlyInAnyOrder(
                new ConsumedOffsets.PartitionRange(TOPIC, 0, 5, 7), new ConsumedOffsets.PartitionRange(TOPIC, 1, 0, 1)));
        assertThat(writer.changesWritten).isEqualTo(3);
        assertThat(logged).singleElement().satisfies(row -> assertThat(row.summary().consumed())
                .containsEntry(TOPIC + "/0", List.of(5L, 7L)).containsEntry(TOPIC + "/1", List.of(0L, 1L)));
    }

    @Test
    void shouldSeekToTheGraphsOffsetsWhenTheGraphRefusesABatchAndWriteNothingOfIt() throws Exception {
        KafkaApply apply = apply(Checkpoint.NONE);
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(record(P0, 0, 0x100, "t-1"));
            consumer.addRecord(record(P0, 1, 0x200, "t-2"));
            // Another member applied both meanwhile.
            graphOffsets.put(0, 2L);
            writer.refuseNext = new OffsetsMovedException("group-a", TOPIC, 0, 0, 2);
        });
        consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 2, 0x300, "t-3")));
        consumer.schedulePollTask(apply::stop);
        apply.run();

        assertThat(writer.consumed).singleElement().satisfies(offsets ->
                assertThat(offsets.ranges()).containsExactly(new ConsumedOffsets.PartitionRange(TOPIC, 0, 2, 3)));
        assertThat(writer.changesWritten).isEqualTo(1);
        assertThat(logged).hasSize(1);
    }

    @Test
    void shouldPassOverChangesTheGraphHeldBeforeTheRolesTookOver() throws Exception {
        KafkaApply apply = apply(Checkpoint.after(Lsn.of(0x180)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(record(P0, 0, 0x100, "t-1"));
            consumer.addRecord(record(P0, 1, 0x200, "t-2"));
        });
        consumer.schedulePollTask(apply::stop);
        apply.run();

        assertThat(writer.changesWritten).isEqualTo(1);
        assertThat(writer.consumed).singleElement().satisfies(offsets ->
                assertThat(offsets.ranges()).containsExactly(new ConsumedOffsets.PartitionRange(TOPIC, 0, 0, 2)));
    }

    @Test
    void shouldMoveTheGraphsOffsetPastATransactionMarkerTheConsumerReadWithoutARecord() throws Exception {
        KafkaApply apply = apply(Checkpoint.NONE);
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(record(P0, 0, 0x100, "t-1"));
        });
        // What the fetcher does at a commit marker: the position moves on, no record comes.
        consumer.schedulePollTask(() -> consumer.seek(P0, 2));
        consumer.schedulePollTask(apply::stop);
        apply.run();

        assertThat(writer.consumed).extracting(ConsumedOffsets::ranges).containsExactly(
                List.of(new ConsumedOffsets.PartitionRange(TOPIC, 0, 0, 1)), List.of(new ConsumedOffsets.PartitionRange(TOPIC, 0, 1, 2)));
        assertThat(logged).as("a batch without records is not a batch in the transaction log").hasSize(1);
    }

    private ConsumerRecord<byte[], byte[]> record(TopicPartition partition, long offset, long tx, String id) {
        return record(partition, offset, tx, id, "title of " + id);
    }

    private ConsumerRecord<byte[], byte[]> record(TopicPartition partition, long offset, long tx, String id, String title) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("title", title);
        row.put("pg_version", 1L);
        StreamItem.Change change = new StreamItem.Change(new SourceChange(new RowChange.Insert(THREADS, row), Lsn.of(tx),
                Instant.parse("2026-12-07T12:00:00Z")), new Position(Lsn.of(tx), 0));
        ChangeRecord encoded = codec.encode(change);
        return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, encoded.key().getBytes(), encoded.value());
    }

    /** A dead-letter table in memory: one letter per stream position, as PgDeadLetterStore keeps them. */
    private static final class RecordingDeadLetters implements DeadLetterStore {
        final Map<Position, DeadLetter> letters = new LinkedHashMap<>();
        final Map<Position, Long> ids = new HashMap<>();

        @Override
        public long record(DeadLetter letter) {
            Long known = ids.get(letter.position());
            if (known != null) {
                return letter.isHead() ? known : letter.behind();
            }
            long id = ids.size() + 1;
            ids.put(letter.position(), id);
            letters.put(letter.position(), letter);
            return id;
        }

        @Override
        public Map<String, Parked> parkedEntities() {
            Map<String, Parked> parked = new HashMap<>();
            letters.forEach((position, letter) -> letter.entities().forEach(entity ->
                    parked.putIfAbsent(entity, new Parked(letter.isHead() ? ids.get(position) : letter.behind(), position))));
            return parked;
        }
    }

    @Test
    void shouldDeadLetterTheChangeTheGraphRefusesAndPassEveryRecordsOffsetOnce() throws Exception {
        RecordingDeadLetters deadLetters = new RecordingDeadLetters();
        KafkaApply apply = apply(Checkpoint.NONE).deadLetters(deadLetters);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            consumer.addRecord(record(P0, 0, 0x100, "t-1"));
            consumer.addRecord(record(P1, 0, 0x150, "t-2"));
            consumer.addRecord(record(P0, 1, 0x200, "t-bad", "poison"));
            consumer.addRecord(record(P1, 1, 0x250, "t-3"));
            // Still refused: the planner folds an entity's changes of one batch into its last state, which is what the graph sees.
            consumer.addRecord(record(P0, 2, 0x300, "t-bad", "poison"));
            consumer.addRecord(record(P0, 3, 0x400, "t-4"));
        });
        // The next batch: the partition goes on past the dead letter; a later change to its entity waits behind it.
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 4, 0x500, "t-5"));
            // A state the graph would take: parked all the same, behind the dead letter, until a person releases it.
            consumer.addRecord(record(P0, 5, 0x600, "t-bad", "fixed later"));
        });
        consumer.schedulePollTask(apply::stop);
        apply.run();

        assertThat(writer.written).as("every change but the refused one and those parked behind it")
                .containsExactlyInAnyOrder("t-1", "t-2", "t-3", "t-4", "t-5");
        assertThat(deadLetters.letters.values()).extracting(DeadLetter::consumedAt).containsExactly(
                new io.nexussync.core.apply.ConsumedAt("group-a", TOPIC, 0, 1), new io.nexussync.core.apply.ConsumedAt("group-a", TOPIC, 0, 2),
                new io.nexussync.core.apply.ConsumedAt("group-a", TOPIC, 0, 5));
        assertThat(deadLetters.letters.values()).extracting(DeadLetter::behind).containsExactly(0L, 1L, 1L);
        assertThat(apply.deadLettered()).isEqualTo(1);
        assertThat(apply.parked()).isEqualTo(2);
        assertThat(apply.applied()).as("changes written").isEqualTo(5);
        // Each partition's committed ranges follow on from one another, from its first record to past its last: no offset
        // passed twice, none skipped, whatever the parts.
        Map<Integer, Long> reached = new HashMap<>(Map.of(0, 0L, 1, 0L));
        for (ConsumedOffsets batch : writer.consumed) {
            for (ConsumedOffsets.PartitionRange range : batch.ranges()) {
                assertThat(range.from()).as("%s starts where the graph stands", range).isEqualTo(reached.get(range.partition()));
                reached.put(range.partition(), range.next());
            }
        }
        assertThat(reached).containsEntry(0, 6L).containsEntry(1, 2L);
        assertThat(consumer.position(P0)).isEqualTo(6);
        assertThat(logged).as("one row per consumed batch, parts or not").hasSize(2);
        assertThat(logged.get(0).summary().consumed()).containsEntry(TOPIC + "/0", List.of(0L, 4L));
    }

    @Test
    void shouldStopAtAChangeTheGraphRefusesWhenNoDeadLetterTableIsGiven() {
        KafkaApply apply = apply(Checkpoint.NONE);
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(record(P0, 0, 0x100, "t-1"));
            consumer.addRecord(record(P0, 1, 0x200, "t-bad", "poison"));
        });
        consumer.schedulePollTask(apply::stop);

        org.assertj.core.api.Assertions.assertThatThrownBy(apply::run).isInstanceOf(SyncException.class)
                .hasMessageContaining("no dead-letter table is configured");
        assertThat(writer.consumed).as("the part before the refused change is in, with its offset; the refused one's is not")
                .extracting(ConsumedOffsets::ranges).containsExactly(List.of(new ConsumedOffsets.PartitionRange(TOPIC, 0, 0, 1)));
    }

    /** Records each consumed batch; refuses one when told to, as the graph does when its offsets moved. */
    private static final class RecordingWriter implements GraphWriter {
        final List<ConsumedOffsets> consumed = new ArrayList<>();
        final List<Long> changesPerBatch = new ArrayList<>();
        long changesWritten;
        OffsetsMovedException refuseNext;
        /** The ids of the threads written, in order. */
        final List<String> written = new ArrayList<>();

        @Override
        public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
            if (refuseNext != null) {
                OffsetsMovedException refusal = refuseNext;
                refuseNext = null;
                throw refusal;
            }
            List<GraphStep.NodeRow> rows = plan.steps().stream().filter(GraphStep.UpsertNodes.class::isInstance)
                    .flatMap(step -> ((GraphStep.UpsertNodes) step).rows().stream()).toList();
            if (rows.stream().anyMatch(row -> "poison".equals(row.properties().get("title")))) {
                // What Neo4j does with a value it cannot store: the whole transaction is refused, nothing of it written.
                throw SyncException.rejected("the graph refused a row: poison", null);
            }
            rows.forEach(row -> written.add(row.id()));
            consumed.add(offsets);
            changesPerBatch.add((long) plan.sourceChanges());
            changesWritten += plan.sourceChanges();
            return ApplyResult.NOTHING;
        }

        @Override
        public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
            throw new AssertionError("the apply role writes consumed batches only");
        }

        @Override
        public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
            throw new AssertionError("the apply role writes consumed batches only");
        }

        @Override
        public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
            throw new AssertionError("the apply role writes consumed batches only");
        }

        @Override
        public CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
            throw new AssertionError("the apply role writes consumed batches only");
        }
    }
}
